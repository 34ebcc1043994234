/**
 * The renewal run's log (issue 20): every run of `runRenewals` — the daily job's, or a cashier's on
 * demand — leaves one line per estate saying what it issued, skipped and could not issue, so an
 * admin can read what happened on a day without the function's logs (GET
 * /v1/estates/{estateId}/renewals?date=). A log line, not a financial record: it is written after
 * the run's invoices, and a run retried after a lost line writes another one.
 */
import { randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import { key } from '../store/keys.js';
import { parseRecord } from '../store/records.js';
import { type BizDate, formatInstant } from '../time.js';
import type { Ctx } from './context.js';
import type { RenewalRun } from './renewals.js';

/** At most this many invoice numbers and failures are kept on a line; the counts are always exact. */
const LISTED = 200;

const prefix = (asOf: BizDate) => `RENEWALRUN#${asOf}#`;

const lineSchema = z.object({
  estateId: z.string(),
  asOf: z.string(),
  at: z.string(),
  actor: z.string(),
  issuedCount: z.pipe(
    z.union([z.bigint(), z.number()]),
    z.transform((v) => Number(v)),
  ),
  issued: z.array(z.string()),
  skipped: z.pipe(
    z.union([z.bigint(), z.number()]),
    z.transform((v) => Number(v)),
  ),
  failedCount: z.pipe(
    z.union([z.bigint(), z.number()]),
    z.transform((v) => Number(v)),
  ),
  failed: z.array(z.object({ unitId: z.string(), error: z.string() })),
});
export type RenewalLogLine = z.output<typeof lineSchema>;

export async function writeRenewalLog(
  ctx: Ctx,
  estateId: string,
  asOf: BizDate,
  run: RenewalRun,
): Promise<void> {
  const at = ctx.now();
  const line: RenewalLogLine = {
    estateId,
    asOf,
    at: formatInstant(at),
    actor: ctx.actor.sub,
    issuedCount: run.issued.length,
    issued: run.issued.slice(0, LISTED),
    skipped: run.skipped,
    failedCount: run.failed.length,
    failed: run.failed.slice(0, LISTED),
  };
  const { PK } = key.estate(estateId);
  const SK = `${prefix(asOf)}${String(at).padStart(13, '0')}#${randomBytes(3).toString('hex')}`;
  await ctx.db.put(
    { PK, SK, type: 'RENEWAL_RUN', ...line },
    { ConditionExpression: 'attribute_not_exists(PK)' },
  );
}

/** The lines of the runs as of `date`, in the order they ran. */
export async function readRenewalLog(
  ctx: Pick<Ctx, 'db'>,
  estateId: string,
  date: BizDate,
): Promise<RenewalLogLine[]> {
  const items = await ctx.db.queryAll({
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)',
    ExpressionAttributeValues: { ':pk': key.estate(estateId).PK, ':p': prefix(date) },
  });
  return items.map((i) => parseRecord(lineSchema, i, 'renewal run line'));
}
