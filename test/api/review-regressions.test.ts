/**
 * Defects found by a review of the billing core, each pinned by the scenario that exposed it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PERIODS, selectPeriods } from '../../lib/billing/invoices.js';
import { type ApiHarness, apiHarness } from '../support/api.js';

let h: ApiHarness;
let admin: string;
let cashier: string;
let gate: string;

beforeAll(async () => {
  h = await apiHarness();
  admin = await h.token('admin');
  cashier = await h.token('cashier');
  gate = await h.token('gate');
  const e = await h.call('POST', '/v1/estates', { token: admin, body: { estateId: 'DEMO', name: '示范' } });
  expect(e.status, e.text).toBe(201);
});
afterAll(() => h?.close());

async function unit(room: string, delivery: string, space?: string): Promise<string> {
  const u = await h.call('POST', '/v1/estates/DEMO/units', {
    token: admin,
    body: {
      building: '1',
      room,
      unitType: 'HIGH_RISE',
      area: '89.56',
      deliveryDate: delivery,
      ownerIds: ['o'],
    },
  });
  expect(u.status, u.text).toBe(201);
  if (space) {
    const s = await h.call('POST', `/v1/units/${u.json.unitId}/spaces`, {
      token: admin,
      body: { spaceNo: space, kind: 'OWNED', plates: [] },
    });
    expect(s.status, s.text).toBe(201);
  }
  return u.json.unitId as string;
}

const pay = (invoiceId: string, amount: string) =>
  h.call('POST', `/v1/invoices/${invoiceId}/payments`, {
    token: cashier,
    headers: { 'Idempotency-Key': randomUUID() },
    body: { channel: 'TRANSFER', amount },
  });

describe('review regressions', () => {
  // Issue 17 item 6 reversed the earlier reading (grace from the priced time): SPEC.md §4.2 and API.md
  // give the 15 minutes after the payment is recorded, even when a band boundary falls inside them.
  // Kiosks now pay through payment orders priced when made (issue 21); the counter still pays a quote.
  it('a payment of an older quote gets its 15 minutes from the payment, not from the priced time', async () => {
    h.clock.set('2025-03-01T12:09:00+08:00');
    const entry = await h.call('POST', '/v1/parking/entries', {
      token: gate,
      body: { estateId: 'DEMO', plate: '粤B12345', gateId: 'G1', at: '2025-03-01T08:00:00+08:00' },
    });
    expect(entry.status, entry.text).toBe(201);
    // Priced at 11:59 (3 h 59 min → 2.00) although it is 12:09 (4 h 09 min → 5.00).
    const paid = await h.call('POST', `/v1/parking/sessions/${entry.json.sessionId}/payments`, {
      token: cashier,
      headers: { 'Idempotency-Key': randomUUID() },
      body: { channel: 'TRANSFER', amount: '2.00', at: '2025-03-01T11:59:00+08:00', reference: 'T1' },
    });
    expect(paid.status, paid.text).toBe(201);
    expect(paid.json.exitBy).toBe('2025-03-01T12:24:00+08:00');
    const exitAt = async (at: string) => {
      h.clock.set(at);
      return h.call('POST', '/v1/parking/exits', {
        token: gate,
        body: { estateId: 'DEMO', plate: '粤B12345', gateId: 'G2', at },
      });
    };
    const late = await exitAt('2025-03-01T12:25:00+08:00');
    expect(late.status, late.text).toBe(200);
    expect(late.json).toMatchObject({ allowed: false, amountDue: '3.00' });
    expect((await exitAt('2025-03-01T12:24:00+08:00')).json).toMatchObject({ allowed: true, reason: 'PAID' });
  });

  it('renews the property fee even when a cashier already billed the spaces for that period', async () => {
    h.clock.set('2025-03-01T10:00:00+08:00');
    const id = await unit('102', '2025-02-15', 'A-1');
    const moveIn = await h.call('POST', '/v1/invoices', {
      token: cashier,
      headers: { 'Idempotency-Key': randomUUID() },
      body: { unitId: id, items: [{ type: 'PROPERTY_FEE' }, { type: 'PARKING_SPACE_FEE' }] },
    });
    expect((await pay(moveIn.json.invoiceId, moveIn.json.total)).status).toBe(201);
    const spaces = await h.call('POST', '/v1/invoices', {
      token: cashier,
      headers: { 'Idempotency-Key': randomUUID() },
      body: { unitId: id, items: [{ type: 'PARKING_SPACE_FEE', periods: 1 }] },
    });
    expect(spaces.json.lines[0].period.start).toBe('2026-02-15');
    h.clock.set('2026-01-20T10:00:00+08:00');
    const run = await h.call('POST', '/v1/estates/DEMO/renewals', {
      token: cashier,
      body: { asOf: '2026-01-20' },
    });
    expect(run.status, run.text).toBe(200);
    expect(run.json).toMatchObject({ skipped: 0, failed: [] });
    expect(run.json.issued).toHaveLength(1);
    const renewal = await h.call('GET', `/v1/invoices/${run.json.issued[0]}`, { token: cashier });
    expect(renewal.json.lines.map((l: { type: string }) => l.type)).toEqual(['PROPERTY_FEE']);
    expect(renewal.json.lines[0].period.start).toBe('2026-02-15');
  });

  it('a paid renovation invoice whose deposit is only held can be credited, also after a failed acceptance', async () => {
    h.clock.set('2025-03-01T10:00:00+08:00');
    const id = await unit('201', '2025-01-15');
    const reg = await h.call('POST', '/v1/renovations', { token: cashier, body: { unitId: id, cards: 5 } });
    expect(reg.status, reg.text).toBe(201);
    expect((await pay(reg.json.invoice.invoiceId, reg.json.invoice.total)).status).toBe(201);
    h.clock.set('2025-03-10T10:00:00+08:00');
    const acceptance = await h.call('POST', `/v1/renovations/${reg.json.caseId}/acceptance`, {
      token: cashier,
      body: { date: '2025-03-10', passed: false },
    });
    expect(acceptance.status, acceptance.text).toBe(200);
    const note = await h.call('POST', `/v1/invoices/${reg.json.invoice.invoiceId}/credit-notes`, {
      token: cashier,
      headers: { 'Idempotency-Key': randomUUID() },
      body: { reason: '业主取消装修' },
    });
    expect(note.status, note.text).toBe(201);
  });

  it('bills exactly MAX_PERIODS elapsed periods, and refuses one more', () => {
    expect(selectPeriods({ deliveryDate: '2005-06-01' }, new Map(), '2025-03-01')).toHaveLength(MAX_PERIODS);
    expect(() => selectPeriods({ deliveryDate: '2004-06-01' }, new Map(), '2025-03-01')).toThrow(
      /more than 20/,
    );
  });
});
