/**
 * Finishing a large roster commit after its answer (SPEC.md §8, docs/onboarding.md): a file with
 * more rows than one request can write in its time is started in the request (RUNNING record, unit
 * numbers reserved), answered 202, and its chunks are written by the worker the host registered.
 * Without a worker (a host that registered none) every commit runs inside its request, as before.
 */

/** The rows a commit writes inside its request; more go to the worker. Env IMPORT_INLINE_ROWS overrides. */
export const DEFAULT_INLINE_ROWS = 2000;

export function inlineRowLimit(): number {
  const raw = process.env['IMPORT_INLINE_ROWS'];
  const n = raw === undefined ? Number.NaN : Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : DEFAULT_INLINE_ROWS;
}

/** Runs `job` after the answer has gone; a job that fails leaves the record RUNNING for a retry. */
export type ImportWorker = (job: () => Promise<unknown>) => void;

let worker: ImportWorker | undefined;

export function setImportWorker(w: ImportWorker | undefined): void {
  worker = w;
}

export const importWorker = (): ImportWorker | undefined => worker;

/**
 * The in-process worker of `npm start` and the API tests: the job starts on the next turn of the
 * event loop, after the response is written. A failure is logged; the import stays RUNNING and a
 * retry of the commit with the same Idempotency-Key resumes it.
 */
export const inProcessWorker =
  (onError: (e: unknown) => void): ImportWorker =>
  (job) => {
    setImmediate(() => {
      job().catch(onError);
    });
  };
