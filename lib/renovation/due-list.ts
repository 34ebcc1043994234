/**
 * The counter's list of renovation cases with something due (GET /v1/estates/{estateId}/renovations),
 * read from the case's sparse due-index entry (GSI2).
 */
import type { Ctx } from '../billing/context.js';
import { getInvoice } from '../billing/invoices.js';
import { cursor } from '../store/db.js';
import { gsi2 } from '../store/keys.js';
import { parseRecord } from '../store/records.js';
import { renovationCaseRecordSchema } from '../store/renovation-records.js';
import type { BizDate } from '../time.js';
import { caseFromItem, type DueKind, type RenovationView, viewOf } from './cases.js';
import { dueStatus, periodLastDay } from './rules.js';

export interface DueRenovation {
  renovation: RenovationView;
  due: { kind: DueKind; date: BizDate; overdue: boolean };
}

/**
 * Cases with something due on or before `asOf`, oldest due first: the completion acceptance by the
 * period's last day (so a case past its period is listed as overdue), a re-inspection, a refund.
 * `asOf` is the caller's business date (the route's clock), never read here. Cancelled cases
 * (registration invoice voided or credited) have nothing due and are left out.
 */
export async function listDueRenovations(
  ctx: Pick<Ctx, 'db'>,
  estateId: string,
  opts: { asOf: BizDate; due?: DueKind; limit: number; cursor?: string },
): Promise<{ items: DueRenovation[]; nextCursor?: string }> {
  const pk = gsi2.renovationDue(estateId);
  const page = await ctx.db.query({
    IndexName: 'GSI2',
    KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK <= :upTo',
    ExpressionAttributeValues: {
      ':pk': pk,
      ':upTo': `${opts.asOf}#~`,
      ...(opts.due ? { ':kind': opts.due } : {}),
    },
    ...(opts.due ? { FilterExpression: 'dueKind = :kind' } : {}),
    Limit: opts.limit,
    ...(opts.cursor ? { ExclusiveStartKey: cursor.decode(opts.cursor, { GSI2PK: pk }) } : {}),
  });
  const items: DueRenovation[] = [];
  // Bounded fan-out: a page holds up to 1000 cases, each read with its invoice.
  for (let i = 0; i < page.items.length; i += 25) {
    const chunk = await Promise.all(
      page.items.slice(i, i + 25).map(async (item) => {
        const c = caseFromItem(item);
        const view = viewOf(c, await getInvoice(ctx, c.invoiceNo));
        const kind: DueKind =
          parseRecord(renovationCaseRecordSchema, item, 'renovation case').dueKind ?? 'REINSPECTION';
        const date =
          kind === 'ACCEPTANCE'
            ? periodLastDay(c.period)
            : (kind === 'REFUND' ? c.refundDue : c.reinspectionDue)!;
        return { renovation: view, due: { kind, ...dueStatus(date, opts.asOf) } };
      }),
    );
    items.push(...chunk.filter((d) => d.renovation.state !== 'CANCELLED'));
  }
  const next = cursor.encode(page.lastKey);
  return { items, ...(next ? { nextCursor: next } : {}) };
}
