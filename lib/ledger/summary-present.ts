/** The collection summary as the API answers it (JSON) and as its CSV and XLSX rows. */
import { LEDGER_KINDS } from '../billing/context.js';
import type { Column } from '../exports/table.js';
import { feeName, isDeposit } from '../fee-types/catalog.js';
import { Dec, formatFen } from '../money.js';
import type { DepositFigures, FeeFigures, Summary } from './tally.js';

/** A ratio as a 4-decimal string rounded half-up ("0.9523"), or null when nothing was due. */
export function rate(numerator: bigint, denominator: bigint): string | null {
  if (denominator === 0n) return null;
  return new Dec(numerator.toString()).dividedBy(denominator.toString()).toFixed(4);
}

function presentFigures(f: FeeFigures) {
  return {
    issued: formatFen(f.issued),
    cashSales: formatFen(f.cashSales),
    voided: formatFen(f.voided),
    credited: formatFen(f.credited),
    receivable: formatFen(f.receivable),
    received: formatFen(f.received),
    outstanding: formatFen(f.outstanding),
    notYetDue: formatFen(f.notYetDue),
    collectionRate: rate(f.received, f.receivable),
    households: {
      billed: f.households.billed,
      paidInFull: f.households.paidInFull,
      collectionRate: rate(BigInt(f.households.paidInFull), BigInt(f.households.billed)),
    },
    earlierInvoices: {
      collected: formatFen(f.earlierInvoices.collected),
      voided: formatFen(f.earlierInvoices.voided),
      credited: formatFen(f.earlierInvoices.credited),
    },
  };
}

function presentDeposits(d: DepositFigures) {
  return {
    heldAtStart: formatFen(d.heldAtStart),
    received: formatFen(d.received),
    credited: formatFen(d.credited),
    deducted: formatFen(d.deducted),
    refunded: formatFen(d.refunded),
    heldAtEnd: formatFen(d.heldAtEnd),
  };
}

export function presentSummary(s: Summary) {
  return {
    estateId: s.estateId,
    from: s.from,
    to: s.to,
    currency: 'CNY' as const,
    entries: s.entries,
    totals: presentFigures(s.totals),
    byFeeCode: Object.entries(s.byFeeCode).map(([c, f]) => ({
      feeCode: c,
      deposit: isDeposit(c),
      ...presentFigures(f),
    })),
    deposits: {
      ...presentDeposits(s.deposits),
      byFeeCode: Object.entries(s.deposits.byFeeCode).map(([c, d]) => ({
        feeCode: c,
        ...presentDeposits(d),
      })),
    },
    byKind: LEDGER_KINDS.map((k) => ({
      kind: k,
      count: s.byKind[k].count,
      amount: formatFen(s.byKind[k].amount),
    })),
  };
}

// ---- files (CSV, XLSX) ---------------------------------------------------------------------------

export interface SummaryRow {
  feeCode: string;
  f: FeeFigures;
}

/** One row per income fee code: deposits are liabilities, outside the totals (the JSON has them). */
export function summaryRows(s: Summary): SummaryRow[] {
  return Object.entries(s.byFeeCode)
    .filter(([feeCode]) => !isDeposit(feeCode))
    .map(([feeCode, f]) => ({ feeCode, f }));
}

export const SUMMARY_COLUMNS: readonly Column<SummaryRow>[] = [
  { key: 'feeCode', zh: '收费项目', kind: 'text', value: (r) => feeName(r.feeCode), width: 24 },
  { key: 'receivable', zh: '应收', kind: 'money', value: (r) => r.f.receivable, total: true },
  { key: 'received', zh: '实收', kind: 'money', value: (r) => r.f.received, total: true },
  { key: 'outstanding', zh: '欠费', kind: 'money', value: (r) => r.f.outstanding, total: true },
  {
    key: 'collectionRate',
    zh: '收缴率(金额)',
    kind: 'rate',
    value: (r) => rate(r.f.received, r.f.receivable),
  },
  { key: 'householdsBilled', zh: '应缴户数', kind: 'int', value: (r) => r.f.households.billed },
  { key: 'householdsPaid', zh: '缴清户数', kind: 'int', value: (r) => r.f.households.paidInFull },
  {
    key: 'householdRate',
    zh: '收缴率(户数)',
    kind: 'rate',
    value: (r) => rate(BigInt(r.f.households.paidInFull), BigInt(r.f.households.billed)),
  },
  {
    key: 'earlierCollected',
    zh: '收回往期欠费',
    kind: 'money',
    value: (r) => r.f.earlierInvoices.collected,
    total: true,
  },
];
