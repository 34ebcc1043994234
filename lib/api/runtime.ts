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
      : { region: process.env['AWS_REGION'] },
  );
  deps = { db: new Db(doc, required('TABLE_NAME')), now: () => Date.now() };
  return deps;
}
