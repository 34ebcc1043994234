/**
 * DynamoDB round trips per request (issue #16): the sequential waits a request spends on the store,
 * counted by an SDK middleware while the local server answers one request at a time through the
 * real route table. Budget on the happy path: at most 3 for issuing an invoice, paying it, and
 * paying a parking session (read what is needed once, then one TransactWriteItems holding the
 * document, the ledger, the audit record and the idempotency record). The renewal job is reported
 * per unit renewed. Counts, not times: they do not move with the machine's load.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { signDevToken } from '../../infra/local/dev-auth.js';
import { localDynamoClientConfig, startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import { createLocalServer } from '../../infra/local/server.js';
import { logger } from '../../lib/api/lambda.js';
import { Db, documentClient } from '../../lib/store/db.js';
import { createTableInput } from '../../lib/store/table.js';
import { StoreCallCounter } from '../support/store-middleware.js';
import type { BenchResult } from './run.js';

const BUDGET = 3;
const ESTATE = 'RT';
const RENEWED_UNITS = 10;

export async function run(): Promise<BenchResult[]> {
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  logger.setLogLevel('WARN');
  const dynamo = await startDynamoDbLocal();
  try {
    const config = localDynamoClientConfig(dynamo.endpoint);
    const table = `rt-${randomBytes(4).toString('hex')}`;
    await new DynamoDBClient(config).send(new CreateTableCommand(createTableInput(table)));
    const doc = documentClient(config);
    const counter = new StoreCallCounter().watch(doc);
    // One request at a time: reset before it, read after it.
    const trips = {
      async measure<T>(work: () => Promise<T>) {
        counter.reset();
        const result = await work();
        return { result, calls: counter.calls, rounds: counter.sequential, actions: [...counter.actions] };
      },
    };
    const clock = { now: Date.parse('2024-03-10T10:00:00+08:00') };
    const signingKey = new Uint8Array(randomBytes(32));
    const server = createLocalServer({ db: new Db(doc, table), now: () => clock.now }, { signingKey });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const token = async (role: string) =>
      signDevToken({ role, estates: [ESTATE], sub: `${role}-rt` } as never, signingKey);
    const tokens = {
      admin: await token('admin'),
      cashier: await token('cashier'),
      gate: await token('gate'),
    };
    let keys = 0;
    const call = async (who: keyof typeof tokens, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${tokens[who]}`,
          'content-type': 'application/json',
          'idempotency-key': `rt-${++keys}`,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const json = (await res.json()) as Record<string, unknown>;
      if (res.status >= 300)
        throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(json)}`);
      return json;
    };

    await call('admin', 'POST', '/v1/estates', { estateId: ESTATE, name: '往返小区' });
    const units: string[] = [];
    for (let i = 0; i < RENEWED_UNITS; i++) {
      const unit = await call('admin', 'POST', `/v1/estates/${ESTATE}/units`, {
        building: '1',
        room: String(101 + i),
        unitType: 'HIGH_RISE',
        area: '89.56',
        deliveryDate: '2024-03-10',
        ownerIds: [],
      });
      units.push(unit['unitId'] as string);
    }

    const issue = await trips.measure(() =>
      call('cashier', 'POST', '/v1/invoices', { unitId: units[0], items: [{ type: 'PROPERTY_FEE' }] }),
    );
    const invoiceNo = issue.result['invoiceNo'] as string;
    const pay = await trips.measure(() =>
      call('cashier', 'POST', `/v1/invoices/${invoiceNo}/payments`, {
        channel: 'CASH',
        amount: issue.result['total'],
        tendered: '2000.00',
      }),
    );
    // Every other unit paid too, so that each has a renewal due.
    for (const unitId of units.slice(1)) {
      const inv = await call('cashier', 'POST', '/v1/invoices', {
        unitId,
        items: [{ type: 'PROPERTY_FEE' }],
      });
      await call('cashier', 'POST', `/v1/invoices/${inv['invoiceNo']}/payments`, {
        channel: 'TRANSFER',
        amount: inv['total'],
        reference: 'rt',
      });
    }

    // A stay of 4 h 30 min: 5.00, paid by transfer at the counter.
    await call('gate', 'POST', '/v1/parking/entries', {
      estateId: ESTATE,
      plate: '粤B12345',
      gateId: 'IN-1',
      at: '2024-03-10T10:00:00+08:00',
    });
    clock.now = Date.parse('2024-03-10T14:30:00+08:00');
    const exit = await call('gate', 'POST', '/v1/parking/exits', {
      estateId: ESTATE,
      plate: '粤B12345',
      gateId: 'OUT-1',
      at: '2024-03-10T14:30:00+08:00',
    });
    const parkingPay = await trips.measure(() =>
      call('cashier', 'POST', `/v1/parking/sessions/${exit['sessionId']}/payments`, {
        channel: 'TRANSFER',
        amount: exit['amountDue'],
        reference: 'rt',
      }),
    );

    clock.now = Date.parse('2025-02-20T10:00:00+08:00');
    const renewal = await trips.measure(() =>
      call('cashier', 'POST', `/v1/estates/${ESTATE}/renewals`, { asOf: '2025-02-20' }),
    );
    const renewed = (renewal.result['issued'] as unknown[]).length;
    if (renewed !== RENEWED_UNITS) throw new Error(`renewals issued ${renewed}, expected ${RENEWED_UNITS}`);
    server.close();

    const perUnit = renewal.rounds / renewed;
    console.log(
      `roundtrips issue=${issue.rounds} pay=${pay.rounds} parking-pay=${parkingPay.rounds} renewal-per-unit=${perUnit.toFixed(1)} (budget ${BUDGET} sequential calls on the happy path)`,
    );
    const budget = (name: string, m: { calls: number; rounds: number; actions: string[] }): BenchResult => ({
      name: `roundtrips/${name}`,
      value: m.rounds,
      unit: `sequential calls (${m.calls} calls: ${m.actions.join(' ')})`,
      goal: `<= ${BUDGET}`,
      ok: m.rounds <= BUDGET,
    });
    return [
      budget('issue', issue),
      budget('pay', pay),
      budget('parking-pay', parkingPay),
      {
        name: 'roundtrips/renewal-per-unit',
        value: Math.round(perUnit * 10) / 10,
        unit: `sequential calls per unit (${renewal.calls} calls for ${renewed} units)`,
      },
    ];
  } finally {
    await dynamo.stop();
  }
}
