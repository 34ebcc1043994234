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
import { type AttributeValue, DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandInput,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { UnavailableError, ValidationError } from '../errors.js';

export type Item = Record<string, unknown>;
export type Key = { PK: string; SK: string };
export type TxItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Called around every store call; tests use it to inject faults DynamoDB Local never produces. */
export type FaultInjector = (
  op: 'get' | 'query' | 'put' | 'update' | 'transact',
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
  return RETRYABLE.has(errorName(e)) || (e as { $retryable?: unknown })?.$retryable !== undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function documentClient(config: DynamoDBClientConfig): DynamoDBDocumentClient {
  // The SDK's own retries are off: one policy, here, that tests can observe and faults can reach.
  const client = new DynamoDBClient({ maxAttempts: 1, ...config });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
    unmarshallOptions: { wrapNumbers: (value: string) => BigInt(value) },
  });
}

export class Db {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(
    readonly doc: DynamoDBDocumentClient,
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

  private get returnCapacity() {
    return this.opts.onCapacity ? ('TOTAL' as const) : undefined;
  }

  async get<T extends Item = Item>(key: Key, consistent = true): Promise<T | undefined> {
    const out = await this.withRetry('get', () =>
      this.doc.send(
        new GetCommand({
          TableName: this.table,
          Key: key,
          ConsistentRead: consistent,
          ReturnConsumedCapacity: this.returnCapacity,
        }),
      ),
    );
    this.capacity('get', out.ConsumedCapacity);
    return out.Item as T | undefined;
  }

  async query<T extends Item = Item>(
    input: Omit<QueryCommandInput, 'TableName'>,
  ): Promise<{ items: T[]; lastKey?: Record<string, unknown> }> {
    const out = await this.withRetry('query', () =>
      this.doc.send(
        new QueryCommand({
          TableName: this.table,
          ReturnConsumedCapacity: this.returnCapacity,
          // Reads that decide a write must see every committed write; indexes cannot be read so.
          ...(input.IndexName ? {} : { ConsistentRead: true }),
          ...input,
        }),
      ),
    );
    this.capacity('query', out.ConsumedCapacity);
    return {
      items: (out.Items ?? []) as T[],
      ...(out.LastEvaluatedKey ? { lastKey: out.LastEvaluatedKey } : {}),
    };
  }

  /** Every item of a query (for small, bounded collections such as a unit's claims). */
  async queryAll<T extends Item = Item>(input: Omit<QueryCommandInput, 'TableName'>): Promise<T[]> {
    const items: T[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.query<T>({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) });
      items.push(...page.items);
      start = page.lastKey;
    } while (start);
    return items;
  }

  /** A conditional put; a failed condition throws ConditionFailed carrying the existing item. */
  async put(item: Item, condition?: Omit<PutCommandInput, 'TableName' | 'Item'>): Promise<void> {
    try {
      const out = await this.withRetry('put', () =>
        this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: item,
            ReturnConsumedCapacity: this.returnCapacity,
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            ...condition,
          }),
        ),
      );
      this.capacity('put', out.ConsumedCapacity);
    } catch (e) {
      if (errorName(e) === 'ConditionalCheckFailedException') {
        // The document client does not unmarshall error payloads: the old item arrives raw.
        const raw = (e as { Item?: Record<string, AttributeValue> }).Item;
        throw new ConditionFailed(
          raw ? unmarshall(raw, { wrapNumbers: (v: string) => BigInt(v) }) : undefined,
        );
      }
      throw e;
    }
  }

  async update(input: Omit<UpdateCommandInput, 'TableName'>): Promise<Item | undefined> {
    try {
      const out = await this.withRetry('update', () =>
        this.doc.send(
          new UpdateCommand({ TableName: this.table, ReturnConsumedCapacity: this.returnCapacity, ...input }),
        ),
      );
      this.capacity('update', out.ConsumedCapacity);
      return out.Attributes;
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
      const [[kind, body]] = Object.entries(it) as unknown as [[string, Record<string, unknown>]];
      return { [kind]: { TableName: this.table, ...body } } as TxItem;
    });
    try {
      const out = await this.withRetry('transact', () =>
        this.doc.send(
          new TransactWriteCommand({
            TransactItems: withTable,
            ClientRequestToken: token,
            ReturnConsumedCapacity: this.returnCapacity,
          }),
        ),
      );
      this.capacity('transact', out.ConsumedCapacity);
    } catch (e) {
      const reasons = cancellationReasons(e);
      if (reasons) throw new TransactionCancelled(reasons);
      throw e;
    }
  }
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
