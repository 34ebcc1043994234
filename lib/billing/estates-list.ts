/**
 * The estates the daily renewal run must visit.
 *
 * Estates live under their own partitions (`ESTATE#{e}` / `META`), so no key lists them all. Rather
 * than Scan the table — whose invoices, ledger entries and audit records grow for ever, since
 * nothing financial is deleted — the run scans the sparse renewal index (GSI2): it holds one entry
 * per unit whose next renewal is pending (and the open parking sessions), so its size follows the
 * number of paying units, not the history. An estate with no entry there has nothing to renew, so
 * skipping it is the right answer, not an approximation. This is the only Scan in the code base;
 * the scheduler function is the only one granted it, and only on this index.
 */
import type { Db } from '../store/db.js';
import { gsi2 } from '../store/keys.js';
import { TABLE_KEYS } from '../store/table.js';

const MARK = '\u0000';
const [RENEWAL_PREFIX, RENEWAL_SUFFIX] = gsi2.renewalDue(MARK).split(MARK) as [string, string];

/** The estate id of a renewal-index partition key, or undefined for other GSI2 entries. */
export function estateOfRenewalKey(gsi2pk: unknown): string | undefined {
  if (typeof gsi2pk !== 'string' || !gsi2pk.startsWith(RENEWAL_PREFIX) || !gsi2pk.endsWith(RENEWAL_SUFFIX)) {
    return undefined;
  }
  const estateId = gsi2pk.slice(RENEWAL_PREFIX.length, gsi2pk.length - RENEWAL_SUFFIX.length);
  return estateId === '' ? undefined : estateId;
}

/**
 * Every estate with at least one unit waiting for a renewal, sorted. Failures are not retried here:
 * the scheduled run as a whole is retried, and renewals are idempotent.
 */
export async function estatesAwaitingRenewal(db: Db): Promise<string[]> {
  const { partitionKey } = TABLE_KEYS.gsi2;
  const estates = new Set<string>();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.scan({
      IndexName: TABLE_KEYS.gsi2.name,
      ProjectionExpression: '#pk',
      FilterExpression: 'begins_with(#pk, :prefix)',
      ExpressionAttributeNames: { '#pk': partitionKey },
      ExpressionAttributeValues: { ':prefix': RENEWAL_PREFIX },
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    for (const item of page.items) {
      const estateId = estateOfRenewalKey(item[partitionKey]);
      if (estateId) estates.add(estateId);
    }
    start = page.lastKey;
  } while (start);
  return [...estates].sort();
}
