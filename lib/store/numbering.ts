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

async function readCounter(db: Db, req: NumberRequest): Promise<number> {
  const item = await db.get<{ last?: bigint }>(key.counter(req.estateId, req.series, req.year));
  return item?.last === undefined ? 0 : Number(item.last);
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
    },
  };
}

/**
 * Runs `build(numbers, read)` → transaction with the next number of each requested series, retrying
 * when another writer took a number first or an optimistic lock in `retryOn` failed. `read(round)`
 * runs alongside the counter reads and `build` afresh each round, so a round re-reads whatever it
 * locks (round 0 may reuse what the caller already read). Any other failed condition is the
 * caller's business: the `TransactionCancelled` is rethrown with indexes relative to `items`.
 */
export async function transactWithNumbers<R = undefined>(
  db: Db,
  requests: NumberRequest[],
  build: (numbers: number[], read: R) => Promise<Attempt> | Attempt,
  read?: (round: number) => Promise<R>,
): Promise<number[]> {
  const ids = requests.map((r) => `${r.estateId}/${r.series}/${r.year}`);
  return inTurn(db, ids, () => attemptWithNumbers(db, requests, build, read));
}

async function attemptWithNumbers<R>(
  db: Db,
  requests: NumberRequest[],
  build: (numbers: number[], read: R) => Promise<Attempt> | Attempt,
  read?: (round: number) => Promise<R>,
): Promise<number[]> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    // The counters and what the transaction depends on are read together: one round trip, not two.
    const [current, state] = await Promise.all([
      Promise.all(requests.map((r) => readCounter(db, r))),
      read ? read(round) : (undefined as R),
    ]);
    const numbers = current.map((n) => n + 1);
    const attempt = await build(numbers, state);
    const counters = requests.map((r, i) => counterItem(db, r, current[i]!));
    try {
      await db.transact([...counters, ...attempt.items]);
      return numbers;
    } catch (e) {
      if (!(e instanceof TransactionCancelled)) throw e;
      const lostNumber = counters.some((_, i) => e.failedAt(i));
      const own = new TransactionCancelled(e.reasons.slice(counters.length));
      // Losing the number explains any other failure (our document key was the winner's); otherwise
      // only failed optimistic locks are worth another round.
      const retryOn = attempt.retryOn ?? [];
      const failed = own.reasons.flatMap((r, i) => (r === 'ConditionalCheckFailed' ? [i] : []));
      const onlyLocks = failed.length > 0 && failed.every((i) => retryOn.includes(i));
      if (!lostNumber && !onlyLocks) throw own;
      // Lost a race: back off a little (more as contention persists) and re-read.
      await sleep(Math.random() * Math.min(50, 2 + round * 3));
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
