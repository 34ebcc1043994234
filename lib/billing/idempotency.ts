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
}

export function fingerprint(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

interface IdemRecord {
  state: 'IN_PROGRESS' | 'COMPLETED' | 'RELEASED';
  fingerprint: string;
  lockId: string;
  response?: string;
}

function replay(record: IdemRecord): StoredResponse {
  return JSON.parse(record.response ?? 'null') as StoredResponse;
}

/**
 * Runs `run` at most once per (actor, key, request). `run` must put `handle.completeItem(response)`
 * into the transaction that makes its change, and return that same response. A domain error thrown
 * by `run` (4xx) is stored as the key's answer too; a store failure releases the key.
 */
export async function withIdempotency(
  db: Db,
  now: () => number,
  args: { actor: string; key: string; fingerprint: string },
  run: (handle: IdempotencyHandle) => Promise<StoredResponse>,
  errorResponse: (e: unknown) => StoredResponse | undefined,
): Promise<StoredResponse & { replayed: boolean }> {
  const k = key.idempotency(args.actor, args.key);
  const lockId = randomUUID();
  const at = now();
  try {
    await db.put(
      {
        ...k,
        type: 'IDEMPOTENCY',
        state: 'IN_PROGRESS',
        fingerprint: args.fingerprint,
        lockId,
        lockedAt: at,
        expiresAt: Math.floor(at / 1000) + IDEMPOTENCY_TTL_SECONDS,
      },
      {
        ConditionExpression:
          'attribute_not_exists(PK) OR (#fp = :fp AND (#state = :released OR (#state = :inProgress AND lockedAt < :stale)))',
        ExpressionAttributeNames: { '#fp': 'fingerprint', '#state': 'state' },
        ExpressionAttributeValues: {
          ':fp': args.fingerprint,
          ':released': 'RELEASED',
          ':inProgress': 'IN_PROGRESS',
          ':stale': at - STALE_LOCK_MS,
        },
      },
    );
  } catch (e) {
    if (!(e instanceof ConditionFailed)) throw e;
    const existing = (e.item ?? (await db.get(k))) as IdemRecord | undefined;
    if (!existing) throw new UnavailableError('idempotency record changed under us; please retry');
    // Our own lock: the put was applied but its answer lost (a timeout, a dropped connection), and
    // Db's retry of the same put met it. The lock is ours: go on to run.
    const ours = existing.lockId === lockId && existing.state === 'IN_PROGRESS';
    if (!ours) {
      if (existing.fingerprint !== args.fingerprint) {
        throw new UnprocessableError(
          'IDEMPOTENCY_KEY_REUSED',
          'this Idempotency-Key was already used for a different request; use a new key for a new request',
        );
      }
      if (existing.state === 'COMPLETED') return { ...replay(existing), replayed: true };
      throw new ConflictError(
        'REQUEST_IN_PROGRESS',
        'the same request is still being processed; retry shortly',
      );
    }
  }

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
    completeItem(response) {
      completedInTransaction = true;
      return { Update: { TableName: db.table, ...completeUpdate(response) } };
    },
  };
  let response: StoredResponse;
  try {
    response = await run(handle);
  } catch (e) {
    // The change may have committed even though we saw an error (a timeout after the commit).
    const after = (await db.get(k).catch(() => undefined)) as IdemRecord | undefined;
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
