// Issue 17, item 12: every time in every JSON answer has one shape, RFC 3339 with +08:00 and whole
// seconds, whether written now, echoed from a request, or stored long ago in another shape.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { key } from '../../lib/store/keys.js';
import { type ApiHarness, type ApiResponse, DEMO_OWNER } from '../support/api.js';
import { paymentHarness } from '../support/payments.js';

const ONE_SHAPE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/;
/** Anything a client would take for a time: a date followed by a clock. */
const LOOKS_LIKE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;

let h: ApiHarness;
const answers: { what: string; r: ApiResponse }[] = [];

beforeAll(async () => {
  h = (await paymentHarness()).h;
});
afterAll(() => h?.close());

/** Every string in a JSON value, with its path. */
function strings(value: unknown, path = '$'): [string, string][] {
  if (typeof value === 'string') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${path}[${i}]`));
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => strings(v, `${path}.${k}`));
  return [];
}

async function call(
  what: string,
  method: string,
  path: string,
  opts: Parameters<ApiHarness['call']>[2] = {},
) {
  const r = await h.call(method, path, opts);
  expect(r.status, `${what}: ${r.text}`).toBeLessThan(300);
  answers.push({ what, r });
  return r;
}

describe('times in answers', () => {
  it('all have one shape across a full flow, old stored records included', async () => {
    // A clock between seconds: before the fix, times came out with 1-3 fraction digits.
    h.clock.set('2026-03-01T10:00:00.437+08:00');
    const units = await h.seedDemo();
    const unitId = units[0]!.unitId;
    const admin = await h.token('admin', { estates: ['DEMO', 'TS'] });
    const cashier = await h.token('cashier');
    const accountant = await h.token('accountant');
    const owner = await h.token('owner', { sub: DEMO_OWNER, units: [unitId] });
    const gate = await h.token('gate');
    const kiosk = await h.token('kiosk');
    const idem = () => ({ 'Idempotency-Key': randomUUID() });

    // A record written before the fix, in a shape of its own; stored documents are never rewritten.
    await h.db.update({
      Key: key.unit(units[1]!.unitId),
      UpdateExpression: 'SET createdAt = :old',
      ExpressionAttributeValues: { ':old': '2026-03-01T02:00:00.5Z' },
    });
    const old = await call('an old unit', 'GET', `/v1/units/${units[1]!.unitId}`, { token: accountant });
    expect(old.json.createdAt).toBe('2026-03-01T10:00:00+08:00');

    await call('new estate', 'POST', '/v1/estates', {
      token: admin,
      body: { estateId: 'TS', name: '时间小区' },
    });
    await call('tariffs', 'GET', '/v1/estates/DEMO/tariffs', { token: kiosk });
    await call('quote', 'POST', '/v1/quotes', {
      token: kiosk,
      body: {
        estateId: 'DEMO',
        items: [
          { type: 'TEMP_PARKING', entryAt: '2026-03-01T08:00:00.5+08:00', exitAt: '2026-03-01T02:30:00Z' },
        ],
      },
    });
    const inv = await call('invoice', 'POST', '/v1/invoices', {
      token: cashier,
      headers: idem(),
      body: { unitId, items: [{ type: 'PROPERTY_FEE' }] },
    });
    h.clock.now += 1_234;
    const payKey = idem();
    const payBody = { channel: 'CASH', amount: inv.json.total, tendered: inv.json.total };
    const paid = await call('payment', 'POST', `/v1/invoices/${inv.json.invoiceId}/payments`, {
      token: cashier,
      headers: payKey,
      body: payBody,
    });
    await call('payment replayed', 'POST', `/v1/invoices/${inv.json.invoiceId}/payments`, {
      token: cashier,
      headers: payKey,
      body: payBody,
    });
    await call('receipt', 'GET', `/v1/receipts/${paid.json.receiptNo}`, { token: owner });
    await call('invoice paid', 'GET', `/v1/invoices/${inv.json.invoiceId}`, { token: owner });
    h.clock.now += 77;
    await call('credit note', 'POST', `/v1/invoices/${inv.json.invoiceId}/credit-notes`, {
      token: cashier,
      headers: idem(),
      body: { reason: '录入错误' },
    });
    const second = await call('second invoice', 'POST', '/v1/invoices', {
      token: cashier,
      headers: idem(),
      body: { unitId, items: [{ type: 'PROPERTY_FEE' }] },
    });
    await call('void', 'POST', `/v1/invoices/${second.json.invoiceId}/void`, {
      token: cashier,
      body: { reason: '重复开票' },
    });
    await call('unit', 'GET', `/v1/units/${unitId}`, { token: owner });
    await call("unit's invoices", 'GET', `/v1/units/${unitId}/invoices`, { token: owner });
    await call('renovation', 'POST', '/v1/renovations', { token: cashier, body: { unitId, cards: 2 } });

    const entry = await call('parking entry', 'POST', '/v1/parking/entries', {
      token: gate,
      body: { estateId: 'DEMO', plate: '粤A12345', gateId: 'IN-1', at: '2026-03-01T02:00:00.123Z' },
    });
    h.clock.set('2026-03-01T13:00:00.610+08:00');
    await call('sessions', 'GET', '/v1/parking/sessions', {
      token: kiosk,
      query: { estateId: 'DEMO', plate: '粤A12345' },
    });
    const quote = await call('parking quote', 'GET', `/v1/parking/sessions/${entry.json.sessionId}/quote`, {
      token: kiosk,
    });
    expect(quote.json.amountDue).not.toBe('0.00');
    // Kiosks pay through a payment order that the (sandbox) provider confirms.
    const order = await call('payment order', 'POST', '/v1/payment-orders', {
      token: kiosk,
      headers: idem(),
      body: { sessionId: entry.json.sessionId, provider: 'WECHAT' },
    });
    await call('sandbox pay', 'POST', '/local/sandbox/pay', { body: { outTradeNo: order.json.outTradeNo } });
    const paidOrder = await call('paid order', 'GET', `/v1/payment-orders/${order.json.orderId}`, {
      token: kiosk,
    });
    await call('parking receipt', 'GET', `/v1/receipts/${paidOrder.json.receiptNo}`, { token: cashier });
    await call('paid quote', 'GET', `/v1/parking/sessions/${entry.json.sessionId}/quote`, { token: kiosk });
    h.clock.now += 60_000;
    await call('parking exit', 'POST', '/v1/parking/exits', {
      token: gate,
      body: { estateId: 'DEMO', plate: '粤A12345', gateId: 'OUT-1', at: '2026-03-01T13:01:00.610+08:00' },
    });
    await call('ledger', 'GET', '/v1/ledger', {
      token: accountant,
      query: { estateId: 'DEMO', from: '2026-03-01', to: '2026-03-01' },
    });

    const times = answers.flatMap(({ what, r }) =>
      strings(r.json)
        .filter(([, v]) => LOOKS_LIKE_TIME.test(v))
        .map(([path, v]) => ({ where: `${what} ${path}`, v })),
    );
    expect(times.filter((t) => !ONE_SHAPE.test(t.v))).toEqual([]);
    // Enough of them that the walk cannot pass by finding none: every kind of time was seen.
    const kinds = new Set(times.map((t) => t.where.split('.').pop()));
    for (const k of [
      'createdAt',
      'issuedAt',
      'paidAt',
      'voidedAt',
      'registeredAt',
      'entryAt',
      'exitBy',
      'expiresAt',
      'at',
    ])
      expect([...kinds], k).toContain(k);
  });
});
