/**
 * Db on the official SDK's document client (lib/store/db.ts):
 * - against DynamoDB Local, documents go in and come back value for value (bigint numbers, nested
 *   maps, lists, Chinese text, empty strings), conditions, transactions and pages behave as Db says;
 * - against a fake DynamoDB on a local port, the answers DynamoDB Local never gives (throttling,
 *   a 5xx without JSON, a hang, a dropped connection, a conflicting transaction) are retried as
 *   RETRY says and end in our UnavailableError, while a failed condition is answered at once;
 * - the client resolves the China regions' endpoints, and signs for the region.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnavailableError } from '../../lib/errors.js';
import { ConditionFailed, Db, documentClient, RETRY, TransactionCancelled } from '../../lib/store/db.js';
import { createTableInput } from '../../lib/store/table.js';
import {
  createTableFromInput,
  freshTableName,
  testDocumentClient,
  testDynamoClient,
} from '../support/dynamo.js';

const ITEM = {
  PK: 'INVOICE#DEMO-2026-000001',
  SK: 'A',
  total: 1234567890123456789n,
  zero: 0n,
  negative: -5n,
  name: '张三 · 1栋101',
  empty: '',
  flag: true,
  nothing: null,
  lines: [{ feeCode: 'PROPERTY_FEE', amount: 289400n, trace: { area: '89.56', rate: '3.20' } }],
};

describe('against DynamoDB Local', () => {
  let db: Db;

  beforeAll(async () => {
    const table = await freshTableName('client');
    await createTableFromInput(testDynamoClient(), createTableInput(table));
    db = new Db(testDocumentClient(), table);
  });

  it('reads back what it wrote value for value, numbers as bigint, undefined attributes dropped', async () => {
    await db.put({ ...ITEM, skipped: undefined });
    expect(await db.get({ PK: ITEM.PK, SK: 'A' })).toEqual(ITEM);
  });

  it('gives the old item of a failed condition, and the reasons of a cancelled transaction', async () => {
    await db.put({ PK: 'X#1', SK: 'A', amount: 100n });
    const refused = db.put(
      { PK: 'X#1', SK: 'A', amount: 200n },
      { ConditionExpression: 'attribute_not_exists(PK)' },
    );
    await expect(refused).rejects.toBeInstanceOf(ConditionFailed);
    await expect(refused).rejects.toMatchObject({ item: { PK: 'X#1', amount: 100n } });

    const failed = db.transact([
      { Put: { Item: { PK: 'X#2', SK: 'A' }, ConditionExpression: 'attribute_not_exists(PK)' } },
      {
        ConditionCheck: {
          Key: { PK: 'X#1', SK: 'A' },
          ConditionExpression: 'amount = :a',
          ExpressionAttributeValues: { ':a': 999n },
        },
      },
    ]);
    await expect(failed).rejects.toBeInstanceOf(TransactionCancelled);
    await expect(failed).rejects.toMatchObject({ reasons: ['None', 'ConditionalCheckFailed'] });
    expect(await db.get({ PK: 'X#2', SK: 'A' })).toBeUndefined();
  });

  it('pages a query with a last key that resumes where it stopped', async () => {
    await db.batchPut(Array.from({ length: 30 }, (_, i) => ({ PK: 'P#1', SK: String(i).padStart(3, '0') })));
    const first = await db.query({
      KeyConditionExpression: 'PK = :p',
      ExpressionAttributeValues: { ':p': 'P#1' },
      Limit: 20,
    });
    expect(first.items).toHaveLength(20);
    expect(first.lastKey).toEqual({ PK: 'P#1', SK: '019' });
    const rest = await db.queryAll({
      KeyConditionExpression: 'PK = :p',
      ExpressionAttributeValues: { ':p': 'P#1' },
      ExclusiveStartKey: first.lastKey,
    });
    expect(rest.map((i) => i['SK'])).toEqual(
      Array.from({ length: 10 }, (_, i) => String(20 + i).padStart(3, '0')),
    );
  });
});

/** An error answer as DynamoDB gives it: the type, namespaced, in `__type`. */
const dynamoError = (status: number, type: string, fields: Record<string, unknown>) => ({
  status,
  body: JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, ...fields }),
});

describe('against a fake DynamoDB', () => {
  let server: Server;
  let answer: (req: IncomingMessage, body: string) => { status: number; body: string } | 'hang' | 'drop';
  const seen: { headers: IncomingMessage['headers']; body: string }[] = [];
  let db: Db;
  const ATTEMPTS = 3;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ headers: req.headers, body });
        const a = answer(req, body);
        if (a === 'hang') return;
        if (a === 'drop') return req.socket.destroy();
        res.writeHead(a.status, { 'content-type': 'application/x-amz-json-1.0' }).end(a.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const doc = documentClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'cn-north-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'tok' },
      requestTimeoutMs: 200,
      retryStrategy: new ConfiguredRetryStrategy(ATTEMPTS, 1),
    });
    db = new Db(doc, 't', { conflictAttempts: 3 });
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  /** What a call threw, and how many requests reached the server for it. */
  async function outcome(call: () => Promise<unknown>): Promise<{ error: unknown; requests: number }> {
    const before = seen.length;
    const error = await call().then(
      () => undefined,
      (e: unknown) => e,
    );
    return { error, requests: seen.length - before };
  }

  it('signs each request for DynamoDB in its region and names the action', async () => {
    answer = () => ({ status: 200, body: JSON.stringify({ Item: { PK: { S: 'A' }, n: { N: '42' } } }) });
    expect(await db.get({ PK: 'A', SK: 'B' })).toEqual({ PK: 'A', n: 42n });
    const req = seen.at(-1)!;
    expect(req.headers['x-amz-target']).toBe('DynamoDB_20120810.GetItem');
    expect(req.headers['authorization']).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/cn-north-1\/dynamodb\/aws4_request, SignedHeaders=.*x-amz-target.*, Signature=[0-9a-f]{64}$/,
    );
    expect(req.headers['x-amz-security-token']).toBe('tok');
    expect(JSON.parse(req.body)).toMatchObject({ TableName: 't', Key: { PK: { S: 'A' }, SK: { S: 'B' } } });
  });

  it('retries throttling as many times as configured, then answers 503 that a retry is safe', async () => {
    answer = () => dynamoError(400, 'ProvisionedThroughputExceededException', { message: 'slow down' });
    const { error, requests } = await outcome(() => db.put({ PK: 'A', SK: 'B' }));
    expect(requests).toBe(ATTEMPTS);
    expect(error).toBeInstanceOf(UnavailableError);
    // A write whose outcome the caller cannot know: the answer says the retry is safe, not that nothing changed.
    expect((error as Error).message).toMatch(/same Idempotency-Key/);

    const read = await outcome(() => db.get({ PK: 'A', SK: 'B' }));
    expect(read.error).toBeInstanceOf(UnavailableError);
    expect((read.error as Error).message).toMatch(/nothing was changed/);
  });

  it('retries a transaction cancelled by a conflict with the same token, but not a failed condition', async () => {
    answer = () =>
      dynamoError(400, 'TransactionCanceledException', {
        Message: 'cancelled',
        CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
      });
    const items = [{ Put: { Item: { PK: 'A', SK: 'B' } } }, { Put: { Item: { PK: 'A', SK: 'C' } } }];
    const conflict = await outcome(() => db.transact(items, 'token-1'));
    expect(conflict.requests).toBe(3);
    expect(conflict.error).toBeInstanceOf(UnavailableError);
    const tokens = new Set(seen.slice(-3).map((r) => JSON.parse(r.body).ClientRequestToken));
    expect([...tokens]).toEqual(['token-1']);

    answer = () =>
      dynamoError(400, 'TransactionCanceledException', {
        Message: 'cancelled',
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
      });
    const condition = await outcome(() => db.transact(items));
    expect(condition.requests).toBe(1);
    expect(condition.error).toBeInstanceOf(TransactionCancelled);
    expect((condition.error as TransactionCancelled).failedAt(0)).toBe(true);

    answer = () =>
      dynamoError(400, 'ConditionalCheckFailedException', { Item: { PK: { S: 'A' }, amount: { N: '100' } } });
    const put = await outcome(() =>
      db.put({ PK: 'A', SK: 'B' }, { ConditionExpression: 'attribute_not_exists(PK)' }),
    );
    expect(put.requests).toBe(1);
    expect(put.error).toBeInstanceOf(ConditionFailed);
    expect((put.error as ConditionFailed).item).toEqual({ PK: 'A', amount: 100n });
  });

  it('retries a 5xx without JSON, a hang and a dropped connection, then answers 503', async () => {
    for (const a of [{ status: 502, body: '<html>Bad Gateway</html>' }, 'hang' as const, 'drop' as const]) {
      answer = () => a;
      const { error, requests } = await outcome(() =>
        db.query({ KeyConditionExpression: 'PK = :p', ExpressionAttributeValues: { ':p': 'A' } }),
      );
      expect(requests, JSON.stringify(a)).toBe(ATTEMPTS);
      expect(error, JSON.stringify(a)).toBeInstanceOf(UnavailableError);
    }
  });

  it("answers a 5xx of a type it has never heard of as the store's fault", async () => {
    answer = () => dynamoError(500, 'SomethingNewException', { message: 'x' });
    const { error, requests } = await outcome(() => db.get({ PK: 'A', SK: 'B' }));
    expect(requests).toBe(ATTEMPTS);
    expect(error).toBeInstanceOf(UnavailableError);
  });

  it('throws a value it cannot marshal as the bug it is: no request, no retry, no "store busy"', async () => {
    const { error, requests } = await outcome(() => db.put({ PK: 'A', SK: 'B', at: new Date(0) }));
    expect(requests).toBe(0);
    expect(error).not.toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toMatch(/Unsupported type|Date/);
  });
});

describe("the functions' client", () => {
  it('resolves the China regions to amazonaws.com.cn and keeps the chosen retry settings', async () => {
    for (const [region, host] of [
      ['cn-north-1', 'dynamodb.cn-north-1.amazonaws.com.cn'],
      ['cn-northwest-1', 'dynamodb.cn-northwest-1.amazonaws.com.cn'],
      ['ap-east-1', 'dynamodb.ap-east-1.amazonaws.com'],
    ] as const) {
      const doc = documentClient({ region, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
      const resolved = doc.config.endpointProvider({ Region: region, UseFIPS: false, UseDualStack: false });
      expect(resolved.url.host).toBe(host);
      expect(await doc.config.maxAttempts()).toBe(RETRY.maxAttempts);
      const mode = doc.config.retryMode;
      expect(typeof mode === 'string' ? mode : await mode()).toBe(RETRY.retryMode);
      doc.destroy();
    }
  });
});
