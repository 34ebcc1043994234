/**
 * When an invoice falls due (SPEC.md §4.1, §6, §10): the one rule every report, the unit view and
 * the dunning notice use, so that "in arrears" means the same thing everywhere (docs/reports.md).
 *
 * - An explicit due date on the invoice (every invoice issued from now on carries one; an
 *   opening-arrears invoice is due on its import date) wins.
 * - Otherwise it is derived: an invoice billing periods (renewal, annual, rental lines) is due on
 *   the first day of the earliest period it bills, but never before the day it was issued (a late
 *   move-in billed after the period began is due when billed); any other invoice on its issue date.
 *
 * Pure: no clock, no store. Dates are ISO business dates, so string order is date order.
 */
import type { BizDate } from '../time.js';

/** The derived due date of an invoice issued on `issueDate` billing periods that start on `periodStarts`. */
export function derivedDueDate(issueDate: BizDate, periodStarts: Iterable<BizDate | undefined>): BizDate {
  let earliest: BizDate | undefined;
  for (const s of periodStarts) if (s !== undefined && (earliest === undefined || s < earliest)) earliest = s;
  return earliest !== undefined && earliest > issueDate ? earliest : issueDate;
}

export interface DueDateFacts {
  /** The due date written on the invoice, when it has one. */
  dueDate?: BizDate | undefined;
  issueDate: BizDate;
  periodStarts: Iterable<BizDate | undefined>;
}

/** An invoice's due date: the explicit one when present, else derived. */
export function invoiceDueDate(f: DueDateFacts): BizDate {
  return f.dueDate ?? derivedDueDate(f.issueDate, f.periodStarts);
}

const DAY_MS = 86_400_000;

/** Whole days from `due` to `asOf` (negative before the due date); calendar days, no time zone involved. */
export function daysPastDue(due: BizDate, asOf: BizDate): number {
  return Math.round((Date.parse(`${asOf}T00:00:00Z`) - Date.parse(`${due}T00:00:00Z`)) / DAY_MS);
}
