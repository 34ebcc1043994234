/**
 * How the store fails, read from the SDK's errors: a transaction's cancellation (which conditions
 * failed, and what a failed item held), a single write's failed condition, and which failures are
 * the store's fault (our 503) rather than an answer. db.ts re-exports what callers use.
 */
import type { Item } from './db.js';

/** A transaction cancelled because conditions failed. `reasons[i]` is the code for TransactItems[i]. */
export class TransactionCancelled extends Error {
  /**
   * `items[i]`: the item as it stood when item i's condition failed, for a transaction item that
   * asked for it (`ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`), still in DynamoDB's attribute
   * form (`{ last: { N: '41' } }`): the SDK does not unmarshall an error.
   */
  constructor(
    readonly reasons: string[],
    readonly items: (Record<string, unknown> | undefined)[] = [],
  ) {
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

/** Transaction cancellation reasons that say "try again", not "your condition is false". */
const RETRYABLE_REASONS = new Set([
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
]);

export function errorName(e: unknown): string {
  return (e as { name?: string })?.name ?? '';
}

type CancellationReason = { Code?: string; Item?: Record<string, unknown> };

export function cancellationReasons(e: unknown): string[] | undefined {
  if (errorName(e) !== 'TransactionCanceledException') return undefined;
  const reasons = (e as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
  return reasons.map((r) => r.Code ?? 'None');
}

export function cancellationItems(e: unknown): (Record<string, unknown> | undefined)[] {
  return ((e as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? []).map((r) => r.Item);
}

/** What Db itself retries, past the SDK: conflicts between transactions and single writes. */
export function isConflict(e: unknown): boolean {
  const reasons = cancellationReasons(e);
  if (reasons) {
    return !reasons.includes('ConditionalCheckFailed') && reasons.some((r) => RETRYABLE_REASONS.has(r));
  }
  // A single write that met an item inside a running transaction: nothing was written.
  return errorName(e) === 'TransactionConflictException';
}

/**
 * An error the store gave up on after the SDK's retries: the store's fault (throttling, 5xx,
 * timeouts, lost connections), never the request's. These become our 503.
 */
export function isStoreUnavailable(e: unknown): boolean {
  if (isConflict(e)) return true;
  const err = e as {
    name?: string;
    code?: string;
    $retryable?: unknown;
    $fault?: string;
    $metadata?: { httpStatusCode?: number };
  };
  if (!err || typeof err !== 'object') return false;
  if (err.$retryable !== undefined || err.$fault === 'server') return true;
  if ((err.$metadata?.httpStatusCode ?? 0) >= 500 || err.$metadata?.httpStatusCode === 429) return true;
  return UNAVAILABLE.has(err.name ?? '') || UNAVAILABLE.has(err.code ?? '');
}

const UNAVAILABLE = new Set([
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
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
