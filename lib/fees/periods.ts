/** Annual prepaid periods anchored on the delivery date (SPEC.md §4.1). */
import { addMonths, addYears, type BizDate, type Period } from '../time.js';

/** Period k = [delivery + k years, delivery + (k+1) years), each computed from the delivery date so clamping never accumulates. */
export function annualPeriod(deliveryDate: BizDate, k: number): Period {
  if (!Number.isInteger(k) || k < 0) throw new RangeError('period index must be a non-negative integer');
  return { start: addYears(deliveryDate, k), end: addYears(deliveryDate, k + 1) };
}

/** The index of the period containing `date` (−1 before delivery). */
export function periodIndexOn(deliveryDate: BizDate, date: BizDate): number {
  if (date < deliveryDate) return -1;
  let k = Math.max(0, Number(date.slice(0, 4)) - Number(deliveryDate.slice(0, 4)) - 1);
  while (annualPeriod(deliveryDate, k).end <= date) k++;
  return k;
}

/** The renewal invoice for the period starting at `periodStart` is issued one month before, on or after this date. */
export function renewalIssueFrom(periodStart: BizDate): BizDate {
  return addMonths(periodStart, -1);
}

/**
 * A period's invoice is due when the period starts (the paid period's end date); one billed after
 * its start (a late move-in) is due on the day it is issued.
 */
export function dueDate(period: Period, issuedOn: BizDate): BizDate {
  return period.start > issuedOn ? period.start : issuedOn;
}
