// One DynamoDB Local for the whole vitest run; tests read its endpoint with inject('dynamoEndpoint').
// Set DYNAMO_ENDPOINT to point the suite at an already running instance instead.
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const given = process.env['DYNAMO_ENDPOINT'];
  if (given) {
    project.provide('dynamoEndpoint', given);
    return undefined;
  }
  const dynamo = await startDynamoDbLocal();
  project.provide('dynamoEndpoint', dynamo.endpoint);
  return () => dynamo.stop();
}
