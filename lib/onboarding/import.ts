/**
 * A roster import end to end (SPEC.md §8): parse → validate → plan → commit, and the report both
 * the dry run and the commit answer with.
 */
import { createHash } from 'node:crypto';
import type { Ctx } from '../billing/context.js';
import { NotFoundError, UnprocessableError, ValidationError } from '../errors.js';
import { chunksDone, commitImport, getImport, type ImportRecord, startImport } from './commit.js';
import { digestOf } from './digest.js';
import { storeImportFile } from './import-file.js';
import { parseRoster } from './parse.js';
import { type Counts, type Plan, planImport, type RowAction } from './plan.js';
import type { Problem } from './validate.js';
import { importDispatcher, inlineRowLimit } from './worker.js';

export interface ImportReport {
  importId: string;
  dryRun: boolean;
  state: 'RUNNING' | 'DONE' | 'FAILED';
  counts: Counts;
  progress?: { chunksDone: number; chunks: number };
  rows: { row: number; action: RowAction; changes?: string[]; ignored?: string[] }[];
  problems: Problem[];
  error?: string;
}

/** An invalid file's commit: 422 with the report (API.md's error model keeps details a list). */
export class InvalidRosterError extends UnprocessableError {
  constructor(readonly report: ImportReport) {
    super(
      'INVALID_ROSTER',
      `${report.counts.invalid} of ${report.counts.rows} rows are invalid; nothing was written (see details)`,
      [report],
    );
  }
}

const IDEMPOTENCY_KEY_RE = /^[\x21-\x7e]{1,255}$/;

export { digestOf };

/** A commit's id follows from who sent it and its Idempotency-Key: a retry finds the same import. */
export function importIdOf(estateId: string, actor: string, idemKey: string): string {
  return `IMP${createHash('sha256').update(`${estateId}\n${actor}\n${idemKey}`).digest('hex').slice(0, 20).toUpperCase()}`;
}

function planReport(importId: string, dryRun: boolean, plan: Plan): ImportReport {
  return {
    importId,
    dryRun,
    state: 'DONE',
    counts: plan.counts,
    rows: plan.rows.map((r) => ({
      row: r.row,
      action: r.action,
      ...(r.changes ? { changes: r.changes } : {}),
      ...(r.ignored ? { ignored: r.ignored } : {}),
    })),
    problems: plan.problems,
  };
}

const LETTER_ACTION: Record<string, RowAction> = { c: 'create', u: 'update', n: 'unchanged' };

export function recordReport(rec: ImportRecord, done?: number): ImportReport {
  const rows: ImportReport['rows'] = [];
  for (let i = 0; i < rec.actions.length; i++) {
    const action = LETTER_ACTION[rec.actions[i]!];
    if (action) rows.push({ row: i + 2, action });
  }
  return {
    importId: rec.importId,
    dryRun: false,
    state: rec.state,
    counts: {
      rows: rec.rows,
      created: rec.created,
      updated: rec.updated,
      unchanged: rec.unchanged,
      invalid: 0,
    },
    progress: { chunksDone: rec.state === 'DONE' ? rec.chunks : (done ?? 0), chunks: rec.chunks },
    rows,
    problems: [],
    ...(rec.error ? { error: rec.error } : {}),
  };
}

/**
 * `POST /v1/estates/{estateId}/imports`. A dry run writes nothing and needs no key; a commit needs
 * an Idempotency-Key and writes nothing when any row is invalid.
 */
export async function runImport(
  ctx: Ctx,
  estateId: string,
  bytes: Uint8Array,
  opts: { dryRun: boolean; idempotencyKey?: string },
): Promise<ImportReport> {
  const digest = digestOf(bytes);
  if (!opts.dryRun) {
    if (opts.idempotencyKey === undefined || !IDEMPOTENCY_KEY_RE.test(opts.idempotencyKey)) {
      throw ValidationError.of(
        'Idempotency-Key',
        'IDEMPOTENCY_KEY_REQUIRED',
        'a commit needs an Idempotency-Key header (1-255 printable ASCII characters); a dry run does not',
      );
    }
    const importId = importIdOf(estateId, ctx.actor.sub, opts.idempotencyKey);
    const done = await getImport(ctx, estateId, importId);
    if (done && done.fileDigest !== digest) {
      throw new UnprocessableError(
        'IDEMPOTENCY_KEY_REUSED',
        'this Idempotency-Key was used for another file; send a new key for a new file',
      );
    }
    // A finished import replays its answer without reading the file again.
    if (done && done.state !== 'RUNNING') return recordReport(done);
    const plan = await planImport(ctx, estateId, await parseRoster(bytes));
    if (!done && plan.counts.invalid > 0) throw new InvalidRosterError(planReport(importId, false, plan));
    const warnings = plan.problems.filter((p) => p.severity === 'warning');
    const dispatch = importDispatcher();
    if (dispatch && plan.counts.rows > inlineRowLimit()) {
      // Too many rows for one request: keep the file, reserve and record now, answer 202 and let
      // the worker write the chunks from the stored file. A retry with the same key while RUNNING
      // lands here again and dispatches another job: chunk markers and the conditional finish make
      // two workers on one import harmless (and the retry nudges an import whose job was lost).
      await storeImportFile(ctx.db, importId, bytes, ctx.now());
      const rec = await startImport(ctx, estateId, importId, digest, plan);
      if (rec.fileDigest !== digest) {
        throw new UnprocessableError(
          'IDEMPOTENCY_KEY_REUSED',
          'this Idempotency-Key was used for another file; send a new key for a new file',
        );
      }
      if (rec.state !== 'RUNNING') return recordReport(rec);
      await dispatch({ estateId, importId });
      return { ...recordReport(rec, await chunksDone(ctx, importId)), problems: warnings };
    }
    const rec = await commitImport(ctx, estateId, importId, digest, plan);
    return { ...recordReport(rec), problems: warnings };
  }
  const plan = await planImport(ctx, estateId, await parseRoster(bytes));
  return planReport(`DRY-${digest.slice(0, 16).toUpperCase()}`, true, plan);
}

/** `GET …/imports/{importId}`: state, counts and progress of a commit. */
export async function importStatus(ctx: Pick<Ctx, 'db'>, estateId: string, importId: string) {
  const rec = await getImport(ctx, estateId, importId);
  if (!rec) throw new NotFoundError('IMPORT_NOT_FOUND', `import ${importId} does not exist`);
  return recordReport(rec, rec.state === 'RUNNING' ? await chunksDone(ctx, importId) : undefined);
}
