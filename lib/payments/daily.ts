/**
 * The daily job's share of payments (SPEC.md §9): pending orders past their expiry are closed at
 * the provider, then CLOSED here (refreshOrder), so nobody pays an order we no longer honour and
 * the one-pending-order guard is freed. Orders nobody polled again would otherwise stay PENDING.
 */
import type { Db } from '../store/db.js';
import { TABLE_KEYS } from '../store/table.js';
import { paymentGsi2 } from './store.js';

const MARK = '\u0000';
const [PREFIX, SUFFIX] = paymentGsi2.pendingOrders(MARK).split(MARK) as [string, string];

/** The estate of a pending-orders index partition key, or undefined for other GSI2 entries. */
export function estateOfPendingOrdersKey(gsi2pk: unknown): string | undefined {
  if (typeof gsi2pk !== 'string' || !gsi2pk.startsWith(PREFIX) || !gsi2pk.endsWith(SUFFIX)) return undefined;
  const estateId = gsi2pk.slice(PREFIX.length, gsi2pk.length - SUFFIX.length);
  return estateId === '' ? undefined : estateId;
}

/**
 * Every estate with a pending payment order, sorted. A Scan of the sparse GSI2 like the renewal
 * run's (billing/estates-list.ts): a pending order leaves the index when it is paid or closed.
 */
export async function estatesWithPendingOrders(db: Db): Promise<string[]> {
  const { partitionKey } = TABLE_KEYS.gsi2;
  const estates = new Set<string>();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.scan({
      IndexName: TABLE_KEYS.gsi2.name,
      ProjectionExpression: '#pk',
      FilterExpression: 'begins_with(#pk, :prefix)',
      ExpressionAttributeNames: { '#pk': partitionKey },
      ExpressionAttributeValues: { ':prefix': PREFIX },
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    for (const item of page.items) {
      const estateId = estateOfPendingOrdersKey(item[partitionKey]);
      if (estateId) estates.add(estateId);
    }
    start = page.lastKey;
  } while (start);
  return [...estates].sort();
}
