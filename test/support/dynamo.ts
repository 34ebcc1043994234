import { randomBytes } from 'node:crypto';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { localDynamoClientConfig } from '../../infra/local/dynamodb-local.js';

/** The endpoint of the DynamoDB Local started by test/support/global-setup.ts. */
export function testEndpoint(): string {
  return inject('dynamoEndpoint');
}

/** A client for the test run's DynamoDB Local. */
export function testDynamoClient(): DynamoDBClient {
  return new DynamoDBClient(localDynamoClientConfig(testEndpoint()));
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
