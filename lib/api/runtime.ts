/**
 * Process-wide dependencies of a handler: built once per Lambda container (or local server) and
 * reused across invocations, as the SDK's connection reuse expects.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';
import { Db, documentClient, RETRY } from '../store/db.js';
import type { Deps } from './route.js';

let deps: Deps | undefined;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is required`);
  return value;
}

export function depsFromEnv(): Deps {
  if (deps) return deps;
  const endpoint = process.env['DYNAMO_ENDPOINT'];
  // In Lambda the SDK finds region and credentials itself; retries and timeouts: RETRY in db.ts.
  const doc = documentClient(
    endpoint
      ? { endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : { requestTimeoutMs: RETRY.requestTimeoutMs },
  );
  // In the cloud every DynamoDB call is a subsegment of the function's X-Ray trace.
  if (process.env['AWS_LAMBDA_FUNCTION_NAME']) new Tracer().captureAWSv3Client(doc);
  deps = { db: new Db(doc, required('TABLE_NAME')), now: () => Date.now() };
  return deps;
}
