/**
 * Renewals (SPEC.md §4.1): one month before a paid period ends, the next period's invoice is
 * issued, due on the period's first day (the paid period's end; billing/due-date.ts). Units waiting for a renewal sit in a sparse index keyed by
 * the date their renewal may be issued, so a run reads only the units that are due — never the
 * whole estate. Issuing is idempotent through the period claims: a second or concurrent run finds
 * the period billed and skips it. A run names the exact period (the one starting at the paid-through
 * date), never "the next unbilled one", so a run that read a stale index cannot bill a year ahead.
 */
import { ConflictError } from '../errors.js';
import { spaceBillFrom } from '../fees/periods.js';
import { claimOwner, gsi2 } from '../store/keys.js';
import type { BizDate } from '../time.js';
import type { Ctx } from './context.js';
import { getEstate, listTariffs } from './estates.js';
import { issueInvoice, liveClaimsByFee } from './invoices.js';
import { unitFromItem } from './records.js';
import { writeRenewalLog } from './renewal-log.js';
import { listSpaces } from './units.js';

export interface RenewalRun {
  issued: string[];
  /** Units whose renewal period was already billed. */
  skipped: number;
  /** Units whose renewal could not be issued, with why; the others were still renewed. */
  failed: { unitId: string; error: string }[];
}

/**
 * Store calls per unit renewed: its claims and spaces (together), the invoice counter, the
 * transaction. The estate, its tariffs and the due list are read once per run, and the due list
 * (the index projects whole items) already holds each unit.
 */
export async function runRenewals(ctx: Ctx, estateId: string, asOf: BizDate): Promise<RenewalRun> {
  const [, tariffs, due] = await Promise.all([
    getEstate(ctx, estateId),
    listTariffs(ctx, estateId),
    ctx.db.queryAll({
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK <= :upTo',
      ExpressionAttributeValues: { ':pk': gsi2.renewalDue(estateId), ':upTo': `${asOf}#~` },
    }),
  ]);
  const run: RenewalRun = { issued: [], skipped: 0, failed: [] };
  for (const item of due) {
    const unitId = String(item['unitId']);
    try {
      const unit = unitFromItem(item);
      const paidThrough = unit.paidThrough;
      if (!paidThrough) {
        run.skipped++;
        continue;
      }
      const owner = claimOwner.unit(unitId);
      const [claims, spaces] = await Promise.all([liveClaimsByFee(ctx.db, owner), listSpaces(ctx, unitId)]);
      if (claims.get('PROPERTY_FEE')?.has(paidThrough)) {
        run.skipped++;
        continue;
      }
      // Owned and use-right spaces are prepaid with the property fee for the same period, unless a
      // cashier already billed the spaces for it, or none is billed yet in that period (its start is
      // later): neither may hold the property fee back.
      const spacesBilled = claims.get('PARKING_SPACE_FEE')?.has(paidThrough) ?? false;
      const spacesDue = spaces.filter((s) => spaceBillFrom(s, unit) <= paidThrough).length;
      const inv = await issueInvoice(
        ctx,
        {
          unitId,
          items: [
            { type: 'PROPERTY_FEE', periodStart: paidThrough },
            ...(spacesDue > 0 && !spacesBilled ? [{ type: 'PARKING_SPACE_FEE' as const }] : []),
          ],
        },
        undefined,
        { unit, tariffs, spaces },
      );
      run.issued.push(inv.invoiceNo);
    } catch (e) {
      // A concurrent run billed it first.
      if (e instanceof ConflictError && e.code === 'PERIOD_ALREADY_BILLED') run.skipped++;
      // One unit's problem must not stop the rest of the estate's renewals.
      else run.failed.push({ unitId, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    }
  }
  // A line per estate and run that an admin reads (GET /v1/estates/{estateId}/renewals?date=).
  await writeRenewalLog(ctx, estateId, asOf, run);
  return run;
}
