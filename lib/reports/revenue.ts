/**
 * Advance receipts (预收) and revenue for a month (SPEC.md §10), a function of ledger rows:
 *
 * - A payment line with a period is received in its month and earned over the period's service
 *   months (recognition.ts); months already elapsed when it is received are earned in the month it
 *   is received (nothing is earned before the money is there: the books here are kept on receipts).
 * - A line without a period (temporary parking, renovation waste, cards) and a deposit deduction
 *   (income, DEPOSIT_DEDUCTION) are earned when received.
 * - Deposits (liabilities) and collected opening arrears (a receivable of the old books, whose
 *   income was recognised there: its voucher credits 1122 应收账款) are not revenue: not here.
 * - A credit note reverses, in the month it is issued, what its payment line received and what of
 *   it was earned before that month; the months after earn nothing more.
 * - Tax: received amounts split at the rate of the month received, each earned piece at the rate
 *   of the month earned; a reversal negates exactly the figures it reverses.
 *
 * So opening + received − recognised = closing for every fee code, by construction, and the
 * received column summed over months is the ledger's payments less its credit notes (both without
 * deposits and opening arrears).
 */

import { isDeposit, isOpeningReceivable } from '../fee-types/catalog.js';
import type { LedgerEntry } from '../ledger/query.js';
import type { Fen } from '../money.js';
import { accountingFeeCodes, DEPOSIT_DEDUCTION, type SettingsHistory } from './accounting-settings.js';
import {
  addSplit,
  type Month,
  monthOf,
  negate,
  recognitionSchedule,
  splitTax,
  type TaxSplit,
  ZERO_SPLIT,
} from './recognition.js';

/** One ledger line followed through the months: what it brought in and when it is earned. */
export interface Flow {
  feeCode: string;
  entry: LedgerEntry;
  /** Earned when received (no period): booked straight to revenue, never to advance receipts. */
  immediate: boolean;
  origin: 'payment' | 'creditNote' | 'deduction';
  receivedIn: Month;
  received: TaxSplit;
  /** Earned pieces by month (a credit note's reversal is one negative piece in its month). */
  recognised: Map<Month, TaxSplit>;
  /** A payment line a credit note has reversed: no later credit note can match it (month-close.ts). */
  reversed?: boolean;
}

export function flowKey(e: Pick<LedgerEntry, 'invoiceNo' | 'receiptNo' | 'feeCode' | 'periodStart'>): string {
  return `${e.invoiceNo ?? e.receiptNo ?? ''}|${e.feeCode}|${e.periodStart ?? ''}`;
}

/** A payment line's flow: received in its month, each service month earned when it begins (never before receipt). */
export function paymentFlow(e: LedgerEntry, settings: SettingsHistory): Flow {
  const month = monthOf(e.businessDate);
  const rate = (m: Month) => settings.rate(e.feeCode, m);
  // The equal pieces of a line split alike: one division per rate and amount, not per month.
  const splits = new Map<string, TaxSplit>();
  const split = (gross: Fen, r: string | null) => {
    const k = `${r}|${gross}`;
    let s = splits.get(k);
    if (!s) {
      s = splitTax(gross, r);
      splits.set(k, s);
    }
    return s;
  };
  const recognised = new Map<Month, TaxSplit>();
  if (e.periodStart && e.periodEnd) {
    for (const p of recognitionSchedule(e.amount, e.periodStart, e.periodEnd)) {
      const m = p.month < month ? month : p.month;
      const piece = split(p.gross, rate(m));
      const had = recognised.get(m);
      recognised.set(m, had ? addSplit(had, piece) : piece);
    }
  } else {
    recognised.set(month, splitTax(e.amount, rate(month)));
  }
  return {
    feeCode: e.feeCode,
    entry: e,
    immediate: !(e.periodStart && e.periodEnd),
    origin: 'payment',
    receivedIn: month,
    received: splitTax(e.amount, rate(month)),
    recognised,
  };
}

/**
 * The payment lines a month close carries into the month after it (month-close.ts), for the
 * credit notes of that month: `take` hands out the flow of the first open line with the key and
 * amount (in time order, as the history would match it) and counts it reversed.
 */
export interface CarriedLines {
  take(key: string, gross: Fen): Flow | undefined;
}

/** Received into this report: not a deposit (a liability), not opening arrears (a receivable). */
const isRevenue = (feeCode: string) => !isDeposit(feeCode) && !isOpeningReceivable(feeCode);

/**
 * Every revenue flow of the entries (time order, history from the estate's first entry up to the
 * last month wanted). Deposits held are not revenue and stay out; their vouchers read the entries.
 * With `carried`, the entries are one month's after a close and a credit note may reverse a line
 * the close carries (those lines' own flows are the close's aggregates, not in the result).
 */
export function revenueFlows(
  entries: Iterable<LedgerEntry>,
  settings: SettingsHistory,
  carried?: CarriedLines,
): Flow[] {
  const flows: Flow[] = [];
  const open = new Map<string, Flow[]>();
  for (const e of entries) {
    const month = monthOf(e.businessDate);
    if (e.kind === 'PAYMENT_RECEIVED' && isRevenue(e.feeCode)) {
      const flow = paymentFlow(e, settings);
      flows.push(flow);
      const k = flowKey(e);
      open.set(k, [...(open.get(k) ?? []), flow]);
    } else if (e.kind === 'CREDIT_NOTE' && isRevenue(e.feeCode)) {
      const k = flowKey(e);
      // Lines received before the close come first in time order, as in the history.
      let paid = carried?.take(k, -e.amount);
      if (!paid) {
        const candidates = open.get(k) ?? [];
        const i = candidates.findIndex((f) => f.received.gross === -e.amount);
        paid = i >= 0 ? candidates.splice(i, 1)[0] : undefined;
      }
      if (!paid) {
        // A credit note whose payment is not in the history read: reversed where it stands.
        const split = splitTax(e.amount, settings.rate(e.feeCode, month));
        flows.push({
          feeCode: e.feeCode,
          entry: e,
          immediate: true,
          origin: 'creditNote',
          receivedIn: month,
          received: split,
          recognised: new Map([[month, split]]),
        });
        continue;
      }
      paid.reversed = true;
      let earned = ZERO_SPLIT;
      for (const [m, piece] of [...paid.recognised]) {
        if (m < month) earned = addSplit(earned, piece);
        else paid.recognised.delete(m);
      }
      flows.push({
        feeCode: e.feeCode,
        entry: e,
        immediate: paid.immediate,
        origin: 'creditNote',
        receivedIn: month,
        received: negate(paid.received),
        recognised: new Map([[month, negate(earned)]]),
      });
    } else if (e.kind === 'DEPOSIT_DEDUCTED') {
      const split = splitTax(e.amount, settings.rate(DEPOSIT_DEDUCTION, month));
      flows.push({
        feeCode: DEPOSIT_DEDUCTION,
        entry: e,
        immediate: true,
        origin: 'deduction',
        receivedIn: month,
        received: split,
        recognised: new Map([[month, split]]),
      });
    }
  }
  return flows;
}

/**
 * What the lines a close carries bring to the month after it, per fee code: the advance balance
 * they open it with and what of them is earned in it (period lines only; reversals taken out).
 */
export interface CarriedFee {
  feeCode: string;
  opening: Fen;
  recognised: TaxSplit;
  /** Lines earning in the month (the recognition voucher names a fee code that has one). */
  earning: number;
}

/** Registry order, then by code: the rows of the revenue report and the month's recognition. */
export function byFeeCodeOrder(codes: Iterable<string>): string[] {
  const order = accountingFeeCodes();
  const rank = (c: string) => (order.includes(c) ? order.indexOf(c) : order.length);
  return [...codes].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

export interface RevenueRow {
  feeCode: string;
  opening: Fen;
  received: Fen;
  recognised: Fen;
  closing: Fen;
  receivedNet: Fen;
  receivedTax: Fen;
  recognisedNet: Fen;
  recognisedTax: Fen;
}

export interface RevenueReport {
  estateId: string;
  month: Month;
  rows: RevenueRow[];
  totals: Omit<RevenueRow, 'feeCode'>;
}

const emptyRow = (feeCode: string): RevenueRow => ({
  feeCode,
  opening: 0n,
  received: 0n,
  recognised: 0n,
  closing: 0n,
  receivedNet: 0n,
  receivedTax: 0n,
  recognisedNet: 0n,
  recognisedTax: 0n,
});

/** The month's figures per fee code: the fee codes with a balance or a movement, registry order. */
export function revenueReport(
  estateId: string,
  month: Month,
  flows: Iterable<Flow>,
  carried: readonly CarriedFee[] = [],
): RevenueReport {
  const byCode = new Map<string, RevenueRow>();
  const row = (code: string) => {
    const found = byCode.get(code);
    if (found) return found;
    const r = emptyRow(code);
    byCode.set(code, r);
    return r;
  };
  for (const c of carried) {
    const r = row(c.feeCode);
    r.opening += c.opening;
    r.recognised += c.recognised.gross;
    r.recognisedNet += c.recognised.net;
    r.recognisedTax += c.recognised.tax;
  }
  for (const f of flows) {
    if (f.receivedIn > month) continue;
    const r = row(f.feeCode);
    if (f.receivedIn < month) r.opening += f.received.gross;
    else {
      r.received += f.received.gross;
      r.receivedNet += f.received.net;
      r.receivedTax += f.received.tax;
    }
    for (const [m, piece] of f.recognised) {
      if (m < month) r.opening -= piece.gross;
      else if (m === month) {
        r.recognised += piece.gross;
        r.recognisedNet += piece.net;
        r.recognisedTax += piece.tax;
      }
    }
  }
  const rows = byFeeCodeOrder(byCode.keys())
    .map((code) => byCode.get(code)!)
    .map((r) => ({ ...r, closing: r.opening + r.received - r.recognised }))
    .filter((r) => r.opening !== 0n || r.received !== 0n || r.recognised !== 0n || r.closing !== 0n);
  const totals = emptyRow('');
  for (const r of rows)
    for (const k of Object.keys(totals) as (keyof RevenueRow)[])
      if (k !== 'feeCode') (totals[k] as Fen) += r[k] as Fen;
  const { feeCode: _, ...t } = totals;
  return { estateId, month, rows, totals: t };
}
