/**
 * Finishing a large roster commit after its answer (SPEC.md §8, docs/onboarding.md). A file with
 * more rows than one request writes in its time is stored in the table (import-file.ts), started in
 * the request (RUNNING record, unit numbers reserved), answered 202, and handed to the worker as a
 * job naming the import. The job's transport is the host's: an SQS queue in AWS (the worker
 * function is its event source, functions/import-worker.ts), the next turn of the event loop in
 * `npm start`; both run `finishImport` below, so the tests exercise the cloud's code.
 *
 * `finishImport` is idempotent: a finished import, or one with no record, is a no-op; a RUNNING one
 * is re-planned from its stored file and resumed from its chunk markers (commit.ts), so a repeated
 * delivery or a second worker only skips what is written. Without a dispatcher (a host that
 * registered none) every commit runs inside its request.
 */
import type { Ctx } from '../billing/context.js';
import { ConflictError } from '../errors.js';
import type { Db } from '../store/db.js';
import { commitImport, failImport, getImport, type ImportRecord } from './commit.js';
import { loadImportFile } from './import-file.js';
import { parseRoster } from './parse.js';
import { planImport } from './plan.js';

/**
 * The rows a commit writes inside its request; more go to the worker. 2,000 rows are about 50
 * chunk transactions and 200 opening-arrears invoices: a second or two against DynamoDB, a few
 * against DynamoDB Local, well inside the API function's 10 s and API Gateway's 30 s. Env
 * IMPORT_INLINE_ROWS overrides (the tests lower it).
 */
export const DEFAULT_INLINE_ROWS = 2000;

export function inlineRowLimit(): number {
  const raw = process.env['IMPORT_INLINE_ROWS'];
  const n = raw === undefined ? Number.NaN : Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : DEFAULT_INLINE_ROWS;
}

/** What the worker is handed: the import, never the file (it is read from the table). */
export interface ImportJob {
  estateId: string;
  importId: string;
}

/** Hands a job to the worker; resolves once the job is safely queued (not when it is done). */
export type ImportDispatcher = (job: ImportJob) => Promise<void>;

let dispatcher: ImportDispatcher | undefined;

export function setImportDispatcher(d: ImportDispatcher | undefined): void {
  dispatcher = d;
}

export const importDispatcher = (): ImportDispatcher | undefined => dispatcher;

export interface WorkerDeps {
  db: Db;
  now: () => number;
}

export type WorkerOutcome = 'DONE' | 'FAILED' | 'NOOP';

export function parseJob(body: string): ImportJob {
  const j = JSON.parse(body) as Partial<ImportJob>;
  if (
    typeof j.estateId !== 'string' ||
    typeof j.importId !== 'string' ||
    !/^IMP[0-9A-F]{20}$/.test(j.importId)
  ) {
    throw new Error('an import job names estateId and importId');
  }
  return { estateId: j.estateId, importId: j.importId };
}

/** The worker acts for the administrator who committed the file: their id on every audit record. */
const ctxFor = (deps: WorkerDeps, rec: ImportRecord): Ctx => ({
  db: deps.db,
  now: deps.now,
  actor: { sub: rec.createdBy, role: 'admin', estates: [rec.estateId], units: [] },
});

/**
 * Writes what is left of the import. A refusal that another attempt cannot change (a unit created
 * by someone else since the check: UNIT_EXISTS) ends FAILED by commitImport; a store fault or a
 * crash throws and leaves the import RUNNING for the next delivery.
 */
export async function finishImport(deps: WorkerDeps, job: ImportJob): Promise<WorkerOutcome> {
  const rec = await getImport(deps, job.estateId, job.importId);
  if (rec?.state !== 'RUNNING') return 'NOOP';
  const ctx = ctxFor(deps, rec);
  const bytes = await loadImportFile(deps.db, rec.importId, rec.fileDigest);
  if (!bytes) {
    await failImport(
      ctx,
      rec,
      'the uploaded file is no longer stored; check the roster again and commit it with a new Idempotency-Key',
    );
    return 'FAILED';
  }
  const plan = await planImport(ctx, rec.estateId, await parseRoster(bytes));
  try {
    const done = await commitImport(ctx, rec.estateId, rec.importId, rec.fileDigest, plan);
    return done.state === 'DONE' ? 'DONE' : done.state === 'FAILED' ? 'FAILED' : 'NOOP';
  } catch (e) {
    if (e instanceof ConflictError) return 'FAILED';
    throw e;
  }
}

/** After the worker's last attempt: FAILED with the reason, if the import is still RUNNING. */
export async function giveUpImport(deps: WorkerDeps, job: ImportJob, reason: string): Promise<WorkerOutcome> {
  const rec = await getImport(deps, job.estateId, job.importId);
  if (rec?.state !== 'RUNNING') return 'NOOP';
  const out = await failImport(ctxFor(deps, rec), rec, reason);
  return out.state === 'FAILED' ? 'FAILED' : 'NOOP';
}

/**
 * The in-process transport of `npm start` and the API tests: the job starts on the next turn of the
 * event loop, after the response is written. It has no retries: a failure is logged, the import
 * stays RUNNING, and a retry of the commit with the same Idempotency-Key dispatches it again.
 */
export const inProcessDispatcher =
  (deps: WorkerDeps, onError: (e: unknown) => void): ImportDispatcher =>
  async (job) => {
    setImmediate(() => {
      finishImport(deps, job).catch(onError);
    });
  };
