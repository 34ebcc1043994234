/**
 * The SDK document client and its retry settings: one per process, shared by every Db (it keeps
 * the connections alive). db.ts re-exports it.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The retry settings of the functions' client, chosen deliberately:
 * - `standard`, not `adaptive`: adaptive adds a client-side rate limiter that slows every later
 *   request of the container after one throttle; a Lambda container serves one request at a time
 *   against an on-demand table, so there is no shared burst to pace, only latency to add.
 * - 3 attempts (the SDK's default) with a 1 s socket timeout each: with the SDK's backoff
 *   (50 ms base, 1 s for throttling, jittered) the worst case stays near 6 s, inside the function's
 *   10 s timeout, so the caller gets our 503 with Retry-After rather than no answer at all.
 */
export const RETRY = { retryMode: 'standard', maxAttempts: 3, requestTimeoutMs: 1_000 } as const;

/**
 * Outside Lambda (the local server, the CLI, tests) the store is DynamoDB Local, a JVM on a
 * developer's machine that can take seconds to answer a large query while the machine is busy:
 * a socket timeout that short would turn a slow answer into a 503.
 */
const LOCAL_REQUEST_TIMEOUT_MS = 10_000;

export interface StoreClientConfig {
  region?: string;
  /** Another endpoint than the region's (DynamoDB Local). */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  maxAttempts?: number;
  /** Socket timeout of one attempt (the functions: RETRY.requestTimeoutMs; elsewhere 10 s). */
  requestTimeoutMs?: number;
  /** The SDK's retry strategy, when not the standard one (tests shorten its backoff). */
  retryStrategy?: DynamoDBClientConfig['retryStrategy'];
}

/**
 * The document client every Db of a process shares (it keeps the connections alive). Numbers are
 * unmarshalled as bigint; undefined attributes are dropped rather than refused.
 */
export function documentClient(config: StoreClientConfig = {}): DynamoDBDocumentClient {
  const { requestTimeoutMs, retryStrategy, maxAttempts, ...rest } = config;
  const client = new DynamoDBClient({
    ...rest,
    ...(retryStrategy
      ? { retryStrategy }
      : { retryMode: RETRY.retryMode, maxAttempts: maxAttempts ?? RETRY.maxAttempts }),
    requestHandler: {
      requestTimeout: requestTimeoutMs ?? LOCAL_REQUEST_TIMEOUT_MS,
      connectionTimeout: requestTimeoutMs ?? LOCAL_REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    },
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
    unmarshallOptions: { wrapNumbers: (value: string) => BigInt(value) },
  });
}
