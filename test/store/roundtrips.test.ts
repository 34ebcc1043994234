/**
 * DynamoDB round trips per request (issue 16): issuing an invoice, paying it and paying a parking
 * session each take at most 3 sequential store calls on the happy path — read what is needed once,
 * then one TransactWriteItems holding the document, ledger, audit and idempotency record.
 *
 * Requests go through the API dispatcher exactly as a Lambda runs them. Calls are counted by an SDK
 * middleware on the document client:
 *   - `calls`: every store call;
 *   - `sequential`: the longest chain of calls each of which started after the previous one ended
 *     (calls made together with Promise.all count once).
 */

import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../lib/api/dispatch.js';
import { router } from '../../lib/api/routes.js';
import type { Ctx } from '../../lib/billing/context.js';
import { createEstate } from '../../lib/billing/estates.js';
import { runRenewals } from '../../lib/billing/renewals.js';
import { createUnit, registerSpace } from '../../lib/billing/units.js';
import { formatFen } from '../../lib/money.js';
import { recordEntry } from '../../lib/parking/parking.js';
import { quoteSession } from '../../lib/parking/stay.js';
import { Db } from '../../lib/store/db.js';
import { createTableInput } from '../../lib/store/table.js';
import {
  createTableFromInput,
  freshTableName,
  testDocumentClient,
  testDynamoClient,
} from '../support/dynamo.js';
import { gatewayEvent } from '../support/gateway-event.js';
import { StoreCallCounter } from '../support/store-middleware.js';

/** Sequential store calls allowed per request on the happy path. */
const BUDGET = { issue: 3, pay: 3, parkingPay: 3 };
/** The renewal job: store calls per unit renewed (the estate, tariffs and due list are read once per run). */
const RENEWAL_CALLS_PER_UNIT = 5;

const E = 'RT';
const counter = new StoreCallCounter();
let db: Db;
const clock = { now: Date.parse('2025-03-01T10:00:00+08:00') };
const set = (iso: string) => {
  clock.now = Date.parse(iso);
};
const deps = () => ({ db, now: () => clock.now });
const ctx = (role: 'admin' | 'cashier' | 'gate' | 'scheduler'): Ctx => ({
  db,
  now: () => clock.now,
  actor: { sub: `${role}-rt`, role, estates: [E], units: [] },
});

function event(
  method: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyEventV2 {
  return gatewayEvent(method, path, body, {
    claims: { sub: 'cashier-rt', 'cognito:groups': '[cashier]', 'custom:estates': E },
    headers,
    userAgent: 'roundtrips',
  });
}

/** Dispatches one request and returns its status, body and the store calls it made. */
async function counted(ev: APIGatewayProxyEventV2) {
  counter.reset();
  const { response } = await dispatch(router, ev, deps());
  return {
    status: response.statusCode ?? 0,
    body: JSON.parse(String(response.body)) as Record<string, unknown>,
    calls: counter.calls,
    sequential: counter.sequential,
  };
}

let room = 100;
async function newUnit(withSpace: boolean): Promise<string> {
  room++;
  const unit = await createUnit(ctx('admin'), E, {
    building: '1栋',
    room: String(room),
    unitType: 'HIGH_RISE',
    area: '89.56',
    deliveryDate: '2025-02-15',
    ownerIds: [`owner-${room}`],
  });
  if (withSpace) {
    await registerSpace(ctx('admin'), unit.unitId, { spaceNo: `B1-${room}`, kind: 'OWNED', plates: [] });
  }
  return unit.unitId;
}

let issues = 0;
const issue = (unitId: string, withSpace = true) =>
  counted(
    event(
      'POST',
      '/v1/invoices',
      {
        unitId,
        items: [{ type: 'PROPERTY_FEE' }, ...(withSpace ? [{ type: 'PARKING_SPACE_FEE' }] : [])],
      },
      { 'idempotency-key': `issue-${++issues}` },
    ),
  );
const pay = (invoiceNo: string, total: string, idemKey: string) =>
  counted(
    event(
      'POST',
      `/v1/invoices/${invoiceNo}/payments`,
      { channel: 'CASH', amount: total, tendered: '5000.00' },
      { 'idempotency-key': idemKey },
    ),
  );

beforeAll(async () => {
  const table = await freshTableName('roundtrips');
  await createTableFromInput(testDynamoClient(), createTableInput(table));
  const doc = testDocumentClient();
  counter.watch(doc);
  db = new Db(doc, table);
  await createEstate(ctx('admin'), { estateId: E, name: '往返小区' });
}, 60_000);

describe('round trips per request', () => {
  it('issuing an invoice (property fee and an owned space) stays within budget', async () => {
    set('2025-03-01T10:00:00+08:00');
    const unitId = await newUnit(true);
    const r = await issue(unitId);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body['lines']).toHaveLength(2);
    expect(r.sequential).toBeLessThanOrEqual(BUDGET.issue);
  });

  it('paying an invoice stays within budget, and its replay is answered from the idempotency record', async () => {
    set('2025-03-01T10:00:00+08:00');
    const unitId = await newUnit(true);
    const issued = await issue(unitId);
    const invoiceNo = String(issued.body['invoiceNo']);
    const r = await pay(invoiceNo, String(issued.body['total']), 'rt-pay-1');
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body['invoiceNo']).toBe(invoiceNo);
    expect(r.sequential).toBeLessThanOrEqual(BUDGET.pay);
    const again = await pay(invoiceNo, String(issued.body['total']), 'rt-pay-1');
    expect(again.body).toEqual(r.body);
    expect(again.sequential).toBeLessThanOrEqual(BUDGET.pay);
  });

  it('paying a parking session stays within budget', async () => {
    set('2025-03-01T08:00:00+08:00');
    const entry = await recordEntry(ctx('gate'), {
      estateId: E,
      plate: '粤B55555',
      gateId: 'IN-1',
      at: '2025-03-01T08:00:00+08:00',
    });
    set('2025-03-01T11:10:00+08:00');
    const quote = await quoteSession(ctx('cashier'), entry.session);
    expect(quote.assessment.amountDue).toBeGreaterThan(0n);
    const r = await counted(
      event(
        'POST',
        `/v1/parking/sessions/${entry.session.sessionId}/payments`,
        { channel: 'CASH', amount: formatFen(quote.assessment.amountDue) },
        { 'idempotency-key': 'rt-park-1' },
      ),
    );
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.sequential).toBeLessThanOrEqual(BUDGET.parkingPay);
  });

  it('the renewal job stays within its budget per unit renewed', async () => {
    set('2025-03-01T10:00:00+08:00');
    const spaces = [true, false, true];
    const units: string[] = [];
    for (const withSpace of spaces) units.push(await newUnit(withSpace));
    for (const [i, unitId] of units.entries()) {
      const issued = await issue(unitId, spaces[i]);
      expect(issued.status).toBe(201);
      const paid = await pay(String(issued.body['invoiceNo']), String(issued.body['total']), `rt-ren-${i}`);
      expect(paid.status).toBe(201);
    }
    // Paid through 2026-02-15; renewals may be issued a month ahead.
    set('2026-01-20T10:00:00+08:00');
    counter.reset();
    const run = await runRenewals(ctx('scheduler'), E, '2026-01-20');
    expect(run.failed).toEqual([]);
    // Earlier tests' units are due too: count every renewal the run issued.
    expect(run.issued.length).toBeGreaterThanOrEqual(units.length);
    // The run's own reads (estate, tariffs, due list) are shared; what is left is per unit.
    const perUnit = (counter.calls - 3) / run.issued.length;
    expect(perUnit).toBeLessThanOrEqual(RENEWAL_CALLS_PER_UNIT);
  });
});
