/**
 * The DynamoDB adapter: one document client, one retry policy, one error mapping.
 *
 * - Numbers are read back as bigint (fen never become a JS number on the way out of the store).
 * - Throttling, transaction conflicts, 5xx and timeouts are retried with bounded, jittered backoff.
 *   A transaction is retried with the same ClientRequestToken, so a retry after an ambiguous
 *   failure (committed, but the answer was lost) cannot apply it twice.
 * - Condition failures are not retried here: they are business answers, surfaced as
 *   `TransactionCancelled` with the index of each failed item.
 * - When retries run out the caller gets `UnavailableError` (503): nothing partial was written,
 *   because every multi-item change is one TransactWriteItems.
 */
import { randomUUID } from 'node:crypto';
import { UnavailableError, ValidationError } from '../errors.js';
import { type Action, type DynamoConfig, DynamoDocClient, DynamoError } from './dynamo.js';

export type Item = Record<string, unknown>;
export type Key = { PK: string; SK: string };

/** What a condition or an update expression may carry. */
interface Expressions {
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Item;
  ReturnValuesOnConditionCheckFailure?: 'ALL_OLD' | 'NONE';
}
/** `TableName` may be left out: Db gives every item its table. */
type Table = { TableName?: string };

/**
 * One item of a transaction: put, update or condition check. Deleting is not among them (issued
 * documents are never deleted), so no code path can ask for it.
 */
export type TxItem =
  | { Put: Table & Expressions & { Item: Item } }
  | { Update: Table & Expressions & { Key: Item; UpdateExpression: string } }
  | { ConditionCheck: Table & Expressions & { Key: Item; ConditionExpression: string } };

export interface QueryInput {
  IndexName?: string;
  KeyConditionExpression: string;
  FilterExpression?: string;
  ProjectionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Item;
  ExclusiveStartKey?: Item;
  Limit?: number;
  ScanIndexForward?: boolean;
  Select?: 'COUNT' | 'ALL_ATTRIBUTES' | 'SPECIFIC_ATTRIBUTES' | 'ALL_PROJECTED_ATTRIBUTES';
  ConsistentRead?: boolean;
}

export type ScanInput = Omit<QueryInput, 'KeyConditionExpression' | 'ScanIndexForward'>;
export type PutCondition = Expressions;
export type UpdateInput = Expressions & {
  Key: Item;
  UpdateExpression: string;
  ReturnValues?: 'NONE' | 'ALL_OLD' | 'UPDATED_OLD' | 'ALL_NEW' | 'UPDATED_NEW';
};

/** Called around every store call; tests use it to inject faults DynamoDB Local never produces. */
export type FaultInjector = (
  op: 'get' | 'query' | 'scan' | 'put' | 'update' | 'transact' | 'batch',
  phase: 'before' | 'after',
) => void;

export interface DbOptions {
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  faults?: FaultInjector;
  /** Receives a record of every consumed-capacity report (benchmarks). */
  onCapacity?: (op: string, read: number, write: number) => void;
}

/** A transaction cancelled because conditions failed. `reasons[i]` is the code for TransactItems[i]. */
export class TransactionCancelled extends Error {
  constructor(readonly reasons: string[]) {
    super(`transaction cancelled: ${reasons.join(',')}`);
    this.name = 'TransactionCancelled';
  }
  failedAt(index: number): boolean {
    return this.reasons[index] === 'ConditionalCheckFailed';
  }
}

/** A single-item write whose condition failed. */
export class ConditionFailed extends Error {
  constructor(readonly item?: Item) {
    super('condition failed');
    this.name = 'ConditionFailed';
  }
}

const RETRYABLE = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TransactionInProgressException',
  // A single write that met an item inside a running transaction: nothing was written; try again.
  'TransactionConflictException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'NetworkingError',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
]);
const RETRYABLE_REASONS = new Set([
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
]);

function errorName(e: unknown): string {
  const err = e as { name?: string; code?: string };
  return err?.code && RETRYABLE.has(err.code) ? err.code : (err?.name ?? '');
}

function cancellationReasons(e: unknown): string[] | undefined {
  if (errorName(e) !== 'TransactionCanceledException') return undefined;
  const reasons = (e as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.map((r) => r.Code ?? 'None');
}

export function isRetryable(e: unknown): boolean {
  const reasons = cancellationReasons(e);
  if (reasons) {
    return !reasons.includes('ConditionalCheckFailed') && reasons.some((r) => RETRYABLE_REASONS.has(r));
  }
  return (
    RETRYABLE.has(errorName(e)) ||
    // Any 5xx DynamoDB answers is on its side, whatever new type name it carries.
    (e instanceof DynamoError && (e.status ?? 0) >= 500) ||
    (e as { $retryable?: unknown })?.$retryable !== undefined
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The client every Db of a process shares (it keeps the connections alive). */
export function documentClient(config: DynamoConfig = {}): DynamoDocClient {
  return new DynamoDocClient(config);
}

export class Db {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(
    readonly doc: DynamoDocClient,
    readonly table: string,
    private readonly opts: DbOptions = {},
  ) {
    this.maxAttempts = opts.maxAttempts ?? 6;
    this.baseDelayMs = opts.baseDelayMs ?? 25;
    this.maxDelayMs = opts.maxDelayMs ?? 800;
  }

  /** Runs `call` with the retry policy; the injector may throw before or after the real call. */
  private async withRetry<T>(op: Parameters<FaultInjector>[0], call: () => Promise<T>): Promise<T> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      try {
        this.opts.faults?.(op, 'before');
        const result = await call();
        this.opts.faults?.(op, 'after');
        return result;
      } catch (e) {
        if (!isRetryable(e)) throw e;
        lastError = e;
        if (attempt < this.maxAttempts) {
          const cap = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
          await sleep(Math.random() * cap);
        }
      }
    }
    throw new UnavailableError('the billing store is busy; nothing was changed, please retry', 1, {
      cause: lastError,
    });
  }

  private capacity(op: string, consumed: unknown): void {
    if (!this.opts.onCapacity || !consumed) return;
    const list = (Array.isArray(consumed) ? consumed : [consumed]) as {
      ReadCapacityUnits?: number;
      WriteCapacityUnits?: number;
      CapacityUnits?: number;
    }[];
    let read = 0;
    let write = 0;
    for (const c of list) {
      read += c.ReadCapacityUnits ?? 0;
      write += c.WriteCapacityUnits ?? 0;
      if (c.ReadCapacityUnits === undefined && c.WriteCapacityUnits === undefined) {
        if (op === 'get' || op === 'query') read += c.CapacityUnits ?? 0;
        else write += c.CapacityUnits ?? 0;
      }
    }
    this.opts.onCapacity(op, read, write);
  }

  /** One action through the retry policy, with its consumed capacity reported. */
  private async send(op: Parameters<FaultInjector>[0], action: Action, input: Item): Promise<Item> {
    const out = await this.withRetry(op, () =>
      this.doc.send(action, {
        TableName: this.table,
        ...(this.opts.onCapacity ? { ReturnConsumedCapacity: 'TOTAL' } : {}),
        ...input,
      }),
    );
    this.capacity(op, out['ConsumedCapacity']);
    return out;
  }

  async get<T extends Item = Item>(key: Key, consistent = true): Promise<T | undefined> {
    const out = await this.send('get', 'GetItem', { Key: key, ConsistentRead: consistent });
    return out['Item'] as T | undefined;
  }

  async query<T extends Item = Item>(input: QueryInput): Promise<{ items: T[]; lastKey?: Item }> {
    const out = await this.send('query', 'Query', {
      // Reads that decide a write must see every committed write; indexes cannot be read so.
      ...(input.IndexName ? {} : { ConsistentRead: true }),
      ...input,
    });
    return page<T>(out);
  }

  /** Every item of a query (for small, bounded collections such as a unit's claims). */
  async queryAll<T extends Item = Item>(input: QueryInput): Promise<T[]> {
    const items: T[] = [];
    let start: Item | undefined;
    do {
      const page = await this.query<T>({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) });
      items.push(...page.items);
      start = page.lastKey;
    } while (start);
    return items;
  }

  /** One page of a scan: audits, reconciliation and the scheduler's estate list, never a request path. */
  async scan<T extends Item = Item>(input: ScanInput = {}): Promise<{ items: T[]; lastKey?: Item }> {
    return page<T>(await this.send('scan', 'Scan', { ...input }));
  }

  /** A conditional put; a failed condition throws ConditionFailed carrying the existing item. */
  async put(item: Item, condition?: PutCondition): Promise<void> {
    try {
      await this.send('put', 'PutItem', {
        Item: item,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        ...condition,
      });
    } catch (e) {
      if (errorName(e) === 'ConditionalCheckFailedException') {
        throw new ConditionFailed((e as { Item?: Item }).Item);
      }
      throw e;
    }
  }

  async update(input: UpdateInput): Promise<Item | undefined> {
    try {
      const out = await this.send('update', 'UpdateItem', { ...input });
      return out['Attributes'] as Item | undefined;
    } catch (e) {
      if (errorName(e) === 'ConditionalCheckFailedException') throw new ConditionFailed();
      throw e;
    }
  }

  /**
   * One atomic write of up to 100 items. Each item gets this table's name. Retries reuse one
   * ClientRequestToken, so DynamoDB applies the transaction at most once.
   */
  async transact(items: TxItem[], token: string = randomUUID()): Promise<void> {
    if (items.length > 100)
      throw new RangeError(`a transaction holds at most 100 items, not ${items.length}`);
    const withTable = items.map((it) => {
      const [[kind, body]] = Object.entries(it) as [[string, Item]];
      return { [kind]: { TableName: this.table, ...body } };
    });
    try {
      await this.withRetry('transact', async () => {
        const out = await this.doc.send('TransactWriteItems', {
          TransactItems: withTable,
          ClientRequestToken: token,
          ...(this.opts.onCapacity ? { ReturnConsumedCapacity: 'TOTAL' } : {}),
        });
        this.capacity('transact', out['ConsumedCapacity']);
      });
    } catch (e) {
      const reasons = cancellationReasons(e);
      if (reasons) throw new TransactionCancelled(reasons);
      throw e;
    }
  }

  /**
   * Unconditional puts of many items, 25 to a request, unprocessed ones sent again (test and
   * benchmark data only: documents are written by transactions).
   */
  async batchPut(items: Item[]): Promise<void> {
    for (let i = 0; i < items.length; i += 25) {
      let pending: Item[] = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
      for (let round = 0; pending.length > 0; round++) {
        if (round === 10) throw new UnavailableError('the store kept items of a batch unprocessed', 1);
        const out = await this.send('batch', 'BatchWriteItem', {
          TableName: undefined,
          RequestItems: { [this.table]: pending },
        });
        pending = (out['UnprocessedItems'] as Record<string, Item[]> | undefined)?.[this.table] ?? [];
        if (pending.length > 0) await sleep(Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** round));
      }
    }
  }
}

function page<T>(out: Item): { items: T[]; lastKey?: Item } {
  return {
    items: (out['Items'] ?? []) as T[],
    ...(out['LastEvaluatedKey'] ? { lastKey: out['LastEvaluatedKey'] as Item } : {}),
  };
}

/** Opaque list cursors: the last key, base64url-encoded, checked to belong to the same query. */
export const cursor = {
  encode(lastKey: Record<string, unknown> | undefined): string | undefined {
    return lastKey ? Buffer.from(JSON.stringify(lastKey)).toString('base64url') : undefined;
  },
  decode(value: string | undefined, expect: Record<string, string>): Record<string, unknown> | undefined {
    if (value === undefined) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    } catch {
      parsed = undefined;
    }
    const ok =
      parsed !== null &&
      typeof parsed === 'object' &&
      !Array.isArray(parsed) &&
      Object.values(parsed).every((v) => typeof v === 'string' && v.length < 1024) &&
      Object.entries(expect).every(([k, v]) => (parsed as Record<string, unknown>)[k] === v);
    if (!ok) throw ValidationError.of('cursor', 'INVALID_CURSOR', 'cursor is not one this list returned');
    return parsed as Record<string, unknown>;
  },
};
