/**
 * Renewals (SPEC.md §4.1): one month before a paid period ends, the next period's invoice is
 * issued, due on the period's end date. Units waiting for a renewal sit in a sparse index keyed by
 * the date their renewal may be issued, so a run reads only the units that are due — never the
 * whole estate. Issuing is idempotent through the period claims: a second or concurrent run finds
 * the period billed and skips it. A run names the exact period (the one starting at the paid-through
 * date), never "the next unbilled one", so a run that read a stale index cannot bill a year ahead.
 */
import { ConflictError } from '../errors.js';
import { gsi2 } from '../store/keys.js';
import type { BizDate } from '../time.js';
import type { Ctx } from './context.js';
import { getEstate } from './estates.js';
import { issueInvoice } from './invoices.js';
import { listSpaces } from './units.js';

export interface RenewalRun {
  issued: string[];
  skipped: number;
}

export async function runRenewals(ctx: Ctx, estateId: string, asOf: BizDate): Promise<RenewalRun> {
  await getEstate(ctx, estateId);
  const due = await ctx.db.queryAll({
    IndexName: 'GSI2',
    KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK <= :upTo',
    ExpressionAttributeValues: { ':pk': gsi2.renewalDue(estateId), ':upTo': `${asOf}#~` },
  });
  const issued: string[] = [];
  let skipped = 0;
  for (const unit of due) {
    const paidThrough = unit['paidThrough'] as string | undefined;
    if (!paidThrough) {
      skipped++;
      continue;
    }
    const unitId = unit['unitId'] as string;
    // Owned and use-right spaces are prepaid with the property fee, for the same period.
    const hasSpaces = (await listSpaces(ctx, unitId)).length > 0;
    try {
      const inv = await issueInvoice(ctx, {
        unitId,
        items: [
          { type: 'PROPERTY_FEE', periodStart: paidThrough },
          ...(hasSpaces ? [{ type: 'PARKING_SPACE_FEE' as const }] : []),
        ],
      });
      issued.push(inv.invoiceNo);
    } catch (e) {
      if (e instanceof ConflictError && e.code === 'PERIOD_ALREADY_BILLED') skipped++;
      else throw e;
    }
  }
  return { issued, skipped };
}
