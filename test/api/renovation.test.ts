/**
 * Renovation cases through the HTTP API (the server `npm start` runs, real tokens): due dates from
 * the estate's calendar, the deposit refused beyond what is held, the refund once under its
 * Idempotency-Key, and the counter's list of due re-inspections and overdue refunds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEstate } from '../../lib/billing/estates.js';
import { createUnit } from '../../lib/billing/units.js';
import { type ApiHarness, apiHarness, isErrorBody } from '../support/api.js';

let h: ApiHarness;
const tokens = { cashier: '', cashierDue: '', accountantDue: '', ownerDue: '', admin: '' };
let keys = 0;
let rooms = 0;

beforeAll(async () => {
  h = await apiHarness();
  h.clock.set('2025-03-03T10:00:00+08:00');
  for (const estateId of ['DEMO', 'DUE']) {
    await createEstate(h.ctx('admin', { estates: [estateId] }), { estateId, name: `${estateId}花园` });
  }
  tokens.cashier = await h.token('cashier');
  tokens.cashierDue = await h.token('cashier', { estates: ['DUE'] });
  tokens.accountantDue = await h.token('accountant', { estates: ['DUE'] });
  tokens.admin = await h.token('admin');
});

afterAll(() => h?.close());

async function newUnit(estateId = 'DEMO', ownerIds: string[] = ['owner-a']) {
  const unit = await createUnit(h.ctx('admin', { estates: [estateId] }), estateId, {
    building: '7栋',
    room: String(++rooms),
    unitType: 'HIGH_RISE',
    area: '89.56',
    deliveryDate: '2024-06-01',
    ownerIds,
  });
  return unit.unitId;
}

const post = (path: string, body: unknown, token = tokens.cashier, key?: string) =>
  h.call('POST', path, { token, body, ...(key ? { headers: { 'idempotency-key': key } } : {}) });

/** Registers (dated `date`) and pays at the counter: the deposit is then held. */
async function heldCase(date: string, token = tokens.cashier, estateId = 'DEMO') {
  const reg = await post('/v1/renovations', { unitId: await newUnit(estateId), cards: 5, date }, token);
  expect(reg.status).toBe(201);
  const paid = await post(
    `/v1/invoices/${reg.json.invoice.invoiceId}/payments`,
    { channel: 'CASH', amount: reg.json.invoice.total },
    token,
    `pay-${++keys}`,
  );
  expect(paid.status).toBe(201);
  return reg.json.caseId as string;
}

const accept = (caseId: string, date: string, token = tokens.cashier, passed = true) =>
  post(`/v1/renovations/${caseId}/acceptance`, { date, passed }, token);
const reinspect = (
  caseId: string,
  body: Record<string, unknown>,
  token = tokens.cashier,
  key = `ri-${++keys}`,
) => post(`/v1/renovations/${caseId}/reinspection`, body, token, key);
const refund = (
  caseId: string,
  key: string,
  body: Record<string, unknown> = { channel: 'CASH' },
  token = tokens.cashier,
) => post(`/v1/renovations/${caseId}/refund`, body, token, key);

describe('registration and due dates', () => {
  it('registers with one invoice; acceptance on 2024-12-31 → re-inspection due 2025-02-28', async () => {
    const unitId = await newUnit();
    const reg = await post('/v1/renovations', { unitId, cards: 5, date: '2024-10-08' });
    expect(reg.status).toBe(201);
    expect(reg.json.invoice.lines.map((l: { type: string; amount: string }) => [l.type, l.amount])).toEqual([
      ['RENOVATION_WASTE', '447.80'],
      ['RENOVATION_DEPOSIT', '1000.00'],
      ['RENOVATION_CARDS', '50.00'],
    ]);
    expect(reg.json).toMatchObject({
      caseId: `RN-${reg.json.invoice.invoiceNo}`,
      state: 'REGISTERED',
      allowedActions: ['EXTEND'],
      period: { start: '2024-10-08', end: '2025-01-06' },
      deposit: { renovationDeposit: '1000.00', cardDeposit: '0.00', held: '0.00', deducted: '0.00' },
    });
    const caseId = reg.json.caseId as string;

    // Nothing is held before the invoice is paid: 409 with the current state.
    const early = await accept(caseId, '2024-12-31');
    expect(early.status).toBe(409);
    expect(isErrorBody(early.json)).toBe(true);
    expect(early.json.error).toMatchObject({
      code: 'ILLEGAL_TRANSITION',
      details: [{ state: 'REGISTERED' }],
    });

    const paid = await post(
      `/v1/invoices/${reg.json.invoice.invoiceId}/payments`,
      { channel: 'CASH', amount: '1497.80', tendered: '1500.00' },
      tokens.cashier,
      `pay-${++keys}`,
    );
    expect(paid.json.change).toBe('2.20');
    const held = await h.call('GET', `/v1/renovations/${caseId}`, { token: tokens.cashier });
    expect(held.json).toMatchObject({
      state: 'HELD',
      allowedActions: ['EXTEND', 'ACCEPTANCE'],
      deposit: { held: '1000.00' },
    });

    const accepted = await accept(caseId, '2024-12-31');
    expect(accepted.status).toBe(200);
    expect(accepted.json).toMatchObject({
      state: 'ACCEPTED',
      acceptedOn: '2024-12-31',
      reinspectionDue: '2025-02-28',
    });
    // Completion accepted: the period can no longer be extended.
    const late = await post(`/v1/renovations/${caseId}/extension`, {
      until: '2025-03-31',
      reason: '业主申请',
    });
    expect(late.status).toBe(409);
    expect(late.json.error.details[0]).toMatchObject({ state: 'ACCEPTED', allowed: ['REINSPECTION'] });
  });

  it('a pass on 2025-01-24 → refund due 2025-02-07 (2025 Spring Festival calendar)', async () => {
    const caseId = await heldCase('2024-10-08');
    expect((await accept(caseId, '2024-11-22')).json.reinspectionDue).toBe('2025-01-22');
    const passed = await reinspect(caseId, { date: '2025-01-24', passed: true });
    expect(passed.status).toBe(200);
    expect(passed.json).toMatchObject({
      state: 'REINSPECTION_PASSED',
      passedOn: '2025-01-24',
      refundDue: '2025-02-07',
    });
  });

  it('refuses bad input with 400 naming the field, and unknown cases with 404', async () => {
    const unitId = await newUnit();
    for (const [body, field] of [
      [{ unitId, cards: '5' }, 'cards'],
      [{ unitId, cards: 0 }, 'cards'],
      [{ unitId, cards: 1, date: '2025-13-01' }, 'date'],
      [{ unitId, cards: 1, date: '2099-01-01' }, 'date'],
      [{ unitId, cards: 1, extra: true }, 'extra'],
    ] as const) {
      const r = await post('/v1/renovations', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    const missing = await h.call('GET', '/v1/renovations/RN-DEMO-2025-999999', { token: tokens.cashier });
    expect(missing.status).toBe(404);
  });
});

describe('deductions and the refund', () => {
  it('refuses deductions beyond the deposit; refunds held − deductions once per case', async () => {
    const caseId = await heldCase('2024-10-08');
    await accept(caseId, '2024-11-01');
    const tooMuch = await reinspect(caseId, {
      date: '2025-01-03',
      passed: false,
      deductions: [
        { amount: '600.00', reason: '损坏电梯轿厢', evidenceRef: 'IMG-0103-1' },
        { amount: '400.01', reason: '堵塞公共排水', evidenceRef: 'IMG-0103-2' },
      ],
    });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.json.error.details).toMatchObject([
      { field: 'deductions', code: 'DEDUCTIONS_EXCEED_DEPOSIT' },
    ]);
    const moneyAsNumber = await reinspect(caseId, {
      date: '2025-01-03',
      passed: false,
      deductions: [{ amount: 250.5, reason: '损坏电梯轿厢', evidenceRef: 'IMG-0103-1' }],
    });
    expect(moneyAsNumber.status).toBe(400);
    expect(moneyAsNumber.json.error.details[0].field).toBe('deductions[0].amount');

    const failedBody = {
      date: '2025-01-03',
      passed: false,
      deductions: [{ amount: '250.50', reason: '损坏电梯轿厢', evidenceRef: 'IMG-0103-1' }],
    };
    const failedKey = `ri-${++keys}`;
    const failed = await reinspect(caseId, failedBody, tokens.cashier, failedKey);
    expect(failed.status).toBe(200);
    // A retried re-inspection (same key) answers the same and deducts nothing more.
    const retried = await reinspect(caseId, failedBody, tokens.cashier, failedKey);
    expect(retried.headers['idempotent-replayed']).toBe('true');
    expect(retried.json).toEqual(failed.json);
    expect(failed.json).toMatchObject({
      state: 'REINSPECTION_FAILED',
      reinspectionDue: '2025-02-03',
      deposit: { deducted: '250.50', held: '749.50' },
      reinspections: [{ n: 1, passed: false, deductions: [{ amount: '250.50', evidenceRef: 'IMG-0103-1' }] }],
    });
    expect((await refund(caseId, `ref-early-${++keys}`)).status).toBe(409);
    expect((await reinspect(caseId, { date: '2025-01-06', passed: true })).json.refundDue).toBe('2025-01-13');

    const noKey = await h.call('POST', `/v1/renovations/${caseId}/refund`, {
      token: tokens.cashier,
      body: { channel: 'CASH' },
    });
    expect(noKey.status).toBe(400);
    expect(noKey.json.error.details[0].field).toBe('Idempotency-Key');

    const key = `refund-${++keys}`;
    const first = await refund(caseId, key);
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({
      caseId,
      deposit: '1000.00',
      deducted: '250.50',
      total: '749.50',
      totalInWords: '人民币柒佰肆拾玖元伍角整',
      refundDue: '2025-01-13',
      late: true,
      lines: [{ type: 'RENOVATION_DEPOSIT', amount: '749.50' }],
    });
    expect(first.json.refundNo).toMatch(/^DEMO-T2025-\d{6}$/);

    const replay = await refund(caseId, key);
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json).toEqual(first.json);

    const another = await refund(caseId, `refund-${++keys}`);
    expect(another.status).toBe(409);
    expect(another.json.error).toMatchObject({
      code: 'ILLEGAL_TRANSITION',
      details: [{ state: 'REFUNDED', refundNo: first.json.refundNo }],
    });
    const reused = await refund(caseId, key, { channel: 'TRANSFER' });
    expect(reused.status).toBe(422);

    const after = await h.call('GET', `/v1/renovations/${caseId}`, { token: tokens.cashier });
    expect(after.json).toMatchObject({
      state: 'REFUNDED',
      allowedActions: [],
      refundNo: first.json.refundNo,
      deposit: { held: '0.00', refunded: '749.50' },
    });
  });

  it('lets an owner read their own case only, and never act on it', async () => {
    const reg = await post('/v1/renovations', { unitId: await newUnit('DEMO', ['owner-x']), cards: 1 });
    const caseId = reg.json.caseId as string;
    const mine = await h.token('owner', { sub: 'owner-x', units: [reg.json.unitId] });
    const theirs = await h.token('owner', { sub: 'owner-y', units: ['DEMO-U9999'] });
    expect((await h.call('GET', `/v1/renovations/${caseId}`, { token: mine })).status).toBe(200);
    expect((await h.call('GET', `/v1/renovations/${caseId}`, { token: theirs })).status).toBe(404);
    expect((await accept(caseId, '2025-03-03', mine)).status).toBe(403);
    const outside = await h.call('GET', `/v1/renovations/${caseId}`, { token: tokens.cashierDue });
    expect(outside.status).toBe(403);
  });
});

describe('the counter list of cases due', () => {
  it('lists re-inspections due and refunds overdue by a date, oldest first, paged', async () => {
    const t = tokens.cashierDue;
    // A: re-inspection due 2025-02-28. B: due 2025-04-10. C: refund due 2025-02-07. D: refunded.
    // E: failed on 2025-02-14, next re-inspection due 2025-03-14. F: registered, unpaid.
    const a = await heldCase('2024-10-08', t, 'DUE');
    await accept(a, '2024-12-31', t);
    const b = await heldCase('2024-12-02', t, 'DUE');
    await accept(b, '2025-02-10', t);
    const c = await heldCase('2024-10-08', t, 'DUE');
    await accept(c, '2024-11-22', t);
    await reinspect(c, { date: '2025-01-24', passed: true }, t);
    const d = await heldCase('2024-10-08', t, 'DUE');
    await accept(d, '2024-11-01', t);
    await reinspect(d, { date: '2025-01-06', passed: true }, t);
    expect((await refund(d, `ref-d-${++keys}`, { channel: 'CASH' }, t)).status).toBe(201);
    const e = await heldCase('2024-10-08', t, 'DUE');
    await accept(e, '2024-12-10', t);
    await reinspect(e, { date: '2025-02-14', passed: false }, t);
    await post('/v1/renovations', { unitId: await newUnit('DUE'), cards: 1 }, t);

    const list = (query: Record<string, string> = {}, token = t) =>
      h.call('GET', '/v1/estates/DUE/renovations', { token, query });
    const rows = (r: Awaited<ReturnType<typeof list>>) =>
      r.json.items.map(
        (i: { renovation: { caseId: string }; due: { kind: string; date: string; overdue: boolean } }) => [
          i.renovation.caseId,
          i.due.kind,
          i.due.date,
          i.due.overdue,
        ],
      );

    const today = await list();
    expect(today.status).toBe(200);
    expect(rows(today)).toEqual([
      [c, 'REFUND', '2025-02-07', true],
      [a, 'REINSPECTION', '2025-02-28', true],
    ]);
    expect(today.json.nextCursor).toBeUndefined();
    expect(rows(await list({ due: 'REFUND' }))).toEqual([[c, 'REFUND', '2025-02-07', true]]);
    expect(rows(await list({ due: 'REINSPECTION' }))).toEqual([[a, 'REINSPECTION', '2025-02-28', true]]);
    const ahead = await list({ asOf: '2025-04-10' }, tokens.accountantDue);
    expect(rows(ahead)).toEqual([
      [c, 'REFUND', '2025-02-07', true],
      [a, 'REINSPECTION', '2025-02-28', true],
      [e, 'REINSPECTION', '2025-03-14', true],
      [b, 'REINSPECTION', '2025-04-10', false],
    ]);
    expect(ahead.json.items[3].renovation).toMatchObject({ state: 'ACCEPTED', unitId: expect.any(String) });

    // Paging walks the same list.
    const seen: unknown[] = [];
    let cursor: string | undefined;
    do {
      const page = await list({ asOf: '2025-04-10', limit: '1', ...(cursor ? { cursor } : {}) });
      expect(page.status).toBe(200);
      seen.push(...rows(page));
      cursor = page.json.nextCursor;
    } while (cursor);
    expect(seen).toEqual(rows(ahead));

    const bad = await list({ due: 'SOON', asOf: '20250230' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details.map((x: { field: string }) => x.field).sort()).toEqual(
      ['asOf', 'due'].sort(),
    );
    expect((await list({}, tokens.cashier)).status).toBe(403);
    expect((await list({}, await h.token('owner', { estates: ['DUE'], units: [] }))).status).toBe(403);
  });
});
