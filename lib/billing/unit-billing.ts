/**
 * A unit's billing state: its live property-fee periods (OPEN or PAID), and what follows from them,
 * the paid-through date and the unit's place in the renewal index. All of it lives on the unit
 * item, under one version, so every write that changes it (issue, pay, credit note, void, a space
 * registered) computes from one item read and commits only if that item is unchanged: two writers
 * that interleave cannot leave a paid-through date or a renewal entry computed from a stale view.
 * (Reading the claim items instead would not do: a query is not a snapshot, so it could miss a
 * transaction the unit read already reflects.) The claim items stay the guard that a period is
 * billed once; the unit's map mirrors the unit's PROPERTY_FEE claims, written in the same transactions.
 */
import { paidThroughFrom, renewalIssueFrom } from '../fees/periods.js';
import type { TxItem } from '../store/db.js';
import { unitBillingItem } from '../store/items.js';
import { claimOwner } from '../store/keys.js';
import type { BizDate } from '../time.js';
import type { Ctx } from './context.js';
import { liveClaims } from './invoice-drafts.js';
import type { Invoice, Unit } from './records.js';
import { getUnit } from './units.js';

export type PeriodState = 'OPEN' | 'PAID';

/** A unit as read for a billing write: the lock (`version`) and its live property-fee periods. */
export interface UnitBilling {
  unit: Unit;
  version: number | undefined;
  periods: ReadonlyMap<string, PeriodState>;
}

/**
 * Reads a unit's billing state. A unit written before the state lived on the unit (no
 * `propertyPeriods`) has it rebuilt from its claims, read after the unit: its first billing write
 * stores the map, under the condition that no other write has stored one meanwhile.
 */
export async function readUnitBilling(
  ctx: Pick<Ctx, 'db'>,
  unitId: string,
  known?: Unit,
): Promise<UnitBilling> {
  const unit = known ?? (await getUnit(ctx, unitId));
  const periods = unit.propertyPeriods
    ? new Map(Object.entries(unit.propertyPeriods))
    : await liveClaims(ctx.db, claimOwner.unit(unitId), 'PROPERTY_FEE');
  return { unit, version: unit.version, periods };
}

/** The starts of the paid periods. */
export function paidStarts(periods: ReadonlyMap<string, PeriodState>): Set<string> {
  return new Set([...periods].filter(([, s]) => s === 'PAID').map(([start]) => start));
}

/**
 * What a unit's live periods imply: paid through the end of the contiguous paid run from the
 * anchor; due for a renewal (one month before that date) unless the period starting there is
 * already billed. A unit with nothing paid is not in the renewal index.
 */
export function billingStateOf(
  unit: Unit,
  periods: ReadonlyMap<string, PeriodState>,
): { paidThrough?: BizDate; renewalFrom?: BizDate } {
  const paidThrough = paidThroughFrom(unit, paidStarts(periods));
  if (!paidThrough) return {};
  return periods.has(paidThrough)
    ? { paidThrough }
    : { paidThrough, renewalFrom: renewalIssueFrom(paidThrough) };
}

/** The live periods once this invoice's property-fee lines are issued, paid or released. */
export function periodsAfter(
  periods: ReadonlyMap<string, PeriodState>,
  lines: Pick<Invoice, 'lines'>['lines'] | readonly { type: string; period?: { start: string } }[],
  change: 'issued' | 'paid' | 'released',
): Map<string, PeriodState> {
  const next = new Map(periods);
  for (const l of lines) {
    if (l.type !== 'PROPERTY_FEE' || !l.period) continue;
    if (change === 'released') next.delete(l.period.start);
    else next.set(l.period.start, change === 'paid' ? 'PAID' : 'OPEN');
  }
  return next;
}

/** The write of a unit's next billing state, locked on the version read (retry on its failure). */
export function unitBillingWrite(b: UnitBilling, next: ReadonlyMap<string, PeriodState>): TxItem {
  return unitBillingItem(b.unit, b.version, {
    propertyPeriods: Object.fromEntries(next),
    ...billingStateOf(b.unit, next),
  });
}
