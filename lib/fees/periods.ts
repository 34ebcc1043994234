/** Annual prepaid periods anchored on the delivery date (SPEC.md §4.1). */
import { derivedDueDate } from '../billing/due-date.js';
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

/** A period's invoice is due when the period starts, never before it is issued (billing/due-date.ts). */
export function dueDate(period: Period, issuedOn: BizDate): BizDate {
  return derivedDueDate(issuedOn, [period.start]);
}

// ---- a unit's periods ------------------------------------------------------------------------

/** What a unit's periods are computed from. */
export interface PeriodBasis {
  deliveryDate: BizDate;
  /** Set by the roster import to the day after 已缴至 (SPEC.md §8). */
  billingAnchor?: BizDate;
}

/**
 * The one place a unit's period start comes from: its periods run yearly from this date. The
 * delivery date (SPEC.md §4.1), or for a unit imported with 已缴至 its billing anchor (§8).
 */
export function billingAnchor(unit: PeriodBasis): BizDate {
  return unit.billingAnchor ?? unit.deliveryDate;
}

/**
 * The date a unit is paid through before any period of its own is paid: none for a unit billed from
 * delivery; an imported unit with 已缴至 is paid through its anchor.
 */
export function openingPaidThrough(unit: PeriodBasis): BizDate | undefined {
  return unit.billingAnchor;
}

/** The unit's period k. */
export function unitPeriod(unit: PeriodBasis, k: number): Period {
  return annualPeriod(billingAnchor(unit), k);
}

/** End of the contiguous run of paid periods from the anchor, given which period starts are paid. */
export function paidThroughFrom(unit: PeriodBasis, paid: ReadonlySet<string>): BizDate | undefined {
  let through = openingPaidThrough(unit);
  for (let k = 0; k < 1000; k++) {
    const p = unitPeriod(unit, k);
    if (!paid.has(p.start)) break;
    through = p.end;
  }
  return through;
}

/**
 * When a space registered on `today` is first billed (SPEC.md §4.1): the start of the unit's period
 * that contains `today`, or of the next one if that period's property fee is already paid. Before
 * the anchor, the first period. `paid` holds the unit's paid property-fee period starts.
 */
export function registeredSpaceBillFrom(
  unit: PeriodBasis,
  paid: ReadonlySet<string>,
  today: BizDate,
): BizDate {
  const k = periodIndexOn(billingAnchor(unit), today);
  if (k < 0) return billingAnchor(unit);
  const p = unitPeriod(unit, k);
  return paid.has(p.start) ? p.end : p.start;
}

/**
 * A space's first billable day: its stored `billFrom`, or for a space registered before spaces had
 * one, the unit's anchor (such spaces were billed from delivery; keeping that keeps their history).
 */
export function spaceBillFrom(space: { billFrom?: BizDate }, unit: PeriodBasis): BizDate {
  return space.billFrom ?? billingAnchor(unit);
}

/**
 * How many of the spaces are billed for `period`: those whose first billable day is on or before the
 * period's start (no pro-rating: a space whose start falls inside a period waits for the next).
 */
export function spacesBilledIn(
  spaces: readonly { billFrom?: BizDate }[],
  unit: PeriodBasis,
  period: Period,
): number {
  return spaces.filter((s) => spaceBillFrom(s, unit) <= period.start).length;
}
