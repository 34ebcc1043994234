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
import { EstateIndexKey } from '../store/estate-index.js';
import { gsi2 } from '../store/keys.js';

const RENEWAL = new EstateIndexKey(gsi2.renewalDue);

/** The estate id of a renewal-index partition key, or undefined for other GSI2 entries. */
export function estateOfRenewalKey(gsi2pk: unknown): string | undefined {
  return RENEWAL.estateOf(gsi2pk);
}

/**
 * Every estate with at least one unit waiting for a renewal, sorted. Failures are not retried here:
 * the scheduled run as a whole is retried, and renewals are idempotent.
 */
export function estatesAwaitingRenewal(db: Db): Promise<string[]> {
  return RENEWAL.estates(db);
}
