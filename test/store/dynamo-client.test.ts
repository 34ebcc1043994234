/**
 * lib/store/dynamo.ts, the functions' DynamoDB client, held to the AWS SDK it replaces:
 * - against DynamoDB Local, what one writes the other reads back the same (bigint numbers, nested
 *   maps, lists, Chinese text, empty strings), and conditions, transactions and pages behave alike;
 * - against a fake DynamoDB on a local port, the answers DynamoDB Local never gives (throttling,
 *   a 5xx without JSON, a hang, a dropped connection) become the errors Db retries, named as the
 *   SDK names them, and every request is signed.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDynamoClientConfig } from '../../infra/local/dynamodb-local.js';
import { Db, isRetryable, TransactionCancelled } from '../../lib/store/db.js';
import { DynamoDocClient, DynamoError, regionEndpoint } from '../../lib/store/dynamo.js';
import { createTableInput } from '../../lib/store/table.js';
import { createTableFromInput, freshTableName, testDynamoClient, testEndpoint } from '../support/dynamo.js';

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

describe('against DynamoDB Local, beside the AWS SDK', () => {
  let table: string;
  let ours: DynamoDocClient;
  let sdk: DynamoDBDocumentClient;

  beforeAll(async () => {
    table = await freshTableName('client');
    await createTableFromInput(testDynamoClient(), createTableInput(table));
    ours = new DynamoDocClient(localDynamoClientConfig(testEndpoint()));
    sdk = DynamoDBDocumentClient.from(testDynamoClient(), {
      unmarshallOptions: { wrapNumbers: (v: string) => BigInt(v) },
    });
  });

  it('reads back what the SDK wrote, and the SDK reads back what it wrote, value for value', async () => {
    await sdk.send(new PutCommand({ TableName: table, Item: ITEM }));
    const read = await ours.send('GetItem', { TableName: table, Key: { PK: ITEM.PK, SK: 'A' } });
    expect(read['Item']).toEqual(ITEM);

    await ours.send('PutItem', { TableName: table, Item: { ...ITEM, SK: 'B', skipped: undefined } });
    const back = await sdk.send(new GetCommand({ TableName: table, Key: { PK: ITEM.PK, SK: 'B' } }));
    expect(back.Item).toEqual({ ...ITEM, SK: 'B' });
  });

  it('gives the old item of a failed condition, and the reasons of a cancelled transaction', async () => {
    const db = new Db(ours, table);
    await db.put({ PK: 'X#1', SK: 'A', amount: 100n });
    await expect(
      db.put({ PK: 'X#1', SK: 'A', amount: 200n }, { ConditionExpression: 'attribute_not_exists(PK)' }),
    ).rejects.toMatchObject({ name: 'ConditionFailed', item: { PK: 'X#1', amount: 100n } });

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
    const db = new Db(ours, table);
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
  let client: DynamoDocClient;

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
    client = new DynamoDocClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'cn-north-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'tok' },
      timeoutMs: 200,
    });
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  const fails = async (p: Promise<unknown>) => {
    const e = await p.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(DynamoError);
    return e as DynamoError;
  };

  it('signs each request for DynamoDB in its region and names the action', async () => {
    answer = () => ({ status: 200, body: JSON.stringify({ Item: { PK: { S: 'A' }, n: { N: '42' } } }) });
    const out = await client.send('GetItem', { TableName: 't', Key: { PK: 'A', SK: 'B' } });
    expect(out['Item']).toEqual({ PK: 'A', n: 42n });
    const req = seen.at(-1)!;
    expect(req.headers['x-amz-target']).toBe('DynamoDB_20120810.GetItem');
    expect(req.headers['authorization']).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/cn-north-1\/dynamodb\/aws4_request, SignedHeaders=.*x-amz-target.*, Signature=[0-9a-f]{64}$/,
    );
    expect(req.headers['x-amz-security-token']).toBe('tok');
    expect(JSON.parse(req.body)).toEqual({ TableName: 't', Key: { PK: { S: 'A' }, SK: { S: 'B' } } });
  });

  it('names DynamoDB errors by their type, and throttling is retryable while a failed condition is not', async () => {
    answer = () => dynamoError(400, 'ProvisionedThroughputExceededException', { message: 'slow down' });
    const throttled = await fails(client.send('PutItem', { TableName: 't', Item: { PK: 'A' } }));
    expect(throttled.name).toBe('ProvisionedThroughputExceededException');
    expect(throttled.message).toBe('slow down');
    expect(isRetryable(throttled)).toBe(true);

    answer = () =>
      dynamoError(400, 'TransactionCanceledException', {
        Message: 'cancelled',
        CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
      });
    const conflict = await fails(client.send('TransactWriteItems', { TransactItems: [] }));
    expect(conflict.CancellationReasons?.map((r) => r.Code)).toEqual(['None', 'TransactionConflict']);
    expect(isRetryable(conflict)).toBe(true);

    answer = () =>
      dynamoError(400, 'ConditionalCheckFailedException', { Item: { PK: { S: 'A' }, amount: { N: '100' } } });
    const condition = await fails(client.send('PutItem', { TableName: 't', Item: { PK: 'A' } }));
    expect(condition.name).toBe('ConditionalCheckFailedException');
    expect(condition.Item).toEqual({ PK: 'A', amount: 100n });
    expect(isRetryable(condition)).toBe(false);
  });

  it('turns a 5xx without JSON, a hang and a dropped connection into retryable errors', async () => {
    answer = () => ({ status: 502, body: '<html>Bad Gateway</html>' });
    const gateway = await fails(client.send('Query', { TableName: 't' }));
    expect(gateway.name).toBe('InternalServerError');
    expect(isRetryable(gateway)).toBe(true);

    answer = () => 'hang';
    const hung = await fails(client.send('Query', { TableName: 't' }));
    expect(hung.name).toBe('TimeoutError');
    expect(isRetryable(hung)).toBe(true);

    answer = () => 'drop';
    const dropped = await fails(client.send('Query', { TableName: 't' }));
    expect(dropped.name).toBe('NetworkingError');
    expect(dropped.message).toMatch(/UND_ERR_SOCKET|ECONNRESET|closed/);
    expect(isRetryable(dropped)).toBe(true);
  });

  it("answers a 5xx of a type it has never heard of as retryable: the fault is on DynamoDB's side", async () => {
    answer = () => dynamoError(500, 'SomethingNewException', { message: 'x' });
    const unknown = await fails(client.send('Query', { TableName: 't' }));
    expect(unknown.name).toBe('SomethingNewException');
    expect(isRetryable(unknown)).toBe(true);
  });

  it('throws a value it cannot marshal as the bug it is: no request, no retry, no "store busy"', async () => {
    const before = seen.length;
    const db = new Db(client, 't', { baseDelayMs: 1 });
    const failure = await db.put({ PK: 'A', SK: 'B', at: new Date(0) }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(failure?.message).toMatch(/Unsupported type/);
    expect(failure?.name).toBe('Error');
    expect(isRetryable(failure)).toBe(false);
    expect(seen.length).toBe(before);
  });

  it('refuses to start without credentials rather than send unsigned requests', () => {
    const saved = { id: process.env['AWS_ACCESS_KEY_ID'], secret: process.env['AWS_SECRET_ACCESS_KEY'] };
    delete process.env['AWS_ACCESS_KEY_ID'];
    delete process.env['AWS_SECRET_ACCESS_KEY'];
    try {
      expect(() => new DynamoDocClient({ region: 'cn-north-1' })).toThrow(/AWS_ACCESS_KEY_ID/);
    } finally {
      if (saved.id !== undefined) process.env['AWS_ACCESS_KEY_ID'] = saved.id;
      if (saved.secret !== undefined) process.env['AWS_SECRET_ACCESS_KEY'] = saved.secret;
    }
  });
});

describe('the endpoint of a region', () => {
  it('is where the AWS SDK would send the request, in the China regions too', async () => {
    for (const region of ['ap-east-1', 'cn-north-1', 'cn-northwest-1', 'eu-west-1', 'us-gov-west-1']) {
      const sdk = new DynamoDBClient({ region, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
      const resolved = sdk.config.endpointProvider({ Region: region, UseFIPS: false, UseDualStack: false });
      expect(regionEndpoint(region), region).toBe(resolved.url.href.replace(/\/$/, ''));
      sdk.destroy();
    }
  });
});
