/**
 * Process-wide dependencies of a handler: built once per Lambda container (or local server) and
 * reused across invocations, as the SDK's connection reuse expects.
 */
import { Db, documentClient } from '../store/db.js';
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
  const doc = documentClient(
    endpoint
      ? { endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : // 1 s per attempt (DynamoDB answers in milliseconds): Db's six attempts and their backoff
        // (under 0.8 s) end in our 503 with Retry-After well inside the function's 10 s timeout,
        // which would otherwise end the request without an answer of ours.
        { region: process.env['AWS_REGION'], timeoutMs: 1_000 },
  );
  deps = { db: new Db(doc, required('TABLE_NAME')), now: () => Date.now() };
  return deps;
}
