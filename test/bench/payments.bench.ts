/**
 * Issue 21: provider notifications verified and applied per second, against plain counter payments
 * of the same invoices in the same run (goal: ratio >= 0.5), and DynamoDB round trips per applied
 * notification, counted as roundtrips.bench.ts counts them (goal <= 3). The sandbox signs and
 * encrypts each notification beforehand, so the figure is the service's: verify, decrypt, settle.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { signDevToken } from '../../infra/local/dev-auth.js';
import { localDynamoClientConfig, startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import { wechatNotification } from '../../infra/local/sandbox.js';
import { generateSandboxKeys } from '../../infra/local/sandbox-keys.js';
import { startSandbox } from '../../infra/local/sandbox-start.js';
import { createLocalServer } from '../../infra/local/server.js';
import { logger } from '../../lib/api/lambda.js';
import { parseMoney } from '../../lib/money.js';
import { Db, documentClient } from '../../lib/store/db.js';
import { createTableInput } from '../../lib/store/table.js';
import { StoreCallCounter } from '../support/store-middleware.js';
import type { BenchResult } from './run.js';

const ESTATE = 'PB';
const N = 60;
const CONCURRENCY = 8;

async function pool(tasks: (() => Promise<void>)[], width: number): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) await tasks[next++]!();
    }),
  );
  return (tasks.length / (performance.now() - started)) * 1000;
}

export async function run(): Promise<BenchResult[]> {
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  logger.setLogLevel('WARN');
  const dynamo = await startDynamoDbLocal();
  try {
    const config = localDynamoClientConfig(dynamo.endpoint);
    const table = `pb-${randomBytes(4).toString('hex')}`;
    await new DynamoDBClient(config).send(new CreateTableCommand(createTableInput(table)));
    const doc = documentClient(config);
    const counter = new StoreCallCounter().watch(doc);
    const clock = { now: Date.parse('2024-03-10T10:00:00+08:00') };
    const signingKey = new Uint8Array(randomBytes(32));
    const keys = generateSandboxKeys();
    let sandbox: ReturnType<typeof startSandbox> | undefined;
    const server = createLocalServer(
      { db: new Db(doc, table), now: () => clock.now },
      { signingKey, staticHandler: (req) => sandbox!.handle(req) },
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    sandbox = startSandbox(keys, base, () => clock.now);
    const token = (role: string, extra: Record<string, unknown> = {}) =>
      signDevToken({ role, estates: [ESTATE], sub: `${role}-pb`, ...extra } as never, signingKey);
    const admin = await token('admin');
    const cashier = await token('cashier');
    let k = 0;
    const call = async (t: string, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${t}`,
          'content-type': 'application/json',
          'idempotency-key': `pb-${++k}`,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const json = (await res.json()) as Record<string, unknown>;
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };
    await call(admin, 'POST', '/v1/estates', { estateId: ESTATE, name: '支付小区' });
    // 2N units with one open invoice each: N paid at the counter, N through notifications.
    const invoices: { invoiceNo: string; total: string; unitId: string }[] = [];
    for (let i = 0; i < 2 * N; i++) {
      const unit = await call(admin, 'POST', `/v1/estates/${ESTATE}/units`, {
        building: '1',
        room: String(101 + i),
        unitType: 'HIGH_RISE',
        area: '89.56',
        deliveryDate: '2024-03-10',
        ownerIds: [`owner-${i}`],
      });
      const inv = await call(cashier, 'POST', '/v1/invoices', {
        unitId: unit['unitId'],
        items: [{ type: 'PROPERTY_FEE' }],
      });
      invoices.push({
        invoiceNo: inv['invoiceNo'] as string,
        total: inv['total'] as string,
        unitId: unit['unitId'] as string,
      });
    }
    const notifications: { headers: Record<string, string>; body: string }[] = [];
    for (const [i, inv] of invoices.slice(N).entries()) {
      const owner = await token('owner', { estates: [], units: [inv.unitId], sub: `owner-${N + i}` });
      const order = await call(owner, 'POST', '/v1/payment-orders', {
        invoiceId: inv.invoiceNo,
        provider: 'WECHAT',
      });
      notifications.push(
        wechatNotification(
          keys,
          {
            outTradeNo: order['outTradeNo'] as string,
            transactionId: `4200${String(i).padStart(12, '0')}`,
            amount: parseMoney(order['amount'], 'amount'),
          },
          clock.now,
        ),
      );
    }
    const notify = async (n: { headers: Record<string, string>; body: string }) => {
      const res = await fetch(`${base}/v1/payment-notify/wechat?estateId=${ESTATE}`, {
        method: 'POST',
        headers: n.headers,
        body: n.body,
      });
      if (res.status !== 204) throw new Error(`notification answered ${res.status}: ${await res.text()}`);
    };
    // Round trips of one applied notification, alone.
    counter.reset();
    await notify(notifications[0]!);
    const rounds = counter.sequential;
    const calls = counter.calls;
    const actions = [...counter.actions];

    const counterRate = await pool(
      invoices.slice(1, N).map((inv) => async () => {
        await call(cashier, 'POST', `/v1/invoices/${inv.invoiceNo}/payments`, {
          channel: 'TRANSFER',
          amount: inv.total,
          reference: 'pb',
        });
      }),
      CONCURRENCY,
    );
    const notifyRate = await pool(
      notifications.slice(1).map((n) => () => notify(n)),
      CONCURRENCY,
    );
    server.close();
    const ratio = notifyRate / counterRate;
    console.log(
      `payments notifications=${notifyRate.toFixed(1)}/s counter=${counterRate.toFixed(1)}/s ratio=${ratio.toFixed(2)} roundtrips=${rounds}`,
    );
    return [
      { name: 'payments/counter-payments', value: Math.round(counterRate * 10) / 10, unit: 'payments/s' },
      {
        name: 'payments/notifications',
        value: Math.round(notifyRate * 10) / 10,
        unit: 'verified and applied/s',
        reference: 'payments/counter-payments',
        ratio: Math.round(ratio * 100) / 100,
        goal: 'ratio >= 0.5',
        ok: ratio >= 0.5,
      },
      {
        name: 'payments/roundtrips-per-notification',
        value: rounds,
        unit: `sequential calls (${calls} calls: ${actions.join(' ')})`,
        goal: '<= 3',
        ok: rounds <= 3,
      },
    ];
  } finally {
    await dynamo.stop();
  }
}
