/**
 * The collection summary of a date range (SPEC.md §6): 应收, 实收, 欠费, collection rates by amount
 * and by household, per fee code, and the deposits held. docs/ledger.md defines every figure; in
 * short:
 *
 * - The range's billing is the invoices issued in the range (their INVOICE_ISSUED entry is in it)
 *   plus sales paid on the spot without an invoice (temporary parking).
 * - Its 应收 is what those invoices bill net of their voids and credit notes dated in the range;
 *   its 实收 what was paid of it in the range net of those credit notes; 欠费 what the invoices
 *   among them that are due on or before the range's last day still owe then (billing/due-date.ts);
 *   an invoice issued ahead and not yet due is receivable, not arrears (`notYetDue`).
 * - A deposit deduction is income (fee code DEPOSIT_DEDUCTION) on its date: billed and received at
 *   once, like a cash sale, besides reducing the deposit held.
 * - Entries in the range for invoices issued before it (old arrears paid, old invoices voided or
 *   credited) are reported apart as `earlierInvoices`, so every entry is counted exactly once.
 * - Deposits are liabilities: outside the totals, with their own flows and the balance held.
 *
 * `Tally` is the arithmetic shared by the ledger summary here and the recomputation from documents
 * (test/support/ledger-reconcile.ts); what goes into it — which amount belongs where — is decided
 * independently by each.
 */
import { LEDGER_KINDS, type LedgerKind } from '../billing/context.js';
import { invoiceDueDate } from '../billing/due-date.js';
import type { Column } from '../exports/table.js';
import { feeCodes, feeName, isDeposit } from '../fee-types/catalog.js';
import { Dec, formatFen } from '../money.js';
import type { Db } from '../store/db.js';
import { ledgerPk } from '../store/keys.js';
import { ledgerAmountRecordSchema, parseRecord } from '../store/records.js';
import { entryPages, type LedgerEntry, type LedgerRange, skBounds } from './query.js';

export interface CohortLine {
  issued: bigint;
  cashSale: bigint;
  voided: bigint;
  credited: bigint;
  paid: bigint;
}

export interface FeeFigures {
  /** Gross amount of invoices issued in the range. */
  issued: bigint;
  /** Paid on the spot without an invoice (billed and received at once). */
  cashSales: bigint;
  /** Voids, in the range, of invoices issued in the range (negative). */
  voided: bigint;
  /** Credit notes, in the range, of invoices issued in the range (negative). */
  credited: bigint;
  /** 应收 = issued + cashSales + voided + credited. */
  receivable: bigint;
  /** 实收 = paid in the range of the range's invoices + cashSales + credited. */
  received: bigint;
  /** 欠费: what invoices due on or before the range's end still owe then. */
  outstanding: bigint;
  /** Unpaid and not yet due at the range's end: receivable − received − outstanding. */
  notYetDue: bigint;
  households: { billed: number; paidInFull: number };
  /** Entries in the range for invoices issued before it. */
  earlierInvoices: { collected: bigint; voided: bigint; credited: bigint };
}

export interface DepositFigures {
  /** Held at the start of `from`: everything before the range. */
  heldAtStart: bigint;
  received: bigint;
  /** Deposits handed back by credit notes of their invoices (negative). */
  credited: bigint;
  /** Kept as income after a failed inspection (positive, reduces what is held). */
  deducted: bigint;
  /** Paid back (positive, reduces what is held). */
  refunded: bigint;
  /** Held at the end of `to` = heldAtStart + received + credited − deducted − refunded. */
  heldAtEnd: bigint;
}

/** The income a failed re-inspection keeps of a deposit is reported under this code. */
export const DEDUCTION_CODE = 'DEPOSIT_DEDUCTION';

/** The deposit fee codes (liabilities) of the registry, read when a summary starts. */
const depositCodes = () => feeCodes().filter(isDeposit);

export interface Summary {
  estateId: string;
  from: string;
  to: string;
  /** Ledger entries dated in the range. */
  entries: number;
  byKind: Record<LedgerKind, { count: number; amount: bigint }>;
  /** Every fee code of the registry, in its order. */
  byFeeCode: Record<string, FeeFigures>;
  /** The income fee codes together (deposits excluded). */
  totals: FeeFigures;
  deposits: DepositFigures & { byFeeCode: Record<string, DepositFigures> };
}

const zeroFigures = (): FeeFigures => ({
  issued: 0n,
  cashSales: 0n,
  voided: 0n,
  credited: 0n,
  receivable: 0n,
  received: 0n,
  outstanding: 0n,
  notYetDue: 0n,
  households: { billed: 0, paidInFull: 0 },
  earlierInvoices: { collected: 0n, voided: 0n, credited: 0n },
});
const zeroDeposits = (): DepositFigures => ({
  heldAtStart: 0n,
  received: 0n,
  credited: 0n,
  deducted: 0n,
  refunded: 0n,
  heldAtEnd: 0n,
});

/** Accumulates classified amounts; `finish` derives 应收/实收/欠费, households and totals. */
export class Tally {
  private readonly codes: Record<string, FeeFigures> = Object.fromEntries(
    feeCodes().map((c) => [c, zeroFigures()]),
  );
  /** Per fee code: paid of the range's invoices. */
  private readonly paidOf = new Map<string, bigint>();
  /** Per fee code: what the range's billing due by its end still owes. */
  private readonly overdueOf = new Map<string, bigint>();
  /** Per household (unit) and fee code: [receivable, outstanding]. */
  private readonly units = new Map<string, Map<string, [bigint, bigint]>>();
  private readonly deposit: Record<string, DepositFigures> = Object.fromEntries(
    depositCodes().map((c) => [c, zeroDeposits()]),
  );
  readonly byKind = Object.fromEntries(
    LEDGER_KINDS.map((k) => [k, { count: 0, amount: 0n }]),
  ) as Summary['byKind'];
  entries = 0;

  private code(feeCode: string): FeeFigures {
    const f = Object.hasOwn(this.codes, feeCode) ? this.codes[feeCode] : undefined;
    if (!f) throw new Error(`ledger holds an unknown fee code ${feeCode}`);
    return f;
  }

  kind(kind: LedgerKind, amount: bigint, count = 1): void {
    this.byKind[kind].count += count;
    this.byKind[kind].amount += amount;
    this.entries += count;
  }

  /**
   * One fee line of the range's billing, as it stands at the end of the range; `due`: its invoice
   * is due on or before the range's last day (what it still owes is 欠费).
   */
  cohort(feeCode: string, unitId: string | undefined, l: CohortLine, due = true): void {
    const f = this.code(feeCode);
    f.issued += l.issued;
    f.cashSales += l.cashSale;
    f.voided += l.voided;
    f.credited += l.credited;
    this.paidOf.set(feeCode, (this.paidOf.get(feeCode) ?? 0n) + l.paid);
    const receivable = l.issued + l.cashSale + l.voided + l.credited;
    const received = l.paid + l.cashSale + l.credited;
    const owed = due ? receivable - received : 0n;
    this.overdueOf.set(feeCode, (this.overdueOf.get(feeCode) ?? 0n) + owed);
    if (unitId === undefined) return;
    let perCode = this.units.get(unitId);
    if (!perCode) {
      perCode = new Map();
      this.units.set(unitId, perCode);
    }
    const [r, o] = perCode.get(feeCode) ?? [0n, 0n];
    perCode.set(feeCode, [r + receivable, o + owed]);
  }

  earlier(feeCode: string, e: { collected?: bigint; voided?: bigint; credited?: bigint }): void {
    const f = this.code(feeCode).earlierInvoices;
    f.collected += e.collected ?? 0n;
    f.voided += e.voided ?? 0n;
    f.credited += e.credited ?? 0n;
  }

  depositFlow(feeCode: string, flow: keyof Omit<DepositFigures, 'heldAtEnd'>, amount: bigint): void {
    const d = Object.hasOwn(this.deposit, feeCode) ? this.deposit[feeCode] : undefined;
    if (!d) throw new Error(`${feeCode} is not a deposit fee code`);
    d[flow] += amount;
  }

  finish(range: LedgerRange): Summary {
    const totals = zeroFigures();
    for (const [c, f] of Object.entries(this.codes)) {
      f.receivable = f.issued + f.cashSales + f.voided + f.credited;
      f.received = (this.paidOf.get(c) ?? 0n) + f.cashSales + f.credited;
      f.outstanding = this.overdueOf.get(c) ?? 0n;
      f.notYetDue = f.receivable - f.received - f.outstanding;
      if (isDeposit(c)) continue;
      for (const k of [
        'issued',
        'cashSales',
        'voided',
        'credited',
        'receivable',
        'received',
        'outstanding',
        'notYetDue',
      ] as const) {
        totals[k] += f[k];
      }
      for (const k of ['collected', 'voided', 'credited'] as const)
        totals.earlierInvoices[k] += f.earlierInvoices[k];
    }
    for (const perCode of this.units.values()) {
      let receivable = 0n;
      let outstanding = 0n;
      for (const [c, [r, o]] of perCode) {
        const h = this.code(c).households;
        if (r > 0n) {
          h.billed++;
          if (o === 0n) h.paidInFull++;
        }
        if (!isDeposit(c)) {
          receivable += r;
          outstanding += o;
        }
      }
      if (receivable > 0n) {
        totals.households.billed++;
        if (outstanding === 0n) totals.households.paidInFull++;
      }
    }
    const all = zeroDeposits();
    for (const d of Object.values(this.deposit)) {
      d.heldAtEnd = d.heldAtStart + d.received + d.credited - d.deducted - d.refunded;
      for (const k of Object.keys(all) as (keyof DepositFigures)[]) all[k] += d[k];
    }
    return {
      estateId: range.estateId,
      from: range.from,
      to: range.to,
      entries: this.entries,
      byKind: this.byKind,
      byFeeCode: this.codes,
      totals,
      deposits: { ...all, byFeeCode: this.deposit },
    };
  }
}

/** Per invoice, what the range's entries say about it. */
interface InvoiceTrail {
  issuedInRange: boolean;
  /** From its INVOICE_ISSUED rows: the business date, the due date they carry, the periods billed. */
  issueDate?: string;
  dueDate?: string;
  periodStarts: string[];
  unitId?: string;
  lines: Map<string, CohortLine>;
}

function line(trail: InvoiceTrail, feeCode: string): CohortLine {
  let l = trail.lines.get(feeCode);
  if (!l) {
    l = { issued: 0n, cashSale: 0n, voided: 0n, credited: 0n, paid: 0n };
    trail.lines.set(feeCode, l);
  }
  return l;
}

/**
 * Summarises entries of one range. Invoices are settled at the end, not in passing: an invoice's
 * entries are grouped by its number, so the result does not depend on entries of one invoice
 * arriving in a particular order (two Lambdas' clocks may disagree by a few milliseconds).
 */
export class LedgerSummariser {
  private readonly tally = new Tally();
  private readonly invoices = new Map<string, InvoiceTrail>();

  add(e: LedgerEntry): void {
    this.tally.kind(e.kind, e.amount);
    // Money received and not yet applied (a payment exception, lib/payments/unapplied.ts): no fee's
    // billing, no invoice's payment. Counted by kind only; an APPLY's receipt counts as received.
    if (e.kind === 'PAYMENT_UNAPPLIED') return;
    switch (e.kind) {
      case 'DEPOSIT_DEDUCTED':
        this.tally.depositFlow(e.feeCode, 'deducted', e.amount);
        // Kept as income: billed and received at once. Households count bills, not deductions.
        this.tally.cohort(DEDUCTION_CODE, undefined, {
          issued: 0n,
          cashSale: e.amount,
          voided: 0n,
          credited: 0n,
          paid: 0n,
        });
        return;
      case 'DEPOSIT_REFUNDED':
        this.tally.depositFlow(e.feeCode, 'refunded', e.amount);
        return;
      case 'DEPOSIT_RECEIVED':
        this.tally.depositFlow(e.feeCode, 'received', e.amount);
        break;
      case 'CREDIT_NOTE':
        if (isDeposit(e.feeCode)) this.tally.depositFlow(e.feeCode, 'credited', e.amount);
        break;
      default:
    }
    if (e.invoiceNo === undefined) {
      if (e.kind !== 'PAYMENT_RECEIVED') throw new Error(`ledger entry ${e.sk} (${e.kind}) names no invoice`);
      this.tally.cohort(e.feeCode, e.unitId, {
        issued: 0n,
        cashSale: e.amount,
        voided: 0n,
        credited: 0n,
        paid: 0n,
      });
      return;
    }
    let trail = this.invoices.get(e.invoiceNo);
    if (!trail) {
      trail = { issuedInRange: false, periodStarts: [], lines: new Map() };
      this.invoices.set(e.invoiceNo, trail);
    }
    if (e.unitId !== undefined) trail.unitId = e.unitId;
    const l = line(trail, e.feeCode);
    switch (e.kind) {
      case 'INVOICE_ISSUED':
        trail.issuedInRange = true;
        trail.issueDate = e.businessDate;
        if (e.dueDate) trail.dueDate = e.dueDate;
        if (e.periodStart) trail.periodStarts.push(e.periodStart);
        l.issued += e.amount;
        break;
      case 'INVOICE_VOIDED':
        l.voided += e.amount;
        break;
      case 'CREDIT_NOTE':
        l.credited += e.amount;
        break;
      default:
        l.paid += e.amount;
    }
  }

  /** Adds what was held before the range (from `depositBalancesBefore`). */
  heldAtStart(byCode: Map<string, bigint>): void {
    for (const [c, amount] of byCode) this.tally.depositFlow(c, 'heldAtStart', amount);
  }

  finish(range: LedgerRange): Summary {
    for (const trail of this.invoices.values()) {
      const due =
        trail.issueDate !== undefined &&
        invoiceDueDate({
          dueDate: trail.dueDate,
          issueDate: trail.issueDate,
          periodStarts: trail.periodStarts,
        }) <= range.to;
      for (const [feeCode, l] of trail.lines) {
        if (trail.issuedInRange) {
          this.tally.cohort(feeCode, trail.unitId, l, due);
        } else {
          this.tally.earlier(feeCode, { collected: l.paid, voided: l.voided, credited: l.credited });
        }
      }
    }
    return this.tally.finish(range);
  }
}

/** Entries per read: DynamoDB Local answers a range query without Limit many times slower. */
const SUMMARY_PAGE_ITEMS = 1000;

/**
 * What each deposit fee code held at the start of `from`: deposits received and credited, less
 * deductions and refunds, over every entry before the range. Only deposit entries are sent back.
 */
export async function depositBalancesBefore(db: Db, range: LedgerRange): Promise<Map<string, bigint>> {
  const held = new Map<string, bigint>();
  const deposits = depositCodes();
  const depositValues = Object.fromEntries(deposits.map((c, i) => [`:d${i}`, c]));
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.query({
      KeyConditionExpression: 'PK = :pk AND SK < :lo',
      FilterExpression: `#kind IN (:received, :deducted, :refunded) OR (#kind = :credit AND #fee IN (${Object.keys(depositValues).join(', ')}))`,
      ProjectionExpression: '#kind, #fee, #amount',
      ExpressionAttributeNames: { '#kind': 'kind', '#fee': 'feeCode', '#amount': 'amount' },
      // Limit counts entries read, before the filter: it only bounds the page (see SUMMARY_PAGE_ITEMS).
      Limit: SUMMARY_PAGE_ITEMS,
      ExpressionAttributeValues: {
        ':pk': ledgerPk(range.estateId),
        ':lo': skBounds(range).lo,
        ':received': 'DEPOSIT_RECEIVED',
        ':deducted': 'DEPOSIT_DEDUCTED',
        ':refunded': 'DEPOSIT_REFUNDED',
        ':credit': 'CREDIT_NOTE',
        ...depositValues,
      },
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    for (const item of page.items) {
      const { kind, amount, feeCode } = parseRecord(ledgerAmountRecordSchema, item, 'ledger entry');
      const sign = kind === 'DEPOSIT_DEDUCTED' || kind === 'DEPOSIT_REFUNDED' ? -1n : 1n;
      held.set(feeCode, (held.get(feeCode) ?? 0n) + sign * amount);
    }
    start = page.lastKey;
  } while (start);
  return held;
}

/** GET /v1/reports/summary: one pass over the range's entries plus the deposit balance before it. */
export async function summarise(db: Db, range: LedgerRange): Promise<Summary> {
  const s = new LedgerSummariser();
  const [held] = await Promise.all([
    depositBalancesBefore(db, range),
    (async () => {
      for await (const page of entryPages(db, range, { pageItems: SUMMARY_PAGE_ITEMS }))
        for (const e of page) s.add(e);
    })(),
  ]);
  s.heldAtStart(held);
  return s.finish(range);
}

// ---- presentation ----------------------------------------------------------------------------

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
