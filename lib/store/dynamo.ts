/**
 * DynamoDB's JSON protocol over `fetch`, signed with SigV4 by aws4fetch: the whole of what the
 * functions need from the AWS SDK, in a few KB.
 *
 * Why not the SDK in the functions: @aws-sdk/client-dynamodb with its Smithy runtime was 218 KB, 43%
 * of every bundle, and most of each cold start (issue #5, `npm run bench -- --only bundles`). The
 * functions use seven actions of one protocol whose retries are already ours (db.ts), and Lambda
 * hands them credentials in environment variables. What the SDK did beyond that (the credential
 * chain, endpoint rules, its own retries) is not used. The SDK stays a development dependency: the
 * local tools and the tests create tables with it, and the tests check this client against it.
 *
 * The client speaks documents, as the SDK's document client does: plain values in, plain values out,
 * numbers read back as bigint so that fen never become a JS number. The wire format (AttributeValue
 * maps) is made and read by @aws-sdk/util-dynamodb, a small pure package.
 *
 * Errors keep the SDK's shape, which db.ts reads: `name` is the DynamoDB error type
 * (`ConditionalCheckFailedException`, `TransactionCanceledException` with `CancellationReasons`,
 * `ThrottlingException`, ...), the old item of a failed condition comes unmarshalled in `Item`, a
 * failure before any answer is a `NetworkingError` (its code in the message) and a request past
 * its time is a `TimeoutError`; Db retries both.
 */
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { AwsClient } from 'aws4fetch';

export type Action =
  | 'GetItem'
  | 'PutItem'
  | 'UpdateItem'
  | 'Query'
  | 'Scan'
  | 'TransactWriteItems'
  | 'BatchWriteItem';

export type Doc = Record<string, unknown>;
/** A document in DynamoDB's wire form (AttributeValue maps). */
type Wire = Parameters<typeof unmarshall>[0];

export interface DynamoConfig {
  /** AWS region; in Lambda, AWS_REGION. */
  region?: string;
  /** Another endpoint than the region's (DynamoDB Local). */
  endpoint?: string;
  /** In Lambda, read from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** How long one request may take before it is abandoned as a TimeoutError (and retried by Db). */
  timeoutMs?: number;
}

/** An error answered by DynamoDB, or a transport failure, named as the SDK would name it. */
export class DynamoError extends Error {
  /** Why each item of a cancelled transaction failed, in TransactItems order. */
  CancellationReasons?: { Code?: string; Message?: string; Item?: Doc }[];
  /** The item as it was, when a condition failed with ReturnValuesOnConditionCheckFailure. */
  Item?: Doc;
  constructor(
    name: string,
    message: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = name;
  }
}

const wrapNumbers = (value: string) => BigInt(value);
const toWire = (doc: Doc) => marshall(doc, { removeUndefinedValues: true });
const fromWire = (raw: Wire) => unmarshall(raw, { wrapNumbers }) as Doc;

/** The request fields that hold documents (keys, items, expression values), made into wire form. */
function marshallInput(input: Doc): Doc {
  const out: Doc = { ...input };
  for (const field of ['Key', 'Item', 'ExpressionAttributeValues', 'ExclusiveStartKey'] as const) {
    if (out[field] !== undefined) out[field] = toWire(out[field] as Doc);
  }
  if (Array.isArray(out['TransactItems'])) {
    out['TransactItems'] = (out['TransactItems'] as Record<string, Doc>[]).map((it) =>
      Object.fromEntries(Object.entries(it).map(([kind, body]) => [kind, marshallInput(body)])),
    );
  }
  if (out['RequestItems']) {
    out['RequestItems'] = mapRequests(out['RequestItems'] as Doc, toWire);
  }
  return out;
}

/** The response fields that hold documents, read back from wire form. */
function unmarshallOutput(output: Doc): Doc {
  const out: Doc = { ...output };
  for (const field of ['Item', 'Attributes', 'LastEvaluatedKey'] as const) {
    if (out[field] !== undefined) out[field] = fromWire(out[field] as Wire);
  }
  if (Array.isArray(out['Items'])) out['Items'] = (out['Items'] as Wire[]).map(fromWire);
  if (out['UnprocessedItems']) {
    out['UnprocessedItems'] = mapRequests(out['UnprocessedItems'] as Doc, fromWire);
  }
  return out;
}

/** BatchWriteItem's requests by table, their items and keys converted. */
function mapRequests(byTable: Doc, convert: (d: never) => Doc): Doc {
  const request = (body: Doc): Doc => ({
    ...body,
    ...(body['Item'] !== undefined ? { Item: convert(body['Item'] as never) } : {}),
    ...(body['Key'] !== undefined ? { Key: convert(body['Key'] as never) } : {}),
  });
  return Object.fromEntries(
    Object.entries(byTable).map(([table, requests]) => [
      table,
      (requests as Record<string, Doc>[]).map((r) =>
        Object.fromEntries(Object.entries(r).map(([kind, body]) => [kind, request(body)])),
      ),
    ]),
  );
}

/** The error a DynamoDB error answer stands for. */
function answerError(status: number, text: string): DynamoError {
  let body: Doc = {};
  try {
    body = JSON.parse(text) as Doc;
  } catch {
    // Not JSON: a proxy or load balancer answered; the status alone says what happened.
  }
  const type = String(body['__type'] ?? '');
  const name =
    type.slice(type.lastIndexOf('#') + 1) || (status >= 500 ? 'InternalServerError' : 'UnknownError');
  const message = String(body['message'] ?? body['Message'] ?? `DynamoDB answered ${status}`);
  const error = new DynamoError(name, message, status);
  if (Array.isArray(body['CancellationReasons'])) {
    error.CancellationReasons = (body['CancellationReasons'] as Doc[]).map((r) => ({
      ...(r['Code'] !== undefined ? { Code: String(r['Code']) } : {}),
      ...(r['Message'] !== undefined ? { Message: String(r['Message']) } : {}),
      ...(r['Item'] ? { Item: fromWire(r['Item'] as Wire) } : {}),
    }));
  }
  if (body['Item']) error.Item = fromWire(body['Item'] as Wire);
  return error;
}

/** A failure before any answer: a timeout, or else a networking error (its code in the message). */
function transportError(e: unknown): DynamoError {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') {
    return new DynamoError('TimeoutError', 'DynamoDB did not answer in time', undefined, { cause: e });
  }
  const detail = [err?.cause?.code, err?.cause?.message ?? err?.message].filter(Boolean).join(': ');
  return new DynamoError('NetworkingError', detail || String(e), undefined, { cause: e });
}

/** The public endpoint of DynamoDB in a region: the China regions (Beijing, Ningxia) are under amazonaws.com.cn. */
export function regionEndpoint(region: string): string {
  return `https://dynamodb.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}

export class DynamoDocClient {
  private readonly aws: AwsClient;
  private readonly url: string;
  private readonly timeoutMs: number;

  constructor(config: DynamoConfig = {}) {
    const region = config.region ?? process.env['AWS_REGION'] ?? 'us-east-1';
    const credentials = config.credentials ?? {
      accessKeyId: process.env['AWS_ACCESS_KEY_ID'] ?? '',
      secretAccessKey: process.env['AWS_SECRET_ACCESS_KEY'] ?? '',
      sessionToken: process.env['AWS_SESSION_TOKEN'],
    };
    if (!credentials.accessKeyId || !credentials.secretAccessKey) {
      throw new Error('DynamoDB credentials are missing: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
    }
    // Retries are Db's, where tests can observe them and faults can reach them.
    this.aws = new AwsClient({ ...credentials, service: 'dynamodb', region, retries: 0 });
    this.url = config.endpoint ?? regionEndpoint(region);
    this.timeoutMs = config.timeoutMs ?? 5_000;
  }

  /** One action, documents in and out. Throws DynamoError. */
  async send(action: Action, input: Doc): Promise<Doc> {
    // Made before the try: a value that cannot be marshalled is our bug, not a store outage, and
    // must not be retried as a NetworkingError.
    const body = JSON.stringify(marshallInput(input));
    let response: Response;
    let text: string;
    try {
      response = await this.aws.fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': `DynamoDB_20120810.${action}`,
        },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (e) {
      throw transportError(e);
    }
    if (!response.ok) throw answerError(response.status, text);
    return unmarshallOutput(JSON.parse(text) as Doc);
  }
}
