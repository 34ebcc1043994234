/**
 * Which vehicles park free (SPEC.md §4.2): a plate registered on an owned or use-right space of the
 * estate (free for the whole stay), or a plate with a PAID rental (free for the part of a stay its
 * months cover). Both are read from the base table with strongly consistent queries, so a rental
 * paid at the counter a second ago already opens the barrier, and a rental reversed by a credit
 * note (its claim RELEASED) no longer does.
 */

import type { Ctx } from '../billing/context.js';
import type { FreeSpan } from '../fees/temp-parking.js';
import { claimOwner, freePlatePrefix, key } from '../store/keys.js';
import { claimRecordSchema, parseRecord } from '../store/records.js';
import { type BizDate, businessDayStart, type Period } from '../time.js';

export type FreeReason = 'OWNED_SPACE' | 'RENTAL';

/** Rental claims of a vehicle: one per rental invoice, keyed by the rental's start date. */
export interface RentalClaim {
  period: Period;
  invoiceNo: string;
  state: 'OPEN' | 'PAID' | 'RELEASED';
}

export async function rentalClaims(
  ctx: Pick<Ctx, 'db'>,
  estateId: string,
  plate: string,
): Promise<RentalClaim[]> {
  const items = await ctx.db.queryAll({
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
    ExpressionAttributeValues: { ':pk': claimOwner.vehicle(estateId, plate), ':sk': 'CLAIM#PARKING_RENTAL#' },
    ConsistentRead: true,
  });
  return items.map((i) => {
    const { period, invoiceNo, state } = parseRecord(claimRecordSchema, i, 'rental claim');
    return { period, invoiceNo, state };
  });
}

async function hasRegisteredSpace(ctx: Pick<Ctx, 'db'>, estateId: string, plate: string): Promise<boolean> {
  const page = await ctx.db.query({
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
    ExpressionAttributeValues: { ':pk': key.estate(estateId).PK, ':sk': freePlatePrefix(plate) },
    ConsistentRead: true,
    Limit: 1,
  });
  return page.items.length > 0;
}

/** What makes a plate park free: a registered space (any time) and its paid rentals (their months). */
export interface FreeParking {
  ownedSpace: boolean;
  /** Paid rentals as instants: from 00:00 (Asia/Shanghai) of the start date to 00:00 of the end date. */
  rentalSpans: FreeSpan[];
}

export async function freeParking(
  ctx: Pick<Ctx, 'db'>,
  estateId: string,
  plate: string,
): Promise<FreeParking & { paidRentals: Period[] }> {
  const [ownedSpace, rentals] = await Promise.all([
    hasRegisteredSpace(ctx, estateId, plate),
    rentalClaims(ctx, estateId, plate),
  ]);
  const paidRentals = rentals.filter((r) => r.state === 'PAID').map((r) => r.period);
  const rentalSpans = paidRentals.map((p) => ({
    fromMs: businessDayStart(p.start),
    toMs: businessDayStart(p.end),
  }));
  return { ownedSpace, rentalSpans, paidRentals };
}

/** Why `plate` parks free in `estateId` on business date `on`, or undefined when it pays. */
export async function parksFree(
  ctx: Pick<Ctx, 'db'>,
  estateId: string,
  plate: string,
  on: BizDate,
): Promise<FreeReason | undefined> {
  const free = await freeParking(ctx, estateId, plate);
  if (free.ownedSpace) return 'OWNED_SPACE';
  return free.paidRentals.some((p) => p.start <= on && on < p.end) ? 'RENTAL' : undefined;
}
