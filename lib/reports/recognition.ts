/**
 * The arithmetic of the accountant's month (SPEC.md §10), pure: months as `YYYY-MM`, how a paid
 * period is earned month by month, and the tax split (价税分离). docs/accounting.md has the rules.
 */
import { Dec, type Fen, roundToFen } from '../money.js';
import { addDays, addMonths, type BizDate } from '../time.js';

/** A calendar month, `2026-07`. */
export type Month = string;

export const monthOf = (date: BizDate): Month => date.slice(0, 7);

export function addMonth(month: Month, n: number): Month {
  return monthOf(addMonths(`${month}-01`, n));
}

export function firstDay(month: Month): BizDate {
  return `${month}-01`;
}

export function lastDay(month: Month): BizDate {
  return addDays(addMonths(`${month}-01`, 1), -1);
}

/**
 * Service months of a half-open period: [2026-06-01, 2027-06-01) → 12. Periods repeat (units
 * delivered together, renewals on the same anchor), and Temporal's polyfill is slow next to a
 * year of an estate's payments: both answers are kept per period.
 */
const spans = new Map<string, number>();
const startsOf = new Map<string, Month[]>();
const MEMO_LIMIT = 50_000;

export function serviceMonths(start: BizDate, end: BizDate): number {
  const k = `${start}|${end}`;
  let n = spans.get(k);
  if (n === undefined) {
    n = 1;
    // A period is whole months by construction; a ragged end still earns its last, partial month.
    while (addMonths(start, n) < end && n < 1200) n++;
    if (spans.size > MEMO_LIMIT) spans.clear();
    spans.set(k, n);
  }
  return n;
}

/** The calendar month each of the first `n` service months from `start` begins in. */
function serviceMonthStarts(start: BizDate, n: number): Month[] {
  const k = `${start}|${n}`;
  let months = startsOf.get(k);
  if (!months) {
    months = Array.from({ length: n }, (_, i) => monthOf(addMonths(start, i)));
    if (startsOf.size > MEMO_LIMIT) startsOf.clear();
    startsOf.set(k, months);
  }
  return months;
}

export interface SchedulePiece {
  month: Month;
  gross: Fen;
}

/**
 * A period's amount spread evenly over its service months in fen, the remainder in the last month,
 * so the months sum exactly to the line: 1934.50 over 12 → eleven × 161.20 and 161.30. The k-th
 * service month is earned in the calendar month it starts in. Negative amounts mirror positive ones.
 */
export function recognitionSchedule(amount: Fen, start: BizDate, end: BizDate): SchedulePiece[] {
  const n = serviceMonths(start, end);
  const each = amount / BigInt(n); // bigint division truncates toward zero: the remainder goes last
  return serviceMonthStarts(start, n).map((month, k) => ({
    month,
    gross: k === n - 1 ? amount - each * BigInt(n - 1) : each,
  }));
}

export interface TaxSplit {
  gross: Fen;
  net: Fen;
  tax: Fen;
}

/**
 * 价税分离: net = gross ÷ (1 + rate), half-up to the fen (lib/money.ts, the one rounding rule),
 * tax = gross − net. `rate` null: outside VAT, all net. 1934.50 at 6% → 1825.00 + 109.50.
 */
const divisors = new Map<string, Dec>();
/** A rate of at most four places as a fraction `scale / (scale + points)`: 0.06 → 10000/10600. */
const fractions = new Map<string, { scale: bigint; den: bigint } | null>();
/** Below this the exact fraction and the 40-digit Decimal division round alike (lib/money.ts). */
const EXACT_LIMIT = 10n ** 20n;

export function splitTax(gross: Fen, rate: string | null): TaxSplit {
  if (rate === null) return { gross, net: gross, tax: 0n };
  let f = fractions.get(rate);
  if (f === undefined) {
    const m = /^0(?:\.(\d{1,4}))?$/.exec(rate);
    const places = m?.[1] ?? '';
    f = m
      ? { scale: 10n ** BigInt(places.length), den: 10n ** BigInt(places.length) + BigInt(places || '0') }
      : null;
    fractions.set(rate, f);
  }
  const abs = gross < 0n ? -gross : gross;
  if (f && abs < EXACT_LIMIT) {
    // Thirty thousand splits a month report: bigint, half-up (away from zero) as roundToFen does.
    const q = (2n * abs * f.scale + f.den) / (2n * f.den);
    const net = gross < 0n ? -q : q;
    return { gross, net, tax: gross - net };
  }
  let divisor = divisors.get(rate);
  if (!divisor) {
    // Fen ÷ (100 × (1 + rate)) is the yuan amount ÷ (1 + rate) in one division.
    divisor = new Dec(1).plus(rate).times(100);
    divisors.set(rate, divisor);
  }
  const net = roundToFen(new Dec(gross.toString()).dividedBy(divisor));
  return { gross, net, tax: gross - net };
}

export const ZERO_SPLIT: TaxSplit = { gross: 0n, net: 0n, tax: 0n };

export function addSplit(a: TaxSplit, b: TaxSplit): TaxSplit {
  return { gross: a.gross + b.gross, net: a.net + b.net, tax: a.tax + b.tax };
}

export function negate(a: TaxSplit): TaxSplit {
  return { gross: -a.gross, net: -a.net, tax: -a.tax };
}

/** `2026Q3` → its first and last day and the disclosure's due date, the 20th of the next month. */
export function quarterOf(quarter: string): { from: BizDate; to: BizDate; dueDate: BizDate } | undefined {
  const m = /^(\d{4})Q([1-4])$/.exec(quarter);
  if (!m) return undefined;
  const first: Month = `${m[1]}-${String((Number(m[2]) - 1) * 3 + 1).padStart(2, '0')}`;
  return {
    from: firstDay(first),
    to: lastDay(addMonth(first, 2)),
    dueDate: `${addMonth(first, 3)}-20`,
  };
}
