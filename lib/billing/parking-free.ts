/**
 * Which vehicles park free (SPEC.md §4.2): a plate registered on an owned or use-right space of the
 * estate, or a plate with a PAID rental whose period covers the day. Both are read from the base
 * table with strongly consistent queries, so a rental paid at the counter a second ago already
 * opens the barrier, and a rental reversed by a credit note (its claim RELEASED) no longer does.
 */
import { claimOwner, freePlatePrefix, key } from '../store/keys.js';
import { claimRecordSchema, parseRecord } from '../store/records.js';
import type { BizDate, Period } from '../time.js';
import type { Ctx } from './context.js';

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

/** Why `plate` parks free in `estateId` on business date `on`, or undefined when it pays. */
export async function parksFree(
  ctx: Pick<Ctx, 'db'>,
  estateId: string,
  plate: string,
  on: BizDate,
): Promise<FreeReason | undefined> {
  const [space, rentals] = await Promise.all([
    hasRegisteredSpace(ctx, estateId, plate),
    rentalClaims(ctx, estateId, plate),
  ]);
  if (space) return 'OWNED_SPACE';
  const covered = rentals.some((r) => r.state === 'PAID' && r.period.start <= on && on < r.period.end);
  return covered ? 'RENTAL' : undefined;
}
