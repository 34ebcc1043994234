import { randomBytes } from 'node:crypto';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { inject } from 'vitest';
import { localDynamoClientConfig } from '../../infra/local/dynamodb-local.js';
import { documentClient } from '../../lib/store/db.js';

/** The endpoint of the DynamoDB Local started by test/support/global-setup.ts. */
export function testEndpoint(): string {
  return inject('dynamoEndpoint');
}

/** A client for the test run's DynamoDB Local. */
export function testDynamoClient(): DynamoDBClient {
  return new DynamoDBClient(localDynamoClientConfig(testEndpoint()));
}

/** How a test's store client retries: the SDK's own strategy with a few ms of backoff, not seconds. */
export interface TestRetry {
  /** The SDK's attempts per call (default 3, as in the functions). */
  maxAttempts?: number;
  /** Backoff cap for the first retry, doubling after (default 2 ms, at most 20 ms). */
  baseDelayMs?: number;
}

/** A document client on the test run's DynamoDB Local, retrying as `retry` says. */
export function testDocumentClient(retry: TestRetry = {}): DynamoDBDocumentClient {
  const base = retry.baseDelayMs ?? 2;
  return documentClient({
    ...localDynamoClientConfig(testEndpoint()),
    retryStrategy: new ConfiguredRetryStrategy(retry.maxAttempts ?? 3, (attempt) =>
      Math.floor(Math.random() * Math.min(20, base * 2 ** (attempt - 1))),
    ),
  });
}

/**
 * A table name no other test uses: all test files share one `-sharedDb` instance, so each test
 * works in its own table instead of cleaning up someone else's.
 */
export async function freshTableName(prefix = 't'): Promise<string> {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
}

/** Creates the table and resolves once it is ACTIVE. */
export async function createTableFromInput(
  client: DynamoDBClient,
  input: CreateTableCommandInput,
): Promise<void> {
  await client.send(new CreateTableCommand(input));
  // Throws unless the table reaches ACTIVE (DynamoDB Local normally creates it ACTIVE at once).
  await waitUntilTableExists(
    { client, minDelay: 0.1, maxDelay: 1, maxWaitTime: 30 },
    { TableName: input.TableName },
  );
}
