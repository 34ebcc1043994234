/**
 * The renovation period and the inspection routes' keys through the HTTP API (issue #17 item 8):
 * the due list flags a case past its period (day 90 due, day 91 overdue), an acceptance after the
 * period is 409 RENOVATION_PERIOD_EXPIRED until an extension `{until, reason}` is recorded, the
 * extension needs no Idempotency-Key and is safe to repeat, and the re-inspection's key is
 * required, replayed and bound to its body, as the OpenAPI document says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEstate } from '../../lib/billing/estates.js';
import { createUnit } from '../../lib/billing/units.js';
import { type ApiHarness, apiHarness, isErrorBody } from '../support/api.js';

let h: ApiHarness;
let cashier = '';
let keys = 0;
let rooms = 0;

beforeAll(async () => {
  h = await apiHarness();
  // Every date below is before "today".
  h.clock.set('2025-09-01T10:00:00+08:00');
  await createEstate(h.ctx('admin', { estates: ['LATE'] }), { estateId: 'LATE', name: '逾期花园' });
  cashier = await h.token('cashier', { estates: ['LATE'] });
});

afterAll(() => h?.close());

const post = (path: string, body: unknown, key?: string) =>
  h.call('POST', path, { token: cashier, body, ...(key ? { headers: { 'idempotency-key': key } } : {}) });

/** Registered on `date` (day 1 of the period) and paid: the deposit is held. */
async function heldCase(date: string) {
  const unit = await createUnit(h.ctx('admin', { estates: ['LATE'] }), 'LATE', {
    building: '5栋',
    room: String(++rooms),
    unitType: 'HIGH_RISE',
    area: '89.56',
    deliveryDate: '2024-06-01',
    ownerIds: ['owner-a'],
  });
  const reg = await post('/v1/renovations', { unitId: unit.unitId, cards: 2, date });
  expect(reg.status, reg.text).toBe(201);
  const paid = await post(
    `/v1/invoices/${reg.json.invoice.invoiceId}/payments`,
    { channel: 'CASH', amount: reg.json.invoice.total },
    `pay-${++keys}`,
  );
  expect(paid.status, paid.text).toBe(201);
  return reg.json.caseId as string;
}

const accept = (caseId: string, date: string, passed = true) =>
  post(`/v1/renovations/${caseId}/acceptance`, { date, passed });
const extend = (caseId: string, body: Record<string, unknown>) =>
  post(`/v1/renovations/${caseId}/extension`, body);
const dueList = async (asOf: string, due?: string) => {
  const r = await h.call('GET', '/v1/estates/LATE/renovations', {
    token: cashier,
    query: { asOf, ...(due ? { due } : {}) },
  });
  expect(r.status, r.text).toBe(200);
  return r.json.items.map(
    (i: { renovation: { caseId: string }; due: { kind: string; date: string; overdue: boolean } }) => [
      i.renovation.caseId,
      i.due.kind,
      i.due.date,
      i.due.overdue,
    ],
  );
};

describe('the renovation period', () => {
  it('lists a case on its 90th day as due and from its 91st as overdue, until an extension', async () => {
    // 2025-01-10 is day 1: day 90 = 2025-04-09, day 91 = 2025-04-10 = the exclusive end.
    const caseId = await heldCase('2025-01-10');
    expect((await h.call('GET', `/v1/renovations/${caseId}`, { token: cashier })).json.period).toEqual({
      start: '2025-01-10',
      end: '2025-04-10',
      lastDay: '2025-04-09',
    });
    expect(await dueList('2025-04-08', 'ACCEPTANCE')).toEqual([]);
    expect(await dueList('2025-04-09', 'ACCEPTANCE')).toEqual([[caseId, 'ACCEPTANCE', '2025-04-09', false]]);
    expect(await dueList('2025-04-10', 'ACCEPTANCE')).toEqual([[caseId, 'ACCEPTANCE', '2025-04-09', true]]);

    // Day 91: refused, naming the field; the case is unchanged.
    const late = await accept(caseId, '2025-04-10');
    expect(late.status).toBe(409);
    expect(isErrorBody(late.json)).toBe(true);
    expect(late.json.error).toMatchObject({
      code: 'RENOVATION_PERIOD_EXPIRED',
      details: [{ field: 'date', lastDay: '2025-04-09' }],
    });
    const held = await h.call('GET', `/v1/renovations/${caseId}`, { token: cashier });
    expect(held.json).toMatchObject({ state: 'HELD', acceptances: [] });

    // An extension recorded without an Idempotency-Key lets the late acceptance through.
    const extended = await extend(caseId, { until: '2025-05-10', reason: '业主申请延期一个月' });
    expect(extended.status, extended.text).toBe(200);
    expect(extended.json).toMatchObject({
      period: { start: '2025-01-10', end: '2025-05-10' },
      extensions: [{ previousEnd: '2025-04-10', end: '2025-05-10', reason: '业主申请延期一个月' }],
    });
    expect(await dueList('2025-04-10', 'ACCEPTANCE')).toEqual([]);
    expect(await dueList('2025-05-10', 'ACCEPTANCE')).toEqual([[caseId, 'ACCEPTANCE', '2025-05-09', true]]);

    const accepted = await accept(caseId, '2025-04-10');
    expect(accepted.status, accepted.text).toBe(200);
    expect(accepted.json).toMatchObject({ state: 'ACCEPTED', acceptedOn: '2025-04-10' });
    expect(await dueList('2025-06-10')).toEqual([[caseId, 'REINSPECTION', '2025-06-10', false]]);
  });

  it('accepts on day 90 without an extension', async () => {
    const caseId = await heldCase('2025-01-10');
    const r = await accept(caseId, '2025-04-09');
    expect(r.status, r.text).toBe(200);
    expect(r.json.state).toBe('ACCEPTED');
  });

  it('validates the extension: until after the current end, a reason, no old field names', async () => {
    const caseId = await heldCase('2025-02-01');
    for (const [body, field] of [
      [{ until: '2025-05-02', reason: '延期' }, 'until'],
      [{ until: '2025-04-30', reason: '延期' }, 'until'],
      [{ until: '2025-02-30', reason: '延期' }, 'until'],
      [{ reason: '延期' }, 'until'],
      [{ until: '2025-06-01' }, 'reason'],
      [{ until: '2025-06-01', reason: '   ' }, 'reason'],
      [{ end: '2025-06-01', reason: '延期' }, 'end'],
    ] as const) {
      const r = await extend(caseId, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    const unchanged = await h.call('GET', `/v1/renovations/${caseId}`, { token: cashier });
    expect(unchanged.json.extensions).toEqual([]);
  });

  it('answers an identical repeated extension with the case as it is, recording one extension', async () => {
    const caseId = await heldCase('2025-02-01');
    const body = { until: '2025-06-01', reason: '材料延迟到货' };
    const first = await extend(caseId, body);
    const again = await extend(caseId, body);
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.json).toEqual(first.json);
    expect(again.json.extensions).toHaveLength(1);
  });
});

describe('the re-inspection Idempotency-Key', () => {
  it('is required (400), replays the first answer for the same body, and refuses another body (422)', async () => {
    const caseId = await heldCase('2025-01-10');
    expect((await accept(caseId, '2025-03-01')).status).toBe(200);
    const body = {
      date: '2025-05-06',
      passed: false,
      deductions: [{ amount: '120.00', reason: '公共走廊墙面污损', evidenceRef: 'IMG-0506-1' }],
    };
    const path = `/v1/renovations/${caseId}/reinspection`;

    const noKey = await post(path, body);
    expect(noKey.status).toBe(400);
    expect(noKey.json.error.details[0]).toMatchObject({ field: 'Idempotency-Key' });
    expect((await h.call('GET', `/v1/renovations/${caseId}`, { token: cashier })).json.reinspections).toEqual(
      [],
    );

    const key = `ri-${++keys}`;
    const first = await post(path, body, key);
    expect(first.status, first.text).toBe(200);
    const replay = await post(path, body, key);
    expect(replay.status).toBe(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json).toEqual(first.json);

    const other = await post(
      path,
      { ...body, deductions: [{ ...body.deductions[0], amount: '999.00' }] },
      key,
    );
    expect(other.status).toBe(422);
    const after = await h.call('GET', `/v1/renovations/${caseId}`, { token: cashier });
    expect(after.json).toMatchObject({ reinspections: [{ n: 1 }], deposit: { deducted: '120.00' } });
    expect(after.json.reinspections).toHaveLength(1);
  });

  it('is documented in OpenAPI: required on the re-inspection, absent on the extension (body `until`)', async () => {
    const doc = (await h.call('GET', '/openapi.json')).json;
    const op = (path: string) => doc.paths[path].post;
    const header = (o: { parameters?: { name: string; in: string; required: boolean }[] }) =>
      o.parameters?.find((p) => p.name === 'Idempotency-Key');

    const reinspection = op('/v1/renovations/{caseId}/reinspection');
    expect(header(reinspection)).toMatchObject({ in: 'header', required: true });
    expect(reinspection.description).toMatch(/Idempotency-Key required.*400.*422/);
    expect(Object.keys(reinspection.responses)).toEqual(expect.arrayContaining(['400', '422']));

    const extension = op('/v1/renovations/{caseId}/extension');
    expect(header(extension)).toBeUndefined();
    expect(extension.description).toMatch(/No Idempotency-Key/);
    const schema = extension.requestBody.content['application/json'].schema;
    expect(Object.keys(schema.properties).sort()).toEqual(['reason', 'until']);
    expect(schema.required.sort()).toEqual(['reason', 'until']);

    expect(op('/v1/renovations/{caseId}/acceptance').description).toMatch(/RENOVATION_PERIOD_EXPIRED/);
    const list = doc.paths['/v1/estates/{estateId}/renovations'].get;
    const due = list.parameters.find((p: { name: string }) => p.name === 'due');
    expect(due.schema.enum).toEqual(['ACCEPTANCE', 'REINSPECTION', 'REFUND']);
  });
});
