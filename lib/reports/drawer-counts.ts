/**
 * 交班: the cashier counts the drawer and the difference to the cash expected is recorded, with an
 * audit record in the same transaction. A count is never edited: a recount is a new record, and
 * the cash-up shows every count of the day, the latest last.
 */
import { auditItem, type Ctx } from '../billing/context.js';
import type { IdempotentCall } from '../billing/invoices.js';
import { ValidationError } from '../errors.js';
import type { Db } from '../store/db.js';
import { drawerCountItem, drawerCountQuery } from '../store/items.js';
import { compact, drawerCountRecordSchema, parseRecord } from '../store/records.js';
import { type BizDate, businessDate, compareDates, formatInstant } from '../time.js';
import { cashup, type DrawerCount } from './cashup.js';

export async function recordDrawerCount(
  ctx: Ctx,
  input: { estateId: string; date: BizDate; counted: bigint; note?: string },
  idem?: IdempotentCall,
): Promise<DrawerCount> {
  const at = ctx.now();
  if (compareDates(input.date, businessDate(at)) > 0) {
    throw ValidationError.of(
      'date',
      'DATE_IN_FUTURE',
      `${input.date} has not begun; count the drawer on the day`,
    );
  }
  const cashier = ctx.actor.sub;
  const { cashExpected } = await cashup(ctx.db, { estateId: input.estateId, date: input.date, cashier });
  const count: DrawerCount = {
    estateId: input.estateId,
    date: input.date,
    cashier,
    counted: input.counted,
    cashExpected,
    difference: input.counted - cashExpected,
    ...(input.note ? { note: input.note } : {}),
    at: formatInstant(at),
  };
  const items = [
    drawerCountItem(count),
    auditItem(ctx, at, {
      estateId: input.estateId,
      action: 'DRAWER_COUNTED',
      document: `${input.estateId}/${input.date}/${cashier}`,
      details: { counted: count.counted.toString(), cashExpected: cashExpected.toString() },
      ...(input.note ? { reason: input.note } : {}),
    }),
  ];
  if (idem) {
    await idem.handle.ready;
    items.push(idem.handle.completeItem(idem.present(count)));
  }
  await ctx.db.transact(items);
  return count;
}

/** The day's counts of one cashier (or everyone), oldest first. */
export async function drawerCounts(
  db: Db,
  q: { estateId: string; date: BizDate; cashier?: string },
): Promise<DrawerCount[]> {
  const out: DrawerCount[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.query({
      ...drawerCountQuery(q.estateId, q.date, q.cashier),
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    for (const i of page.items) out.push(compact(parseRecord(drawerCountRecordSchema, i, 'drawer count')));
    start = page.lastKey;
  } while (start);
  return out.sort((a, b) => a.at.localeCompare(b.at));
}
