/**
 * `Idempotency-Key` (SPEC.md §5). A request that moves money first takes a lock record for
 * (actor, key) holding a fingerprint of the request. The money-moving transaction itself marks the
 * record COMPLETED with the response it is about to return, so "payment committed" and "response
 * stored" are one atomic fact: a client that timed out after the commit gets the stored response on
 * retry, never a second payment.
 *
 * - same key, same request, completed → the first response, replayed;
 * - same key, different request → IdempotencyMismatch (422), nothing changes;
 * - same key while the first is still running → Conflict REQUEST_IN_PROGRESS (409);
 * - the first attempt failed on the store (nothing committed) → the lock is released, a retry runs.
 *
 * Business invariants (an invoice paid once, a period billed once) are held by their own conditions
 * in the same transaction; neither mechanism is trusted alone.
 */
import { createHash, randomUUID } from 'node:crypto';
import { ConflictError, UnavailableError, UnprocessableError } from '../errors.js';
import { ConditionFailed, type Db, type TxItem } from '../store/db.js';
import { key } from '../store/keys.js';
import { type IdempotencyRecord, idempotencyRecordSchema, parseRecord } from '../store/records.js';

export const IDEMPOTENCY_TTL_SECONDS = 7 * 24 * 3600;
/** A lock older than this belongs to a request that died; a retry may take it over. */
export const STALE_LOCK_MS = 60_000;

export interface StoredResponse {
  status: number;
  body: unknown;
}

/** Handed to a domain service: the item that completes the record inside the service's own transaction. */
export interface IdempotencyHandle {
  completeItem(response: StoredResponse): TxItem;
  /** Settles once the lock is known; rejects when the key belongs to another request (write nothing then). */
  ready: Promise<void>;
}

export function fingerprint(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

type IdemRecord = IdempotencyRecord;

const parseIdem = (item: unknown): IdemRecord | undefined =>
  item === undefined ? undefined : parseRecord(idempotencyRecordSchema, item, 'idempotency record');

function replay(record: IdemRecord): StoredResponse {
  return JSON.parse(record.response ?? 'null') as StoredResponse;
}

/** Thrown into a speculative `run` whose key turned out not to be ours: its work is discarded. */
class NotOurLock extends Error {
  constructor() {
    super('the idempotency key is held by another request');
    this.name = 'NotOurLock';
  }
}

/**
 * Takes the lock record for (actor, key). Resolves to undefined when the lock is ours, or to the
 * completed record of the same request (to replay); throws when the key belongs to a different
 * request (422) or the same request is still running (409).
 */
async function takeLock(
  db: Db,
  k: { PK: string; SK: string },
  fp: string,
  lockId: string,
  at: number,
): Promise<IdemRecord | undefined> {
  try {
    await db.put(
      {
        ...k,
        type: 'IDEMPOTENCY',
        state: 'IN_PROGRESS',
        fingerprint: fp,
        lockId,
        lockedAt: at,
        expiresAt: Math.floor(at / 1000) + IDEMPOTENCY_TTL_SECONDS,
      },
      {
        ConditionExpression:
          'attribute_not_exists(PK) OR (#fp = :fp AND (#state = :released OR (#state = :inProgress AND lockedAt < :stale)))',
        ExpressionAttributeNames: { '#fp': 'fingerprint', '#state': 'state' },
        ExpressionAttributeValues: {
          ':fp': fp,
          ':released': 'RELEASED',
          ':inProgress': 'IN_PROGRESS',
          ':stale': at - STALE_LOCK_MS,
        },
      },
    );
    return undefined;
  } catch (e) {
    if (!(e instanceof ConditionFailed)) throw e;
    const existing = parseIdem(e.item ?? (await db.get(k)));
    if (!existing) throw new UnavailableError('idempotency record changed under us; please retry');
    // Our own lock: the put was applied but its answer lost (a timeout, a dropped connection), and
    // Db's retry of the same put met it. The lock is ours: go on to run.
    if (existing.lockId === lockId && existing.state === 'IN_PROGRESS') return undefined;
    if (existing.fingerprint !== fp) {
      throw new UnprocessableError(
        'IDEMPOTENCY_KEY_REUSED',
        'this Idempotency-Key was already used for a different request; use a new key for a new request',
      );
    }
    if (existing.state === 'COMPLETED') return existing;
    throw new ConflictError(
      'REQUEST_IN_PROGRESS',
      'the same request is still being processed; retry shortly',
    );
  }
}

/**
 * Runs `run` at most once per (actor, key, request). `run` must put `handle.completeItem(response)`
 * into the transaction that makes its change, and return that same response. A domain error thrown
 * by `run` (4xx) is stored as the key's answer too; a store failure releases the key.
 *
 * With `overlap`, `run` starts while the lock is being taken, so its reads share a round trip with
 * the lock put. Such a `run` must write only in a transaction holding `completeItem` (whose
 * condition is that the lock is ours) and await `handle.ready` before it: a key held by another
 * request then cancels nothing but the reads.
 */
export async function withIdempotency(
  db: Db,
  now: () => number,
  args: { actor: string; key: string; fingerprint: string },
  run: (handle: IdempotencyHandle) => Promise<StoredResponse>,
  errorResponse: (e: unknown) => StoredResponse | undefined,
  opts: { overlap?: boolean } = {},
): Promise<StoredResponse & { replayed: boolean }> {
  const k = key.idempotency(args.actor, args.key);
  const lockId = randomUUID();
  const lock = takeLock(db, k, args.fingerprint, lockId, now());
  const ready = lock.then((other) => {
    if (other) throw new NotOurLock();
  });
  // A speculative run may end before anyone awaits `ready`.
  ready.catch(() => undefined);

  let completedInTransaction = false;
  const completeUpdate = (response: StoredResponse) => ({
    Key: k,
    UpdateExpression: 'SET #state = :completed, #response = :response',
    ConditionExpression: 'lockId = :lockId AND #state = :inProgress',
    ExpressionAttributeNames: { '#state': 'state', '#response': 'response' },
    ExpressionAttributeValues: {
      ':completed': 'COMPLETED',
      ':response': JSON.stringify(response),
      ':lockId': lockId,
      ':inProgress': 'IN_PROGRESS',
    },
  });
  const handle: IdempotencyHandle = {
    ready,
    completeItem(response) {
      completedInTransaction = true;
      return { Update: completeUpdate(response) };
    },
  };

  let running: Promise<StoredResponse> | undefined;
  if (opts.overlap) {
    running = run(handle);
    running.catch(() => undefined);
  }
  let other: IdemRecord | undefined;
  try {
    other = await lock;
  } catch (e) {
    await running?.catch(() => undefined);
    throw e;
  }
  if (other) {
    await running?.catch(() => undefined);
    return { ...replay(other), replayed: true };
  }

  let response: StoredResponse;
  try {
    response = await (running ?? run(handle));
  } catch (e) {
    // The change may have committed even though we saw an error (a timeout after the commit).
    const after = parseIdem(await db.get(k).catch(() => undefined));
    if (after?.state === 'COMPLETED' && after.lockId === lockId) return { ...replay(after), replayed: true };
    const stored = errorResponse(e);
    const release = {
      Key: k,
      UpdateExpression: 'SET #state = :released',
      ConditionExpression: 'lockId = :lockId AND #state = :inProgress',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':released': 'RELEASED', ':lockId': lockId, ':inProgress': 'IN_PROGRESS' },
    };
    // If this fails too, the lock goes stale and a later retry takes it over.
    await db.update(stored ? completeUpdate(stored) : release).catch(() => undefined);
    throw e;
  }
  // A service that did not put the completion into its own transaction still gets its answer
  // remembered (after the fact, so not atomically): a retry then replays instead of re-running.
  if (!completedInTransaction) await db.update(completeUpdate(response)).catch(() => undefined);
  return { ...response, replayed: false };
}
