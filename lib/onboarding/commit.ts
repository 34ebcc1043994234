/**
 * Committing a valid roster (SPEC.md §8) so that it completes even when a request is cut off:
 *
 * 1. One transaction reserves a block of unit numbers for the rows to create and writes the import
 *    record (RUNNING, one action letter per row). A retry with the same Idempotency-Key finds the
 *    record and resumes; the same key with another file is refused.
 * 2. Rows are written in chunks, each one transaction holding a chunk marker put only if absent:
 *    a chunk that already committed fails on its marker and is skipped. Chunks are cut from the
 *    file alone, so a retry cuts them the same way; every unit put is conditional on its building,
 *    entrance and room.
 * 3. Each created unit's 期初欠费 becomes one open OPENING_ARREARS invoice under the estate's
 *    invoice series, with a per-unit marker in its transaction: never issued twice. They are issued
 *    beside the chunk writers, as soon as the chunks before them have committed, in file order.
 * 4. The record moves to DONE.
 */
import { auditItem, type Ctx } from '../billing/context.js';
import { ConflictError, UnprocessableError } from '../errors.js';
import { TransactionCancelled, type TxItem } from '../store/db.js';
import { putNew } from '../store/items.js';
import { documentNumber, key, SERIES } from '../store/keys.js';
import { parseRecord, rosterImportRecordSchema } from '../store/records.js';
import { formatInstant } from '../time.js';
import { issueOpeningArrears, PER_BATCH } from './arrears.js';
import type { Plan, PlannedRow } from './plan.js';
import { createUnitItems, rowWeight, updateUnitItems } from './unit-items.js';

export type ImportRecord = ReturnType<typeof parseImport>;
const parseImport = (item: unknown) => parseRecord(rosterImportRecordSchema, item, 'roster import');

/** Items per chunk transaction besides its marker and audit record (DynamoDB allows 100). */
export const CHUNK_ITEMS = 96;
/** Chunks in flight at once (their items never overlap, so their transactions never conflict). */
export const CHUNK_CONCURRENCY = 8;

const ACTION_LETTER = { create: 'c', update: 'u', unchanged: 'n', invalid: '-' } as const;

export async function getImport(ctx: Pick<Ctx, 'db'>, estateId: string, importId: string) {
  const item = await ctx.db.get(key.rosterImport(estateId, importId));
  return item ? parseImport(item) : undefined;
}

/** Chunks committed so far (the progress of a running import). */
export async function chunksDone(ctx: Pick<Ctx, 'db'>, importId: string): Promise<number> {
  const items = await ctx.db.queryAll({
    KeyConditionExpression: 'PK = :pk',
    ExpressionAttributeValues: { ':pk': key.importChunk(importId, 0).PK },
    ProjectionExpression: 'SK',
  });
  return items.length;
}

/** The letters of the record: one per spreadsheet row from row 2 (blank rows are `-`). */
function actionsOf(plan: Plan): string {
  const last = plan.rows.reduce((m, r) => Math.max(m, r.row), 1);
  const letters = new Array<string>(last - 1).fill('-');
  for (const r of plan.rows) letters[r.row - 2] = ACTION_LETTER[r.action];
  return letters.join('');
}

/** Rows to write, cut into chunks by the items they may need: the same cut on every retry. */
function chunksOf(rows: readonly PlannedRow[], actions: string): PlannedRow[][] {
  const chunks: PlannedRow[][] = [];
  let current: PlannedRow[] = [];
  let weight = 0;
  for (const r of rows) {
    const letter = actions[r.row - 2];
    if ((letter !== 'c' && letter !== 'u') || !r.value) continue;
    const w = rowWeight(r.value, letter === 'c' ? 'create' : 'update');
    if (weight + w > CHUNK_ITEMS && current.length > 0) {
      chunks.push(current);
      current = [];
      weight = 0;
    }
    current.push(r);
    weight += w;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Reserves the unit numbers and writes the RUNNING record, or returns the record a first attempt wrote. */
export async function startImport(
  ctx: Ctx,
  estateId: string,
  importId: string,
  fileDigest: string,
  plan: Plan,
): Promise<ImportRecord> {
  const existing = await getImport(ctx, estateId, importId);
  if (existing) return existing;
  const creates = plan.counts.created;
  const actions = actionsOf(plan);
  const chunks = chunksOf(plan.rows, actions).length;
  for (let round = 0; round < 20; round++) {
    const counter = await ctx.db.get<{ last?: bigint }>(key.counter(estateId, SERIES.unit, 'ALL'));
    const last = counter?.last === undefined ? 0 : Number(counter.last);
    const at = ctx.now();
    const record: ImportRecord = {
      importId,
      estateId,
      state: 'RUNNING',
      fileDigest,
      createdAt: formatInstant(at),
      createdBy: ctx.actor.sub,
      unitBase: last,
      chunks,
      rows: plan.counts.rows,
      created: creates,
      updated: plan.counts.updated,
      unchanged: plan.counts.unchanged,
      actions,
      error: undefined,
      finishedAt: undefined,
    };
    const items: TxItem[] = [
      putNew({ ...key.rosterImport(estateId, importId), type: 'IMPORT', ...stored(record) }),
      {
        Update: {
          Key: key.counter(estateId, SERIES.unit, 'ALL'),
          UpdateExpression: 'SET #last = :next, #series = :series, #year = :year',
          ConditionExpression: last === 0 ? 'attribute_not_exists(#last)' : '#last = :current',
          ExpressionAttributeNames: { '#last': 'last', '#series': 'series', '#year': 'year' },
          ExpressionAttributeValues: {
            ':next': last + creates,
            ':series': SERIES.unit,
            ':year': 'ALL',
            ...(last === 0 ? {} : { ':current': last }),
          },
        },
      },
      auditItem(ctx, at, {
        estateId,
        action: 'ROSTER_IMPORT_STARTED',
        document: importId,
        details: { rows: plan.counts.rows, created: creates, updated: plan.counts.updated },
      }),
    ];
    try {
      await ctx.db.transact(creates > 0 ? items : [items[0]!, items[2]!]);
      return record;
    } catch (e) {
      if (!(e instanceof TransactionCancelled)) throw e;
      if (e.failedAt(0)) {
        const won = await getImport(ctx, estateId, importId);
        if (won) return won;
      }
      // Another writer took unit numbers first: read the counter again.
    }
  }
  throw new ConflictError('REQUEST_IN_PROGRESS', 'units are being created concurrently; retry the import');
}

const stored = (r: ImportRecord) =>
  Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as Record<string, unknown>;

/**
 * Commits the plan of a valid file under `importId` (derived from the Idempotency-Key), resuming a
 * first attempt's record if there is one. Returns the finished record.
 */
export async function commitImport(
  ctx: Ctx,
  estateId: string,
  importId: string,
  fileDigest: string,
  plan: Plan,
): Promise<ImportRecord> {
  const record = await startImport(ctx, estateId, importId, fileDigest, plan);
  if (record.fileDigest !== fileDigest) {
    throw new UnprocessableError(
      'IDEMPOTENCY_KEY_REUSED',
      'this Idempotency-Key was used for another file; send a new key for a new file',
    );
  }
  // A finished import answers as it finished; a FAILED one needs a new key (and a fresh check).
  if (record.state !== 'RUNNING') return record;
  // Unit numbers follow the created rows in file order.
  const unitIdOf = new Map<number, string>();
  let n = record.unitBase;
  for (let i = 0; i < record.actions.length; i++) {
    if (record.actions[i] === 'c') unitIdOf.set(i + 2, documentNumber(SERIES.unit, estateId, 0, ++n));
  }
  const chunks = chunksOf(plan.rows, record.actions);
  const createdAt = formatInstant(ctx.now());
  // The opening arrears of each chunk's created units, issued as soon as the chunk (and every chunk
  // before it) has committed: one lane beside the chunk writers rather than a tail after them, in
  // file order, PER_BATCH invoices to a number-series turn.
  const arrearsOf = chunks.map((rows) =>
    rows.flatMap((r) => {
      const unitId = unitIdOf.get(r.row);
      return unitId && r.value?.openingArrears ? [{ unitId, amount: r.value.openingArrears }] : [];
    }),
  );
  const committed = chunks.map(() => settleable());
  try {
    const writing = eachUntilFailure(
      chunks.map((rows, i) => ({ rows, i })),
      CHUNK_CONCURRENCY,
      async ({ rows, i }) => {
        try {
          await writeChunk(ctx, record, estateId, importId, unitIdOf, createdAt, rows, i);
          committed[i]!.resolve();
        } catch (e) {
          committed[i]!.reject(e);
          throw e;
        }
      },
    ).finally(() => {
      // A writer that stopped leaves later chunks unwritten: the arrears lane stops there.
      for (const c of committed) c.reject(new Error('chunk not written'));
    });
    const issuing = (async () => {
      const pending: { unitId: string; amount: bigint }[] = [];
      for (let i = 0; i < chunks.length; i++) {
        if (
          !(await committed[i]!.promise.then(
            () => true,
            () => false,
          ))
        )
          break;
        pending.push(...arrearsOf[i]!);
        while (pending.length >= PER_BATCH)
          await issueOpeningArrears(ctx, estateId, importId, pending.splice(0, PER_BATCH));
      }
      // What the committed chunks brought, also when a later chunk failed: their units exist.
      if (pending.length > 0) await issueOpeningArrears(ctx, estateId, importId, pending);
    })();
    const [w, a] = await Promise.allSettled([writing, issuing]);
    if (w.status === 'rejected') throw w.reason;
    if (a.status === 'rejected') throw a.reason;
  } catch (e) {
    if (e instanceof ConflictError) await finish(ctx, record, 'FAILED', e.message);
    throw e;
  }
  return finish(ctx, record, 'DONE');
}

/** Ends a RUNNING import as FAILED with its reason (the worker's last attempt); a finished one stays. */
export const failImport = (ctx: Ctx, record: ImportRecord, reason: string) =>
  finish(ctx, record, 'FAILED', reason);

/**
 * Runs `fn` over `items`, `limit` at a time; after a failure it starts nothing more, waits for what
 * is in flight and throws the first error. (Returning while writes are still in flight would let a
 * caller that retries at once race its own earlier attempt.)
 */
async function eachUntilFailure<T>(items: readonly T[], limit: number, fn: (t: T) => Promise<void>) {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (!failure && next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failure) throw failure.error;
}

/** A promise with its settle functions; settling twice is a no-op, and nobody waiting is no error. */
function settleable() {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/** One chunk's transaction: its marker (put only if absent), its audit record and its rows' items. */
async function writeChunk(
  ctx: Ctx,
  record: ImportRecord,
  estateId: string,
  importId: string,
  unitIdOf: ReadonlyMap<number, string>,
  createdAt: string,
  rows: readonly PlannedRow[],
  i: number,
): Promise<void> {
  const items: TxItem[] = [];
  for (const r of rows) {
    const letter = record.actions[r.row - 2];
    if (letter === 'c') items.push(...createUnitItems(estateId, unitIdOf.get(r.row)!, r.value!, createdAt));
    // On a resume an applied update plans as unchanged: nothing left to write.
    else if (r.action === 'update' && r.existing)
      items.push(...updateUnitItems(estateId, r.value!, r.existing, r.changes ?? []));
  }
  const at = ctx.now();
  try {
    await ctx.db.transact([
      putNew({ ...key.importChunk(importId, i), type: 'IMPORTCHUNK', rows: rows.length }),
      auditItem(ctx, at, {
        estateId,
        action: 'ROSTER_IMPORT_CHUNK',
        document: importId,
        details: { chunk: i, rows: rows.map((r) => r.row) },
      }),
      ...items,
    ]);
  } catch (e) {
    if (e instanceof TransactionCancelled && e.failedAt(0)) return; // committed by an earlier attempt
    if (e instanceof TransactionCancelled) {
      const failed = rows.map((r) => r.row).join(', ');
      throw new ConflictError(
        'UNIT_EXISTS',
        `rows ${failed}: a unit or space was created by someone else since the file was checked; run the import again`,
      );
    }
    throw e;
  }
}

async function finish(ctx: Ctx, record: ImportRecord, state: 'DONE' | 'FAILED', error?: string) {
  const at = ctx.now();
  const done: ImportRecord = { ...record, state, finishedAt: formatInstant(at), ...(error ? { error } : {}) };
  try {
    await ctx.db.transact([
      {
        Update: {
          Key: key.rosterImport(record.estateId, record.importId),
          UpdateExpression: `SET #state = :state, finishedAt = :at${error ? ', #error = :error' : ''}`,
          ConditionExpression: '#state = :running',
          ExpressionAttributeNames: { '#state': 'state', ...(error ? { '#error': 'error' } : {}) },
          ExpressionAttributeValues: {
            ':state': state,
            ':at': done.finishedAt,
            ':running': 'RUNNING',
            ...(error ? { ':error': error } : {}),
          },
        },
      },
      auditItem(ctx, at, {
        estateId: record.estateId,
        action: `ROSTER_IMPORT_${state}`,
        document: record.importId,
      }),
    ]);
  } catch (e) {
    // A concurrent retry finished it first.
    if (!(e instanceof TransactionCancelled)) throw e;
    return (await getImport(ctx, record.estateId, record.importId)) ?? done;
  }
  return done;
}
