/**
 * 记账凭证 for a month (SPEC.md §10), from the ledger rows of the month and the revenue flows
 * (revenue.ts). docs/accounting.md shows each voucher's entries; in short:
 *
 * - receipts, one voucher per day and channel: Dr cash/bank; Cr advance receipts (a line with a
 *   period), revenue and output VAT (a line earned when received), the deposit account (deposits);
 * - deposit deductions: Dr the deposit account, Cr revenue and output VAT;
 * - deposit refunds: Dr the deposit account, Cr cash/bank of the refund's channel;
 * - credit notes: Dr advance receipts (what was not yet earned), revenue and output VAT (what was),
 *   the deposit account (deposits); Cr cash/bank of the channel the money came by;
 * - the month's recognition, on its last day: Dr advance receipts, Cr revenue and output VAT;
 * - money received and not yet applied (a payment exception), one voucher per row: Dr cash/bank of
 *   its channel, Cr the suspense account (2241 其他应付款); its reversal (APPLY or REFUND) the other
 *   way round, so an APPLY's receipt voucher debits the bank once in all.
 *
 * Every voucher balances by construction; test/unit/accounting-month.test.ts proves it on a year.
 */
import { channelName, isDeposit } from '../fee-types/catalog.js';
import type { LedgerEntry } from '../ledger/query.js';
import type { Fen } from '../money.js';
import type { BizDate } from '../time.js';
import { accountingFeeName, type ChartOfAccounts, DEPOSIT_DEDUCTION } from './accounting-settings.js';
import { lastDay, type Month, monthOf } from './recognition.js';
import { byFeeCodeOrder, type CarriedFee, type Flow } from './revenue.js';

export interface VoucherLine {
  date: BizDate;
  voucherNo: number;
  summary: string;
  accountCode: string;
  accountName: string;
  debit: Fen;
  credit: Fen;
  auxiliary: string;
}

interface Draft {
  date: BizDate;
  /** Orders vouchers of one day: receipts, deductions, refunds, credit notes. */
  rank: number;
  tie: string;
  lines: Omit<VoucherLine, 'date' | 'voucherNo' | 'accountName'>[];
}

export interface VoucherInput {
  month: Month;
  /** The ledger entries of the whole history read (earlier months name the channel money came by). */
  entries: readonly LedgerEntry[];
  flows: readonly Flow[];
  accounts: ChartOfAccounts;
  /** Unit (楼栋-房号) or plate of an entry, for the auxiliary column. */
  auxiliary: (e: LedgerEntry) => string;
  /** Channel of a receipt before the entries read (a month close's): a credit note pays back by it. */
  receiptChannel?: (receiptNo: string) => string | undefined;
  /** What the lines a month close carries earn in the month (revenue.ts), besides the flows. */
  carried?: readonly CarriedFee[];
}

const CHANNEL_RANK = (c: string | undefined) => c ?? '';

export function monthVouchers(input: VoucherInput): VoucherLine[] {
  const { month, accounts: chart } = input;
  const channelAccount = (c: string | undefined) => chart.channels[c ?? 'CASH'] ?? chart.channels['CASH']!;
  const feeAccount = (code: string) => chart.feeCodes[code] ?? '6001';
  const flowOf = new Map<string, Flow>();
  for (const f of input.flows) flowOf.set(f.entry.sk, f);
  // The month's own receipts first; the close's channels are read only for a credit note.
  const channelOfReceipt = new Map<string, string>();
  for (const e of input.entries)
    if (e.receiptNo && e.channel && (e.kind === 'PAYMENT_RECEIVED' || e.kind === 'DEPOSIT_RECEIVED'))
      channelOfReceipt.set(e.receiptNo, e.channel);

  const drafts = new Map<string, Draft>();
  const draft = (id: string, date: BizDate, rank: number, tie: string) => {
    const found = drafts.get(id);
    if (found) return found;
    const d: Draft = { date, rank, tie, lines: [] };
    drafts.set(id, d);
    return d;
  };
  /** Revenue and output VAT of a split, on the debit or the credit side. */
  const revenueLines = (
    d: Draft,
    side: 'debit' | 'credit',
    summary: string,
    f: Flow,
    net: Fen,
    tax: Fen,
    aux: string,
  ) => {
    const line = (accountCode: string, amount: Fen) => {
      if (amount === 0n) return;
      d.lines.push({
        summary,
        accountCode,
        debit: side === 'debit' ? amount : 0n,
        credit: side === 'credit' ? amount : 0n,
        auxiliary: aux,
      });
    };
    line(feeAccount(f.feeCode), net);
    line(chart.outputVat, tax);
  };

  for (const e of input.entries) {
    if (monthOf(e.businessDate) !== month) continue;
    const aux = input.auxiliary(e);
    const name = accountingFeeName(e.feeCode);
    if (e.kind === 'PAYMENT_RECEIVED' || e.kind === 'DEPOSIT_RECEIVED') {
      const d = draft(`R|${e.businessDate}|${e.channel}`, e.businessDate, 0, CHANNEL_RANK(e.channel));
      const summary = `收${name} ${e.receiptNo ?? e.documentNo}`;
      const flow = flowOf.get(e.sk);
      if (e.kind === 'DEPOSIT_RECEIVED' || isDeposit(e.feeCode) || !flow) {
        d.lines.push({
          summary,
          accountCode: feeAccount(e.feeCode),
          debit: 0n,
          credit: e.amount,
          auxiliary: aux,
        });
      } else if (flow.immediate) {
        revenueLines(d, 'credit', summary, flow, flow.received.net, flow.received.tax, aux);
      } else {
        d.lines.push({
          summary,
          accountCode: chart.advanceReceipts,
          debit: 0n,
          credit: e.amount,
          auxiliary: aux,
        });
      }
    } else if (e.kind === 'DEPOSIT_DEDUCTED') {
      const d = draft(`D|${e.documentNo}`, e.businessDate, 1, e.documentNo);
      const summary = `${name}转收入 ${e.documentNo}`;
      d.lines.push({
        summary,
        accountCode: feeAccount(e.feeCode),
        debit: e.amount,
        credit: 0n,
        auxiliary: aux,
      });
      const deduction = flowOf.get(e.sk);
      if (deduction) {
        revenueLines(
          d,
          'credit',
          `${accountingFeeName(DEPOSIT_DEDUCTION)} ${e.documentNo}`,
          deduction,
          deduction.received.net,
          deduction.received.tax,
          aux,
        );
      }
    } else if (e.kind === 'DEPOSIT_REFUNDED') {
      const d = draft(`T|${e.documentNo}`, e.businessDate, 2, e.documentNo);
      const summary = `退${name} ${e.documentNo}`;
      d.lines.push({
        summary,
        accountCode: feeAccount(e.feeCode),
        debit: e.amount,
        credit: 0n,
        auxiliary: aux,
      });
      d.lines.push({
        summary,
        accountCode: channelAccount(e.channel),
        debit: 0n,
        credit: e.amount,
        auxiliary: aux,
      });
    } else if (e.kind === 'PAYMENT_UNAPPLIED') {
      const d = draft(`U|${e.documentNo}`, e.businessDate, 4, e.documentNo);
      const received = e.amount > 0n;
      const amount = received ? e.amount : -e.amount;
      const summary = `${received ? '待处理款项' : '待处理款项转出'} ${e.documentNo}`;
      const bank = channelAccount(e.channel);
      const suspense = chart.unapplied;
      const [dr, cr] = received ? [bank, suspense] : [suspense, bank];
      d.lines.push({ summary, accountCode: dr, debit: amount, credit: 0n, auxiliary: aux });
      d.lines.push({ summary, accountCode: cr, debit: 0n, credit: amount, auxiliary: aux });
    } else if (e.kind === 'CREDIT_NOTE') {
      const d = draft(`C|${e.documentNo}`, e.businessDate, 3, e.documentNo);
      const summary = `红冲${name} ${e.documentNo}`;
      const back = -e.amount;
      const flow = flowOf.get(e.sk);
      if (isDeposit(e.feeCode) || !flow) {
        d.lines.push({
          summary,
          accountCode: feeAccount(e.feeCode),
          debit: back,
          credit: 0n,
          auxiliary: aux,
        });
      } else if (flow.immediate) {
        revenueLines(d, 'debit', summary, flow, -flow.received.net, -flow.received.tax, aux);
      } else {
        const earned = flow.recognised.get(month) ?? { gross: 0n, net: 0n, tax: 0n };
        if (back + earned.gross !== 0n)
          d.lines.push({
            summary,
            accountCode: chart.advanceReceipts,
            debit: back + earned.gross,
            credit: 0n,
            auxiliary: aux,
          });
        revenueLines(d, 'debit', summary, flow, -earned.net, -earned.tax, aux);
      }
      const channel = e.receiptNo
        ? (channelOfReceipt.get(e.receiptNo) ?? input.receiptChannel?.(e.receiptNo))
        : undefined;
      d.lines.push({
        summary,
        accountCode: channelAccount(channel),
        debit: 0n,
        credit: back,
        auxiliary: aux,
      });
    }
  }

  // Receipt vouchers: one debit of the day's money by channel, first.
  for (const [id, d] of drafts) {
    if (!id.startsWith('R|')) continue;
    const channel = id.split('|')[2];
    const total = d.lines.reduce((s, l) => s + l.credit, 0n);
    d.lines.unshift({
      summary: `${d.date} ${channelName(channel ?? '')}收款`,
      accountCode: channelAccount(channel),
      debit: total,
      credit: 0n,
      auxiliary: '',
    });
  }

  // The month's recognition, per fee code (registry order), on its last day.
  const earned = new Map<string, { gross: Fen; net: Fen; tax: Fen }>();
  for (const c of input.carried ?? []) if (c.earning > 0) earned.set(c.feeCode, { ...c.recognised });
  for (const f of input.flows) {
    if (f.origin !== 'payment' || f.immediate) continue;
    const p = f.recognised.get(month);
    if (!p) continue;
    const sum = earned.get(f.feeCode) ?? { gross: 0n, net: 0n, tax: 0n };
    earned.set(f.feeCode, { gross: sum.gross + p.gross, net: sum.net + p.net, tax: sum.tax + p.tax });
  }
  if (earned.size > 0) {
    const d = draft('M', lastDay(month), 9, '');
    for (const code of byFeeCodeOrder(earned.keys())) {
      const p = earned.get(code)!;
      const summary = `${month} 确认${accountingFeeName(code)}收入`;
      d.lines.push({
        summary,
        accountCode: chart.advanceReceipts,
        debit: p.gross,
        credit: 0n,
        auxiliary: '',
      });
      if (p.net !== 0n)
        d.lines.push({ summary, accountCode: feeAccount(code), debit: 0n, credit: p.net, auxiliary: '' });
      if (p.tax !== 0n)
        d.lines.push({ summary, accountCode: chart.outputVat, debit: 0n, credit: p.tax, auxiliary: '' });
    }
  }

  const ordered = [...drafts.values()]
    .filter((d) => d.lines.length > 0)
    .sort((a, b) => a.date.localeCompare(b.date) || a.rank - b.rank || a.tie.localeCompare(b.tie));
  return ordered.flatMap((d, i) =>
    d.lines
      .filter((l) => l.debit !== 0n || l.credit !== 0n)
      .map((l) => ({
        ...l,
        date: d.date,
        voucherNo: i + 1,
        accountName: chart.names[l.accountCode] ?? l.accountCode,
      })),
  );
}
