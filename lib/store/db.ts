/**
 * The DynamoDB adapter: one document client, one retry policy, one error mapping.
 *
 * The client is the official SDK v3 `DynamoDBDocumentClient` (lib-dynamodb over client-dynamodb),
 * built once per container by `documentClient()`: the SDK brings endpoint resolution (China
 * regions are on amazonaws.com.cn, FIPS and dual-stack), clock-skew correction, maintained retries
 * and X-Ray instrumentation.
 *
 * - Numbers are read back as bigint (fen never become a JS number on the way out of the store).
 * - Retries: the SDK's standard strategy retries throttling, 5xx, timeouts and dropped connections
 *   (see RETRY in client.ts for the chosen attempts and why). A transaction is retried with the same
 *   ClientRequestToken, so a retry after an ambiguous failure (committed, but the answer was lost)
 *   cannot apply it twice. The one thing the SDK does not retry is a transaction cancelled by a
 *   *conflict* with another transaction (no condition failed): Db retries that itself.
 * - Condition failures are not retried: they are business answers, surfaced as
 *   `TransactionCancelled` with the index of each failed item, or `ConditionFailed`.
 * - When retries run out the caller gets `UnavailableError` (503). A read or a refused write changed
 *   nothing; a write whose outcome is unknown is safe to retry under the same Idempotency-Key.
 */
import { randomUUID } from 'node:crypto';
import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { UnavailableError, ValidationError } from '../errors.js';
import {
  ConditionFailed,
  cancellationItems,
  cancellationReasons,
  errorName,
  isConflict,
  isStoreUnavailable,
  TransactionCancelled,
} from './failures.js';

export { documentClient, RETRY, type StoreClientConfig } from './client.js';
export { ConditionFailed, isStoreUnavailable, TransactionCancelled } from './failures.js';

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

export type StoreOp = 'get' | 'query' | 'scan' | 'put' | 'update' | 'transact' | 'batch';

export interface DbOptions {
  /** Attempts of a transaction cancelled by a conflict with another transaction (default 4). */
  conflictAttempts?: number;
  /** Receives a record of every consumed-capacity report (benchmarks). */
  onCapacity?: (op: string, read: number, write: number) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The document commands Db sends, by store operation. */
type Command =
  | GetCommand
  | PutCommand
  | UpdateCommand
  | QueryCommand
  | ScanCommand
  | TransactWriteCommand
  | BatchGetCommand
  | BatchWriteCommand;

/** A failed condition's old item comes back in wire form on the error; read it as a document. */
function oldItem(e: unknown): Item | undefined {
  const raw = (e as { Item?: Parameters<typeof unmarshall>[0] }).Item;
  return raw ? (unmarshall(raw, { wrapNumbers: (v: string) => BigInt(v) }) as Item) : undefined;
}

export class Db {
  private readonly conflictAttempts: number;

  constructor(
    readonly doc: DynamoDBDocumentClient,
    readonly table: string,
    private readonly opts: DbOptions = {},
  ) {
    this.conflictAttempts = opts.conflictAttempts ?? 4;
  }

  /**
   * Sends one command. The SDK retries what it knows to be transient; what is still a store fault
   * after that becomes UnavailableError. (Tests observe calls and inject faults with middleware
   * on the client: test/support/store-middleware.ts.)
   */
  private async send<T>(op: StoreOp, command: Command): Promise<T> {
    try {
      return (await this.doc.send(command as never)) as T;
    } catch (e) {
      if (isStoreUnavailable(e) && !cancellationReasons(e)) throw this.unavailable(op, e);
      throw e;
    }
  }

  private unavailable(op: StoreOp, cause: unknown): UnavailableError {
    const write = op === 'put' || op === 'update' || op === 'transact' || op === 'batch';
    return new UnavailableError(
      write
        ? 'the billing store is busy; retry with the same Idempotency-Key, which is safe whether or not this request was recorded'
        : 'the billing store is busy; nothing was changed, please retry',
      1,
      { cause },
    );
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

  private get returnCapacity(): { ReturnConsumedCapacity?: 'TOTAL' } {
    return this.opts.onCapacity ? { ReturnConsumedCapacity: 'TOTAL' } : {};
  }

  async get<T extends Item = Item>(key: Key, consistent = true): Promise<T | undefined> {
    const input = { TableName: this.table, Key: key, ConsistentRead: consistent, ...this.returnCapacity };
    const out = await this.send<{ Item?: Item; ConsumedCapacity?: unknown }>('get', new GetCommand(input));
    this.capacity('get', out.ConsumedCapacity);
    return out.Item as T | undefined;
  }

  async query<T extends Item = Item>(q: QueryInput): Promise<{ items: T[]; lastKey?: Item }> {
    const input = {
      TableName: this.table,
      // Reads that decide a write must see every committed write; indexes cannot be read so.
      ...(q.IndexName ? {} : { ConsistentRead: true }),
      ...this.returnCapacity,
      ...q,
    };
    const out = await this.send<Item>('query', new QueryCommand(input));
    this.capacity('query', out['ConsumedCapacity']);
    return page<T>(out);
  }

  /**
   * Many items by key, eventually consistent: 100 keys to a request, `parallel` requests in
   * flight, unprocessed keys sent again. Answers in no particular order (match by key).
   */
  async batchGet<T extends Item = Item>(keys: Key[], parallel = 4): Promise<T[]> {
    const found: T[] = [];
    const chunks: Key[][] = [];
    for (let i = 0; i < keys.length; i += 100) chunks.push(keys.slice(i, i + 100));
    let next = 0;
    const reader = async () => {
      while (next < chunks.length) {
        let pending: Item[] = chunks[next++]!;
        for (let round = 0; pending.length > 0; round++) {
          if (round === 10) throw new UnavailableError('the store kept keys of a batch unprocessed', 1);
          const input = { RequestItems: { [this.table]: { Keys: pending } }, ...this.returnCapacity };
          const out = await this.send<Item>('get', new BatchGetCommand(input as never));
          this.capacity('get', out['ConsumedCapacity']);
          found.push(...(((out['Responses'] as Record<string, T[]> | undefined)?.[this.table] ?? []) as T[]));
          const left = (out['UnprocessedKeys'] as Record<string, { Keys?: Item[] }> | undefined)?.[
            this.table
          ];
          pending = left?.Keys ?? [];
          if (pending.length > 0) await sleep(Math.min(800, 25 * 2 ** round));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallel, chunks.length) }, reader));
    return found;
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
  async scan<T extends Item = Item>(s: ScanInput = {}): Promise<{ items: T[]; lastKey?: Item }> {
    const input = { TableName: this.table, ...this.returnCapacity, ...s };
    const out = await this.send<Item>('scan', new ScanCommand(input));
    this.capacity('scan', out['ConsumedCapacity']);
    return page<T>(out);
  }

  /** A conditional put; a failed condition throws ConditionFailed carrying the existing item. */
  async put(item: Item, condition?: PutCondition): Promise<void> {
    const input = {
      TableName: this.table,
      Item: item,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
      ...this.returnCapacity,
      ...condition,
    };
    try {
      const out = await this.send<Item>('put', new PutCommand(input));
      this.capacity('put', out['ConsumedCapacity']);
    } catch (e) {
      if (errorName(e) === 'ConditionalCheckFailedException') throw new ConditionFailed(oldItem(e));
      throw e;
    }
  }

  async update(u: UpdateInput): Promise<Item | undefined> {
    const input = { TableName: this.table, ...this.returnCapacity, ...u };
    try {
      const out = await this.send<Item>('update', new UpdateCommand(input));
      this.capacity('update', out['ConsumedCapacity']);
      return out['Attributes'] as Item | undefined;
    } catch (e) {
      if (errorName(e) === 'ConditionalCheckFailedException') throw new ConditionFailed();
      throw e;
    }
  }

  /**
   * One atomic write of up to 100 items. Each item gets this table's name. Every attempt, the
   * SDK's and ours, reuses one ClientRequestToken, so DynamoDB applies the transaction at most once.
   */
  async transact(items: TxItem[], token: string = randomUUID()): Promise<void> {
    if (items.length > 100)
      throw new RangeError(`a transaction holds at most 100 items, not ${items.length}`);
    const TransactItems = items.map((it) => {
      const [[kind, body]] = Object.entries(it) as [[string, Item]];
      return { [kind]: { ...body, TableName: this.table } };
    });
    const input = { TransactItems, ClientRequestToken: token, ...this.returnCapacity };
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.conflictAttempts; attempt++) {
      try {
        // A command is single-use once its middleware is resolved: a new one per attempt.
        const out = await this.send<Item>('transact', new TransactWriteCommand(input as never));
        this.capacity('transact', out['ConsumedCapacity']);
        return;
      } catch (e) {
        if (!isConflict(e)) {
          const reasons = cancellationReasons(e);
          if (reasons) throw new TransactionCancelled(reasons, cancellationItems(e));
          throw e;
        }
        lastError = e;
        if (attempt < this.conflictAttempts) await sleep(Math.random() * Math.min(400, 20 * 2 ** attempt));
      }
    }
    throw this.unavailable('transact', lastError);
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
        const input = { RequestItems: { [this.table]: pending } };
        const out = await this.send<Item>('batch', new BatchWriteCommand(input as never));
        pending = (out['UnprocessedItems'] as Record<string, Item[]> | undefined)?.[this.table] ?? [];
        if (pending.length > 0) await sleep(Math.min(800, 25 * 2 ** round));
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
