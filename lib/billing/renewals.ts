/**
 * Renewals (SPEC.md §4.1): one month before a paid period ends, the next period's invoice is
 * issued, due on the period's end date. Units waiting for a renewal sit in a sparse index keyed by
 * the date their renewal may be issued, so a run reads only the units that are due — never the
 * whole estate. Issuing is idempotent through the period claims: a second or concurrent run finds
 * the period billed and skips it. A run names the exact period (the one starting at the paid-through
 * date), never "the next unbilled one", so a run that read a stale index cannot bill a year ahead.
 */
import { ConflictError } from '../errors.js';
import { claimOwner, gsi2 } from '../store/keys.js';
import type { BizDate } from '../time.js';
import type { Ctx } from './context.js';
import { getEstate } from './estates.js';
import { issueInvoice, liveClaims } from './invoices.js';
import { listSpaces } from './units.js';

export interface RenewalRun {
  issued: string[];
  /** Units whose renewal period was already billed. */
  skipped: number;
  /** Units whose renewal could not be issued, with why; the others were still renewed. */
  failed: { unitId: string; error: string }[];
}

export async function runRenewals(ctx: Ctx, estateId: string, asOf: BizDate): Promise<RenewalRun> {
  await getEstate(ctx, estateId);
  const due = await ctx.db.queryAll({
    IndexName: 'GSI2',
    KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK <= :upTo',
    ExpressionAttributeValues: { ':pk': gsi2.renewalDue(estateId), ':upTo': `${asOf}#~` },
  });
  const run: RenewalRun = { issued: [], skipped: 0, failed: [] };
  for (const unit of due) {
    const unitId = unit['unitId'] as string;
    const paidThrough = unit['paidThrough'] as string | undefined;
    if (!paidThrough) {
      run.skipped++;
      continue;
    }
    try {
      const owner = claimOwner.unit(unitId);
      if ((await liveClaims(ctx.db, owner, 'PROPERTY_FEE')).has(paidThrough)) {
        run.skipped++;
        continue;
      }
      // Owned and use-right spaces are prepaid with the property fee for the same period, unless a
      // cashier already billed the spaces for it; that must not hold the property fee back.
      const hasSpaces = (await listSpaces(ctx, unitId)).length > 0;
      const spacesBilled = (await liveClaims(ctx.db, owner, 'PARKING_SPACE_FEE')).has(paidThrough);
      const inv = await issueInvoice(ctx, {
        unitId,
        items: [
          { type: 'PROPERTY_FEE', periodStart: paidThrough },
          ...(hasSpaces && !spacesBilled ? [{ type: 'PARKING_SPACE_FEE' as const }] : []),
        ],
      });
      run.issued.push(inv.invoiceNo);
    } catch (e) {
      // A concurrent run billed it first.
      if (e instanceof ConflictError && e.code === 'PERIOD_ALREADY_BILLED') run.skipped++;
      // One unit's problem must not stop the rest of the estate's renewals.
      else run.failed.push({ unitId, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    }
  }
  return run;
}
