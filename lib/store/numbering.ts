/**
 * Gapless document numbers. A number is consumed only by the transaction that writes its document:
 * the counter moves from N to N+1 under the condition that it still reads N, in the same
 * TransactWriteItems as the document's conditional put. Two writers racing for N+1 cannot both
 * commit; the loser re-reads and tries N+2. An ADD counter followed by a separate write would burn
 * a number whenever the second write failed — exactly what this avoids.
 */
import { UnavailableError } from '../errors.js';
import { type Db, TransactionCancelled, type TxItem } from './db.js';
import { key, type Series } from './keys.js';

export interface NumberRequest {
  estateId: string;
  series: Series;
  year: number | string;
}

export interface Attempt {
  items: TxItem[];
  /** Indexes (within `items`) whose failed condition means "re-read and try again" (optimistic locks). */
  retryOn?: number[];
}

const MAX_ROUNDS = 60;

/**
 * Writers sharing a Db (one per process) take turns per series. This only removes needless contention (16 requests
 * in one Lambda or the local server would otherwise race for every number); correctness still rests
 * on the conditional counter, which is what separates writers in different processes.
 */
const turnsByDb = new WeakMap<Db, Map<string, Promise<unknown>>>();
async function inTurn<T>(db: Db, keys: string[], fn: () => Promise<T>): Promise<T> {
  if (keys.length === 0) return fn();
  let turns = turnsByDb.get(db);
  if (!turns) {
    turns = new Map();
    turnsByDb.set(db, turns);
  }
  const id = [...keys].sort().join('|');
  const previous = turns.get(id) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const tail = run.catch(() => undefined);
  turns.set(id, tail);
  try {
    return await run;
  } finally {
    if (turns.get(id) === tail) turns.delete(id);
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The last number of each series as this process last saw it: set by its own commits, and by a
 * failed counter condition, which returns the counter as it stood. Only a guess: the counter's
 * condition decides, so a stale value costs one failed transaction, never a gap or a duplicate.
 * It spares the counter read inside the turn, which would otherwise double the time each payment
 * holds its series (issue #16: payments in one estate serialize on the receipt counter).
 */
const lastSeenByDb = new WeakMap<Db, Map<string, number>>();
function lastSeen(db: Db): Map<string, number> {
  let seen = lastSeenByDb.get(db);
  if (!seen) {
    seen = new Map();
    lastSeenByDb.set(db, seen);
  }
  return seen;
}

async function readCounter(db: Db, req: NumberRequest): Promise<number> {
  const item = await db.get<{ last?: bigint }>(key.counter(req.estateId, req.series, req.year));
  return item?.last === undefined ? 0 : Number(item.last);
}

/** `last` of a counter returned by a failed condition (DynamoDB's attribute form); 0 if it has none. */
function lastOf(item: Record<string, unknown>): number {
  const last = item['last'] as { N?: string } | bigint | number | undefined;
  if (last === undefined) return 0;
  return Number(typeof last === 'object' ? last.N : last);
}

function counterItem(db: Db, req: NumberRequest, current: number): TxItem {
  return {
    Update: {
      TableName: db.table,
      Key: key.counter(req.estateId, req.series, req.year),
      UpdateExpression: 'SET #last = :next, #series = :series, #year = :year',
      ConditionExpression: current === 0 ? 'attribute_not_exists(#last)' : '#last = :current',
      ExpressionAttributeNames: { '#last': 'last', '#series': 'series', '#year': 'year' },
      ExpressionAttributeValues: {
        ':next': current + 1,
        ':series': req.series,
        ':year': String(req.year),
        ...(current === 0 ? {} : { ':current': current }),
      },
      // A lost race answers with the counter's value: the next round needs no read.
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/**
 * Runs `build(numbers, read)` → transaction with the next number of each requested series, retrying
 * when another writer took a number first or an optimistic lock in `retryOn` failed. Any other
 * failed condition is the caller's business: the `TransactionCancelled` is rethrown with indexes
 * relative to `items`.
 *
 * The turn on a series (the critical section every writer of it waits for) holds only `build` and
 * the one TransactWriteItems: `read(0)`, and the counter if this process has not seen it yet, are
 * read before it. A later round re-reads whatever it locks (`read(round)`, in the turn); round 0
 * may reuse what the caller already read. Because round 0's state was read outside the turn, a
 * writer that went before may have changed it: a failed condition in round 0 earns one round with
 * fresh state, whose `build` then reports what changed.
 */
export async function transactWithNumbers<R = undefined>(
  db: Db,
  requests: NumberRequest[],
  build: (numbers: number[], read: R) => Promise<Attempt> | Attempt,
  read?: (round: number) => Promise<R>,
): Promise<number[]> {
  const ids = requests.map((r) => `${r.estateId}/${r.series}/${r.year}`);
  const seen = lastSeen(db);
  const [state] = await Promise.all([
    read ? read(0) : (undefined as R),
    Promise.all(
      requests.map(async (r, i) => {
        if (seen.has(ids[i]!)) return;
        const last = await readCounter(db, r);
        // Counters only grow: a commit of this process since the read started knows better.
        seen.set(ids[i]!, Math.max(seen.get(ids[i]!) ?? 0, last));
      }),
    ),
  ]);
  return inTurn(db, ids, () => attemptWithNumbers(db, requests, ids, build, read, state));
}

async function attemptWithNumbers<R>(
  db: Db,
  requests: NumberRequest[],
  ids: string[],
  build: (numbers: number[], read: R) => Promise<Attempt> | Attempt,
  read: ((round: number) => Promise<R>) | undefined,
  firstState: R,
): Promise<number[]> {
  const seen = lastSeen(db);
  let state = firstState;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (round > 0) {
      // Counters a failed condition did not report are read again, alongside the state.
      const [fresh] = await Promise.all([
        read ? read(round) : (undefined as R),
        Promise.all(
          requests.map(async (r, i) => {
            if (!seen.has(ids[i]!)) seen.set(ids[i]!, await readCounter(db, r));
          }),
        ),
      ]);
      state = fresh;
    }
    const current = ids.map((id) => seen.get(id) ?? 0);
    const numbers = current.map((n) => n + 1);
    const attempt = await build(numbers, state);
    const counters = requests.map((r, i) => counterItem(db, r, current[i]!));
    try {
      await db.transact([...counters, ...attempt.items]);
      ids.forEach((id, i) => {
        seen.set(id, numbers[i]!);
      });
      return numbers;
    } catch (e) {
      if (!(e instanceof TransactionCancelled)) throw e;
      let lostNumber = false;
      for (const [i, id] of ids.entries()) {
        if (!e.failedAt(i)) continue;
        lostNumber = true;
        const item = e.items[i];
        if (item) seen.set(id, lastOf(item));
        else seen.delete(id);
      }
      const own = new TransactionCancelled(e.reasons.slice(counters.length), e.items.slice(counters.length));
      // Losing the number explains any other failure (our document key was the winner's); otherwise
      // only failed optimistic locks, or state read before the turn, are worth another round.
      const retryOn = attempt.retryOn ?? [];
      const failed = own.reasons.flatMap((r, i) => (r === 'ConditionalCheckFailed' ? [i] : []));
      const onlyLocks = failed.length > 0 && failed.every((i) => retryOn.includes(i));
      const staleFirstRead = round === 0 && read !== undefined && failed.length > 0;
      if (!lostNumber && !onlyLocks && !staleFirstRead) throw own;
      // Lost a race to another process: back off a little (more as contention persists).
      if (lostNumber && round > 0) await sleep(Math.random() * Math.min(50, 2 + round * 3));
    }
  }
  throw new UnavailableError(
    'too many concurrent writers for one number series; nothing was changed, please retry',
  );
}

/** A transaction without numbers but with optimistic locks, retried the same way. */
export async function transactOptimistic(db: Db, build: () => Promise<Attempt>): Promise<void> {
  await transactWithNumbers(db, [], () => build());
}
