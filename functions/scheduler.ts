/**
 * Lambda for the daily renewal run (SPEC.md §4.1), invoked by EventBridge Scheduler at 02:00
 * Asia/Shanghai. It renews every estate that has a unit waiting for renewal, as of the business date
 * of the run. One estate failing does not stop the others; the run then fails as a whole, so the
 * function's error alarm fires and Lambda retries it — safely, since a period is billed at most once
 * and a retry skips what the first attempt issued. After the renewals, every estate's expired
 * payment orders are closed at the provider, then CLOSED here (SPEC.md §9; retries are safe: a
 * closed order is no longer pending).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Deps } from '../lib/api/route.js';
import { lambdaDeps } from '../lib/api/runtime.js';
import { SYSTEM_SCHEDULER } from '../lib/billing/context.js';
import { estatesAwaitingRenewal } from '../lib/billing/estates-list.js';
import { runRenewals } from '../lib/billing/renewals.js';
import { estatesWithPendingOrders } from '../lib/payments/daily.js';
import { closeExpiredOrders } from '../lib/payments/orders.js';
import { closeMonths } from '../lib/reports/month.js';
import { type BizDate, businessDate } from '../lib/time.js';

export interface EstateRenewal {
  estateId: string;
  issued: number;
  skipped: number;
}

export interface RenewalRunSummary {
  asOf: BizDate;
  renewed: EstateRenewal[];
  /** Expired payment orders closed, per estate that had a pending order. */
  closedOrders: { estateId: string; closed: number }[];
  failed: { estateId: string; error: string }[];
}

export class RenewalRunFailed extends Error {
  constructor(readonly summary: RenewalRunSummary) {
    super(`renewals failed for ${summary.failed.map((f) => f.estateId).join(', ')}`);
    this.name = 'RenewalRunFailed';
  }
}

type Log = Pick<Logger, 'info' | 'error'>;

export async function renewEveryEstate(deps: Deps, log: Log): Promise<RenewalRunSummary> {
  const asOf = businessDate(deps.now());
  const summary: RenewalRunSummary = { asOf, renewed: [], closedOrders: [], failed: [] };
  for (const estateId of await estatesAwaitingRenewal(deps.db)) {
    const ctx = { db: deps.db, now: deps.now, actor: SYSTEM_SCHEDULER(estateId) };
    try {
      const run = await runRenewals(ctx, estateId, asOf);
      summary.renewed.push({ estateId, issued: run.issued.length, skipped: run.skipped });
      log.info('estate renewed', { estateId, asOf, issued: run.issued, skipped: run.skipped });
      // Units that could not be renewed fail the run (so the alarm fires) after the rest were renewed.
      for (const f of run.failed) summary.failed.push({ estateId, error: `${f.unitId}: ${f.error}` });
    } catch (e) {
      const err = e as Error;
      summary.failed.push({ estateId, error: `${err.name}: ${err.message}` });
      log.error('estate renewal failed', {
        estateId,
        asOf,
        error: { name: err.name, message: err.message, stack: err.stack },
      });
    }
  }
  await closeEveryEstatesExpiredOrders(deps, log, summary);
  return summary;
}

/** Per estate, after the renewals; one estate's provider being down does not stop the others. */
async function closeEveryEstatesExpiredOrders(
  deps: Deps,
  log: Log,
  summary: RenewalRunSummary,
): Promise<void> {
  for (const estateId of await estatesWithPendingOrders(deps.db)) {
    try {
      const closed = await closeExpiredOrders({ db: deps.db, now: deps.now }, estateId);
      summary.closedOrders.push({ estateId, closed });
      if (closed > 0) log.info('expired payment orders closed', { estateId, closed });
    } catch (e) {
      const err = e as Error;
      summary.failed.push({ estateId, error: `closing expired payment orders: ${err.name}: ${err.message}` });
      log.error('closing expired payment orders failed', {
        estateId,
        error: { name: err.name, message: err.message, stack: err.stack },
      });
    }
  }
}

/**
 * Month closes (docs/accounting.md §2a) of every ended month the estates lack: after the first run
 * of a month, the month before; idempotent, so a retried run writes nothing twice. A failure is
 * logged and named; the reports fall back to the history meanwhile.
 */
export async function closeEndedMonths(
  deps: Deps,
  estates: readonly string[],
  log: Log,
): Promise<{ estateId: string; error: string }[]> {
  const failed: { estateId: string; error: string }[] = [];
  for (const estateId of estates) {
    try {
      const closed = await closeMonths({ db: deps.db, now: deps.now }, estateId);
      if (closed.length > 0) log.info('months closed', { estateId, closed });
    } catch (e) {
      const err = e as Error;
      failed.push({ estateId, error: `${err.name}: ${err.message}` });
      log.error('month close failed', { estateId, error: { name: err.name, message: err.message } });
    }
  }
  return failed;
}

export const logger = new Logger();

export const handler = async (): Promise<RenewalRunSummary> => {
  const deps = await lambdaDeps();
  const summary = await renewEveryEstate(deps, logger);
  const closeFailures = await closeEndedMonths(deps, await estatesAwaitingRenewal(deps.db), logger);
  logger.info('renewal run finished', {
    asOf: summary.asOf,
    estates: summary.renewed.length,
    issued: summary.renewed.reduce((n, r) => n + r.issued, 0),
    closedOrders: summary.closedOrders.reduce((n, c) => n + c.closed, 0),
    failed: summary.failed.length,
  });
  if (summary.failed.length > 0) throw new RenewalRunFailed(summary);
  if (closeFailures.length > 0)
    throw new Error(`month closes failed for ${closeFailures.map((f) => f.estateId).join(', ')}`);
  return summary;
};
