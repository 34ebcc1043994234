/**
 * Process-wide dependencies of a handler: built once per Lambda container (or local server) and
 * reused across invocations, as the SDK's connection reuse expects.
 */
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
  deps = { db: new Db(doc, required('TABLE_NAME')), now: () => Date.now() };
  return deps;
}

let traced: Promise<Deps> | undefined;

/**
 * The functions' dependencies: in Lambda, every DynamoDB call becomes a subsegment of the
 * function's X-Ray trace (Powertools Tracer). Tracer and the X-Ray SDK under it are loaded here,
 * at the first request in the cloud, not when the bundle is imported: about a third of the SDK
 * client's own import time, which nothing outside Lambda (local server, tests, CLI) should pay.
 * In Lambda the cost is paid once per container either way; the bundle benchmark prints it.
 */
export function lambdaDeps(): Promise<Deps> {
  traced ??= (async () => {
    const d = depsFromEnv();
    if (process.env['AWS_LAMBDA_FUNCTION_NAME']) {
      const { Tracer } = await import('@aws-lambda-powertools/tracer');
      new Tracer().captureAWSv3Client(d.db.doc);
    }
    return d;
  })().catch((e: unknown) => {
    traced = undefined;
    throw e;
  });
  return traced;
}
