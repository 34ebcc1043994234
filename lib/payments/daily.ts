/**
 * The daily job's share of payments (SPEC.md §9): pending orders past their expiry are closed at
 * the provider, then CLOSED here (refreshOrder), so nobody pays an order we no longer honour and
 * the one-pending-order guard is freed. Orders nobody polled again would otherwise stay PENDING.
 */
import type { Db } from '../store/db.js';
import { EstateIndexKey } from '../store/estate-index.js';
import { paymentGsi2 } from './store.js';

const PENDING = new EstateIndexKey(paymentGsi2.pendingOrders);

/** The estate of a pending-orders index partition key, or undefined for other GSI2 entries. */
export function estateOfPendingOrdersKey(gsi2pk: unknown): string | undefined {
  return PENDING.estateOf(gsi2pk);
}

/**
 * Every estate with a pending payment order, sorted: a pending order leaves the index when it is
 * paid or closed.
 */
export function estatesWithPendingOrders(db: Db): Promise<string[]> {
  return PENDING.estates(db);
}
