import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../lib/api/routes.js';
import { createEstate } from '../../lib/billing/estates.js';
import { createUnit } from '../../lib/billing/units.js';
import { type ApiHarness, isErrorBody } from '../support/api.js';
import { paymentHarness } from '../support/payments.js';

let h: ApiHarness;
const E = 'DEMO';
const tokens: Record<'gate' | 'kiosk' | 'kiosk2' | 'cashier' | 'admin', string> = {
  gate: '',
  kiosk: '',
  kiosk2: '',
  cashier: '',
  admin: '',
};

beforeAll(async () => {
  h = (await paymentHarness()).h;
  await createEstate(h.ctx('admin'), { estateId: E, name: '示范花园' });
  tokens.gate = await h.token('gate', { sub: 'gate-east' });
  tokens.kiosk = await h.token('kiosk', { sub: 'kiosk-lobby' });
  tokens.kiosk2 = await h.token('kiosk', { sub: 'kiosk-garage' });
  tokens.cashier = await h.token('cashier');
  tokens.admin = await h.token('admin');
});

afterAll(() => h?.close());

const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
let keys = 0;

/** The server clock moves to `ms`, and the gate reports the event as it happens. */
function gateEvent(
  kind: 'entries' | 'exits',
  plate: string,
  ms: number,
  gateId = kind === 'entries' ? 'IN-1' : 'OUT-1',
) {
  h.clock.now = ms;
  return h.call('POST', `/v1/parking/${kind}`, {
    token: tokens.gate,
    body: { estateId: E, plate, gateId, at: iso(ms) },
  });
}

function quote(sessionId: string, atMs?: number) {
  return h.call('GET', `/v1/parking/sessions/${sessionId}/quote`, {
    token: tokens.kiosk,
    ...(atMs !== undefined ? { query: { at: iso(atMs) } } : {}),
  });
}

/**
 * Pays a session: at the counter (a cashier, or a counter channel) as posted; at a kiosk through a
 * payment order that the sandbox provider pays (issue 21: kiosks never self-report), answered as
 * the counter route answers (the receipt and `exitBy`) or with the order's refusal.
 */
async function pay(
  sessionId: string,
  amount: string,
  opts: { token?: string; key?: string; channel?: string } = {},
) {
  const token = opts.token ?? tokens.kiosk;
  const channel = opts.channel ?? 'KIOSK_WECHAT';
  if (token === tokens.cashier || !channel.startsWith('KIOSK_')) {
    return h.call('POST', `/v1/parking/sessions/${sessionId}/payments`, {
      token,
      headers: { 'idempotency-key': opts.key ?? `pay-${++keys}` },
      body: { channel, amount, reference: `wx-${keys}` },
    });
  }
  const order = await h.call('POST', '/v1/payment-orders', {
    token,
    headers: { 'idempotency-key': opts.key ?? `order-${++keys}` },
    body: { sessionId, provider: channel === 'KIOSK_ALIPAY' ? 'ALIPAY' : 'WECHAT' },
  });
  if (order.status !== 201) return order;
  expect(order.json.amount, 'the order asks the amount due').toBe(amount);
  const paid = await h.call('POST', '/local/sandbox/pay', { body: { outTradeNo: order.json.outTradeNo } });
  expect(paid.status, paid.text).toBe(200);
  const done = await h.call('GET', `/v1/payment-orders/${order.json.orderId}`, { token });
  expect(done.json.status, done.text).toBe('PAID');
  const receipt = await h.call('GET', `/v1/receipts/${done.json.receiptNo}`, { token: tokens.cashier });
  const { exitBy } = (await quote(sessionId)).json;
  return { ...receipt, status: 201, json: { ...receipt.json, exitBy } };
}

/** The body matches the response schema the OpenAPI document publishes for the route. */
function conforms(operationId: string, json: unknown) {
  const route = ROUTES.find((r) => r.operationId === operationId)!;
  const parsed = route.response.safeParse(json);
  expect(parsed.success, `${operationId}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
}

function expectError(res: { status: number; json: unknown }, status: number, code: string, field?: string) {
  expect(res.status, JSON.stringify(res.json)).toBe(status);
  expect(isErrorBody(res.json)).toBe(true);
  const error = (res.json as { error: { code: string; details: unknown[] } }).error;
  if (field) expect(error.details[0]).toMatchObject({ field, code });
  else expect(error.code).toBe(code);
}

describe('the boundary table of SPEC.md §4.2, through entry, quote, pay and exit', () => {
  const T0 = Date.parse('2025-03-03T08:00:00+08:00');
  const table: [string, number, string][] = [
    ...(
      [
        [0, '0.00'],
        [119, '0.00'],
        [120, '0.00'],
        [121, '2.00'],
        [240, '2.00'],
        [241, '5.00'],
        [480, '5.00'],
        [481, '10.00'],
        [1440, '10.00'],
        [1441, '10.00'],
        [1560, '10.00'],
        [1561, '12.00'],
        [2880, '20.00'],
        [2881, '20.00'],
        [4325, '30.00'],
      ] as const
    ).map(([m, fee]) => [`${m} min`, m * MINUTE, fee] as [string, number, string]),
    ['2 h 00 min 59 s', 120 * MINUTE + 59_000, '0.00'],
  ];

  it.each(table.map(([label, stayMs, fee], i) => [label, fee, stayMs, i] as const))(
    '%s → %s',
    async (_label, fee, stayMs, i) => {
      const plate = `粤A1${String(i).padStart(4, '0')}`;
      const entry = await gateEvent('entries', plate, T0);
      expect(entry.status).toBe(201);
      expect(entry.json).toMatchObject({
        plate,
        status: 'OPEN',
        alreadyInside: false,
        tariffVersion: `${E}@2000-01-01`,
      });
      conforms('recordParkingEntry', entry.json);
      const sessionId = entry.json.sessionId as string;

      h.clock.now = T0 + stayMs;
      const q = await quote(sessionId);
      expect(q.status).toBe(200);
      conforms('quoteParkingSession', q.json);
      expect(q.json).toMatchObject({
        durationMinutes: Math.floor(stayMs / MINUTE),
        fee,
        amountDue: fee,
        paid: '0.00',
      });

      const firstExit = await gateEvent('exits', plate, T0 + stayMs);
      expect(firstExit.status).toBe(200);
      conforms('recordParkingExit', firstExit.json);
      expect(firstExit.json).toMatchObject({ sessionId, amountDue: fee, allowed: fee === '0.00' });
      if (fee === '0.00') {
        expect(firstExit.json.reason).toBe('FREE_STAY');
        return;
      }
      const paid = await pay(sessionId, fee);
      expect(paid.status, JSON.stringify(paid.json)).toBe(201);
      conforms('payParkingSession', paid.json);
      expect(paid.json).toMatchObject({
        amount: fee,
        sessionId,
        plate,
        lines: [{ type: 'TEMP_PARKING', amount: fee }],
      });
      expect(Date.parse(paid.json.exitBy)).toBe(T0 + stayMs + 15 * MINUTE);
      const exit = await gateEvent('exits', plate, T0 + stayMs);
      expect(exit.json).toMatchObject({
        allowed: true,
        sessionId,
        amountDue: '0.00',
        reason: 'PAID',
        paid: fee,
      });
    },
  );
});

describe('the exit deadline after paying', () => {
  const at = (hhmm: string) => Date.parse(`2025-03-04T${hhmm}:00+08:00`);

  it('paid at 10:00 (3 h 55 min), leaving at 10:14 although the stay has crossed 4 h: free', async () => {
    const entry = await gateEvent('entries', '京N12345', at('06:05'));
    const sessionId = entry.json.sessionId as string;
    h.clock.now = at('10:00');
    expect((await pay(sessionId, '2.00')).status).toBe(201);
    h.clock.now = at('10:14');
    expect((await quote(sessionId)).json).toMatchObject({
      fee: '5.00',
      paid: '2.00',
      amountDue: '0.00',
      exitAllowed: true,
    });
    const exit = await gateEvent('exits', '京N12345', at('10:14'));
    expect(exit.json).toMatchObject({ allowed: true, amountDue: '0.00', reason: 'PAID' });
  });

  it('paid at 3 h 55 min, leaving 40 minutes later across 4 h: owes only the 3.00 the longer stay adds', async () => {
    const entry = await gateEvent('entries', '京N12346', at('06:05'));
    const sessionId = entry.json.sessionId as string;
    h.clock.now = at('10:00');
    expect((await pay(sessionId, '2.00')).json.exitBy).toBe('2025-03-04T10:15:00+08:00');
    const late = await gateEvent('exits', '京N12346', at('10:40'));
    expect(late.json).toMatchObject({
      allowed: false,
      fee: '5.00',
      paid: '2.00',
      amountDue: '3.00',
      reason: 'PAYMENT_DUE',
    });
    const q = await quote(sessionId);
    expect(q.json).toMatchObject({
      fee: '5.00',
      paid: '2.00',
      amountDue: '3.00',
      band: { upToMinutes: 480, amount: '5.00' },
    });
    const topUp = await pay(sessionId, '3.00');
    expect(topUp.status).toBe(201);
    expect(topUp.json.lines[0].description).toContain('补缴');
    const exit = await gateEvent('exits', '京N12346', at('10:41'));
    expect(exit.json).toMatchObject({ allowed: true, paid: '5.00', amountDue: '0.00' });
  });

  it('the grace runs from the payment, not from the quote it paid: quoted 10:00, paid 10:06 → exit by 10:21', async () => {
    const entry = await gateEvent('entries', '京N12348', at('06:30'));
    const sessionId = entry.json.sessionId as string;
    h.clock.now = at('10:00');
    expect((await quote(sessionId)).json).toMatchObject({ amountDue: '2.00' });
    h.clock.now = at('10:06');
    // At the counter a payment may price a quote a few minutes old (`at`); kiosk orders price their own time.
    const paid = await h.call('POST', `/v1/parking/sessions/${sessionId}/payments`, {
      token: tokens.cashier,
      headers: { 'idempotency-key': 'grace-from-payment' },
      body: { channel: 'TRANSFER', amount: '2.00', at: iso(at('10:00')), reference: 'bank-1' },
    });
    expect(paid.status, JSON.stringify(paid.json)).toBe(201);
    expect(paid.json).toMatchObject({
      paidAt: '2025-03-04T10:06:00+08:00',
      exitBy: '2025-03-04T10:21:00+08:00',
    });
    // 10:20 is past 10:15 (quote + 15 min) but inside the grace of the payment.
    const exit = await gateEvent('exits', '京N12348', at('10:20'));
    expect(exit.json).toMatchObject({ allowed: true, reason: 'PAID', amountDue: '0.00' });
  });

  it('leaving inside the grace but past a band: the stay cost what was paid, in the answer and its retry', async () => {
    const entry = await gateEvent('entries', '京N12349', at('06:00'));
    h.clock.now = at('09:55');
    expect((await pay(entry.json.sessionId, '2.00')).status).toBe(201);
    // 4 h 09 min would be 5.00 unpaid; paid at 3 h 55 min and leaving inside the grace, it is 2.00.
    const exit = await gateEvent('exits', '京N12349', at('10:09'));
    const retry = await gateEvent('exits', '京N12349', at('10:09'));
    expect(exit.json).toMatchObject({ allowed: true, fee: '2.00', paid: '2.00', amountDue: '0.00' });
    expect(retry.json).toEqual(exit.json);
  });

  it('paid at 10:00, leaving at 10:40 with the stay still in the same band: nothing more', async () => {
    const entry = await gateEvent('entries', '京N12347', at('07:30'));
    h.clock.now = at('10:00');
    expect((await pay(entry.json.sessionId, '2.00')).status).toBe(201);
    const exit = await gateEvent('exits', '京N12347', at('10:40'));
    expect(exit.json).toMatchObject({ allowed: true, fee: '2.00', amountDue: '0.00' });
  });
});

describe('payments at kiosks and the counter', () => {
  const T = Date.parse('2025-03-05T07:00:00+08:00');

  it('two kiosks paying the same session at once: one order, exactly one payment', async () => {
    const entry = await gateEvent('entries', '沪C12345', T);
    const sessionId = entry.json.sessionId as string;
    h.clock.now = T + 3 * 60 * MINUTE;
    // Four requests for the session's order at once (two terminals, each twice): one order.
    const orders = await Promise.all(
      [tokens.kiosk, tokens.kiosk2, tokens.kiosk, tokens.kiosk2].map((token) =>
        h.call('POST', '/v1/payment-orders', {
          token,
          headers: { 'idempotency-key': `order-${++keys}` },
          body: { sessionId, provider: 'WECHAT' },
        }),
      ),
    );
    expect(orders.map((o) => o.status)).toEqual([201, 201, 201, 201]);
    expect(new Set(orders.map((o) => o.json.orderId)).size).toBe(1);
    expect(orders[0]!.json.amount).toBe('2.00');
    // The owner's phone pays it; the provider's notification arrives twice at once: paid once.
    const outTradeNo = orders[0]!.json.outTradeNo as string;
    const sent = await Promise.all([
      h.call('POST', '/local/sandbox/pay', { body: { outTradeNo } }),
      h.call('POST', '/local/sandbox/pay', { body: { outTradeNo, repeat: 2 } }),
    ]);
    expect(sent.map((r) => r.status)).toEqual([200, 200]);
    const done = await Promise.all(
      orders.map((o) => h.call('GET', `/v1/payment-orders/${o.json.orderId}`, { token: tokens.kiosk })),
    );
    expect(done.map((d) => d.json.status)).toEqual(['PAID', 'PAID', 'PAID', 'PAID']);
    const receiptNo = done[0]!.json.receiptNo as string;
    // A terminal asking again now is told nothing is due, and no second order is made.
    expectError(
      await h.call('POST', '/v1/payment-orders', {
        token: tokens.kiosk2,
        headers: { 'idempotency-key': `order-${++keys}` },
        body: { sessionId, provider: 'WECHAT' },
      }),
      409,
      'NOTHING_DUE',
    );
    const list = await h.call('GET', '/v1/parking/sessions', {
      token: tokens.kiosk,
      query: { estateId: E, plate: '沪C 123.45' },
    });
    conforms('listParkingSessions', list.json);
    expect(list.json.items).toEqual([
      expect.objectContaining({ sessionId, paid: '2.00', receipts: [receiptNo] }),
    ]);
    const receipt = await h.call('GET', `/v1/receipts/${receiptNo}`, { token: tokens.cashier });
    expect(receipt.json).toMatchObject({
      amount: '2.00',
      amountInWords: '人民币贰元整',
      sessionId,
      channel: 'KIOSK_WECHAT',
    });
  });

  it('a retry under the same Idempotency-Key replays the receipt; without a key, or with the wrong channel, nothing is paid', async () => {
    const entry = await gateEvent('entries', '沪C12346', T);
    const sessionId = entry.json.sessionId as string;
    h.clock.now = T + 5 * 60 * MINUTE;
    expectError(
      await h.call('POST', `/v1/parking/sessions/${sessionId}/payments`, {
        token: tokens.cashier,
        body: { channel: 'CASH', amount: '5.00' },
      }),
      400,
      'IDEMPOTENCY_KEY_REQUIRED',
      'Idempotency-Key',
    );
    // Kiosks pay through payment orders only.
    expectError(await pay(sessionId, '5.00', { channel: 'CASH' }), 403, 'ROLE_NOT_ALLOWED');
    expectError(
      await pay(sessionId, '5.00', { token: tokens.cashier, channel: 'KIOSK_CARD' }),
      403,
      'KIOSK_CHANNEL_NOT_SELF_REPORTED',
    );
    expectError(
      await pay(sessionId, '4.99', { token: tokens.cashier, channel: 'TRANSFER' }),
      400,
      'AMOUNT_MISMATCH',
      'amount',
    );
    const first = await pay(sessionId, '5.00', { token: tokens.cashier, channel: 'CASH', key: 'counter-1' });
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ channel: 'CASH', tendered: '5.00', change: '0.00' });
    const replay = await pay(sessionId, '5.00', { token: tokens.cashier, channel: 'CASH', key: 'counter-1' });
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json).toEqual(first.json);
  });
});

describe('cash at the counter', () => {
  it('CASH with tendered gives change, on the payment and the receipt; a short or non-cash tendered is 400 naming it', async () => {
    const T = Date.parse('2025-03-05T07:00:00+08:00');
    const entry = await gateEvent('entries', '沪C12347', T);
    const sessionId = entry.json.sessionId as string;
    h.clock.now = T + 5 * 60 * MINUTE;
    const counter = (body: Record<string, string>, key: string) =>
      h.call('POST', `/v1/parking/sessions/${sessionId}/payments`, {
        token: tokens.cashier,
        headers: { 'idempotency-key': key },
        body,
      });
    expectError(
      await counter({ channel: 'CASH', amount: '5.00', tendered: '4.99' }, 'cash-short'),
      400,
      'TENDERED_TOO_LOW',
      'tendered',
    );
    expectError(
      await counter({ channel: 'TRANSFER', amount: '5.00', tendered: '10.00' }, 'cash-transfer'),
      400,
      'TENDERED_NOT_CASH',
      'tendered',
    );
    expect((await quote(sessionId)).json).toMatchObject({ paid: '0.00', amountDue: '5.00' });
    const paid = await counter({ channel: 'CASH', amount: '5.00', tendered: '10.00' }, 'cash-10');
    expect(paid.status, JSON.stringify(paid.json)).toBe(201);
    conforms('payParkingSession', paid.json);
    expect(paid.json).toMatchObject({ channel: 'CASH', amount: '5.00', tendered: '10.00', change: '5.00' });
    const receipt = await h.call('GET', `/v1/receipts/${paid.json.receiptNo}`, { token: tokens.cashier });
    expect(receipt.json).toMatchObject({ sessionId, amount: '5.00', tendered: '10.00', change: '5.00' });
  });
});

describe('plates that park free', () => {
  it('a registered owned-space plate exits owing 0.00', async () => {
    const unit = await createUnit(h.ctx('admin'), E, {
      building: '1栋',
      room: '1801',
      unitType: 'HIGH_RISE',
      area: '89.56',
      deliveryDate: '2025-01-01',
      ownerIds: [],
    });
    const space = await h.call('POST', `/v1/units/${unit.unitId}/spaces`, {
      token: tokens.admin,
      body: { spaceNo: 'B1-018', kind: 'OWNED', plates: ['粤B 12345'] },
    });
    expect(space.status).toBe(201);
    const T = Date.parse('2025-03-06T07:00:00+08:00');
    const entry = await gateEvent('entries', '粤B12345', T);
    const exit = await gateEvent('exits', '粤B12345', T + 9 * 60 * MINUTE);
    expect(exit.json).toMatchObject({
      allowed: true,
      sessionId: entry.json.sessionId,
      amountDue: '0.00',
      reason: 'OWNED_SPACE',
    });
  });

  it('a paid rental parks free for its months; unpaid or after it ends, the plate is charged normally', async () => {
    h.clock.now = Date.parse('2025-03-01T09:00:00+08:00');
    const rented = await h.call('POST', '/v1/parking/rentals', {
      token: tokens.cashier,
      headers: { 'idempotency-key': `rent-${++keys}` },
      body: { estateId: E, plate: '粤B 8888-8', rentalKind: 'SHARED', startDate: '2025-03-01', months: 1 },
    });
    expect(rented.status, JSON.stringify(rented.json)).toBe(201);
    conforms('rentParkingSpace', rented.json);
    expect(rented.json).toMatchObject({
      plate: '粤B88888',
      rentalKind: 'SHARED',
      total: '200.00',
      lines: [
        { type: 'PARKING_RENTAL', amount: '200.00', period: { start: '2025-03-01', end: '2025-04-01' } },
      ],
    });
    const invoiceId = rented.json.invoiceId as string;
    expectError(
      await h.call('POST', '/v1/parking/rentals', {
        token: tokens.cashier,
        headers: { 'idempotency-key': `rent-${++keys}` },
        body: {
          estateId: E,
          plate: '粤B88888',
          rentalKind: 'SMART_UNDERGROUND',
          startDate: '2025-03-15',
          months: 2,
        },
      }),
      409,
      'RENTAL_OVERLAP',
    );

    const stay = async (from: string, hours: number) => {
      const start = Date.parse(from);
      await gateEvent('entries', '粤B88888', start);
      return (await gateEvent('exits', '粤B88888', start + hours * 60 * MINUTE)).json;
    };
    // Issued but not paid: charged like any car (and the car pays at the kiosk to leave).
    const unpaid = await stay('2025-03-10T08:00:00+08:00', 3);
    expect(unpaid).toMatchObject({ allowed: false, amountDue: '2.00' });
    h.clock.now = Date.parse('2025-03-10T11:00:00+08:00');
    expect((await pay(unpaid.sessionId, '2.00')).status).toBe(201);
    expect((await gateEvent('exits', '粤B88888', Date.parse('2025-03-10T11:01:00+08:00'))).json.allowed).toBe(
      true,
    );

    h.clock.now = Date.parse('2025-03-10T12:00:00+08:00');
    const paid = await h.call('POST', `/v1/invoices/${invoiceId}/payments`, {
      token: tokens.cashier,
      headers: { 'idempotency-key': 'rental-1' },
      body: { channel: 'CASH', amount: '200.00', tendered: '200.00' },
    });
    expect(paid.status).toBe(201);
    expect(await stay('2025-03-12T08:00:00+08:00', 9)).toMatchObject({
      allowed: true,
      amountDue: '0.00',
      reason: 'RENTAL',
    });
    expect(await stay('2025-03-31T18:00:00+08:00', 5)).toMatchObject({
      allowed: true,
      amountDue: '0.00',
      reason: 'RENTAL',
    });
    // The rented period is [2025-03-01, 2025-04-01): an exit on April 1st pays.
    expect(await stay('2025-04-01T08:00:00+08:00', 3)).toMatchObject({ allowed: false, amountDue: '2.00' });
  });

  it('a rental covers only its own months: the time before it starts and after it ends is charged by the bands', async () => {
    const plate = '粤B66661';
    h.clock.now = Date.parse('2025-05-09T20:00:00+08:00');
    const rented = await h.call('POST', '/v1/parking/rentals', {
      token: tokens.cashier,
      headers: { 'idempotency-key': `rent-${++keys}` },
      body: { estateId: E, plate, rentalKind: 'SHARED', startDate: '2025-05-10', months: 1 },
    });
    expect(rented.status, JSON.stringify(rented.json)).toBe(201);
    const paidRental = await h.call('POST', `/v1/invoices/${rented.json.invoiceId}/payments`, {
      token: tokens.cashier,
      headers: { 'idempotency-key': 'rental-before-after' },
      body: { channel: 'TRANSFER', amount: '200.00' },
    });
    expect(paidRental.status).toBe(201);

    // In since 21:00 the day before the rental starts: 3 h before 00:00 cost 2.00, the rest is free.
    const entry = await gateEvent('entries', plate, Date.parse('2025-05-09T21:00:00+08:00'));
    const sessionId = entry.json.sessionId as string;
    const out = Date.parse('2025-05-10T10:00:00+08:00');
    expect((await gateEvent('exits', plate, out)).json).toMatchObject({
      allowed: false,
      durationMinutes: 780,
      fee: '2.00',
      amountDue: '2.00',
      reason: 'PAYMENT_DUE',
    });
    const q = await quote(sessionId);
    conforms('quoteParkingSession', q.json);
    expect(q.json).toMatchObject({ durationMinutes: 780, fee: '2.00', band: null, fullDays: 0 });
    expect(q.json.parts).toEqual([
      {
        from: '2025-05-09T21:00:00+08:00',
        to: '2025-05-10T00:00:00+08:00',
        durationMinutes: 180,
        freeBy: null,
        fullDays: 0,
        band: { upToMinutes: 240, amount: '2.00' },
        fee: '2.00',
      },
      {
        from: '2025-05-10T00:00:00+08:00',
        to: '2025-05-10T10:00:00+08:00',
        durationMinutes: 600,
        freeBy: 'RENTAL',
        fullDays: 0,
        band: null,
        fee: '0.00',
      },
    ]);
    const paid = await pay(sessionId, '2.00');
    expect(paid.status, JSON.stringify(paid.json)).toBe(201);
    expect(paid.json.lines[0].description).toBe('临时停车费 粤B66661 13小时0分钟 (租期外 3小时0分钟 2.00元)');
    expect((await gateEvent('exits', plate, out + MINUTE)).json).toMatchObject({
      allowed: true,
      reason: 'PAID',
    });

    // The rented months are [2025-05-10, 2025-06-10): in at 22:00 on the last day, out at 03:00 after it
    // ended, the car pays the 3 h after 00:00 (2.00), not the 5 h stay (5.00).
    await gateEvent('entries', plate, Date.parse('2025-06-09T22:00:00+08:00'));
    expect((await gateEvent('exits', plate, Date.parse('2025-06-10T03:00:00+08:00'))).json).toMatchObject({
      allowed: false,
      durationMinutes: 300,
      fee: '2.00',
      amountDue: '2.00',
    });
  });

  it('a credited (红冲) rental no longer parks free, and its months may be rented again', async () => {
    const plate = '粤B88889';
    h.clock.now = Date.parse('2025-03-01T09:00:00+08:00');
    const rented = await h.call('POST', '/v1/parking/rentals', {
      token: tokens.cashier,
      headers: { 'idempotency-key': `rent-${++keys}` },
      body: { estateId: E, plate, rentalKind: 'SMART_UNDERGROUND', startDate: '2025-03-01', months: 2 },
    });
    expect(rented.json).toMatchObject({
      total: '600.00',
      lines: [{ period: { start: '2025-03-01', end: '2025-05-01' } }],
    });
    const invoiceId = rented.json.invoiceId as string;
    const paid = await h.call('POST', `/v1/invoices/${invoiceId}/payments`, {
      token: tokens.cashier,
      headers: { 'idempotency-key': 'rental-2' },
      body: { channel: 'TRANSFER', amount: '600.00' },
    });
    expect(paid.status).toBe(201);
    const stay = async (from: string, hours: number) => {
      const start = Date.parse(from);
      await gateEvent('entries', plate, start);
      return (await gateEvent('exits', plate, start + hours * 60 * MINUTE)).json;
    };
    expect(await stay('2025-03-02T08:00:00+08:00', 3)).toMatchObject({ allowed: true, reason: 'RENTAL' });
    h.clock.now = Date.parse('2025-03-02T12:00:00+08:00');
    const credited = await h.call('POST', `/v1/invoices/${invoiceId}/credit-notes`, {
      token: tokens.cashier,
      headers: { 'idempotency-key': 'rental-credit-1' },
      body: { reason: '退租' },
    });
    expect(credited.status).toBe(201);
    expect(await stay('2025-03-03T08:00:00+08:00', 3)).toMatchObject({ allowed: false, amountDue: '2.00' });
    h.clock.now = Date.parse('2025-03-03T12:00:00+08:00');
    const again = await h.call('POST', '/v1/parking/rentals', {
      token: tokens.cashier,
      headers: { 'idempotency-key': `rent-${++keys}` },
      body: { estateId: E, plate, rentalKind: 'SHARED', startDate: '2025-03-15', months: 1 },
    });
    expect(again.status).toBe(201);
  });
});

describe('bad input and impossible gate events change nothing', () => {
  it('bad plates, exits before entries, clock skew, future times, unknown plates: 4xx with clear codes', async () => {
    const T = Date.parse('2025-03-07T10:00:00+08:00');
    const entry = await gateEvent('entries', '浙A12345', T);
    const sessionId = entry.json.sessionId as string;
    const before = await h.scan();

    const bad = (plate: unknown, kind: 'entries' | 'exits' = 'entries', at = iso(T + MINUTE)) =>
      h.call('POST', `/v1/parking/${kind}`, {
        token: tokens.gate,
        body: { estateId: E, plate, gateId: 'IN-1', at },
      });
    h.clock.now = T + 2 * MINUTE;
    for (const plate of ['ABC123', '浙A1234', '浙A1234567', '浙12345A', '', '浙A12345;DROP']) {
      expectError(await bad(plate), 400, 'INVALID_PLATE', 'plate');
      expectError(await bad(plate, 'exits'), 400, 'INVALID_PLATE', 'plate');
    }
    expectError(await bad(12345), 400, 'INVALID_INPUT');
    expectError(await bad('浙A12345', 'exits', iso(T - 60 * MINUTE)), 400, 'EXIT_BEFORE_ENTRY', 'at');
    expectError(await bad('浙A12345', 'exits', iso(T - 3_000)), 400, 'GATE_CLOCK_SKEW', 'at');
    expectError(await bad('浙A12345', 'exits', iso(T + 60 * MINUTE)), 400, 'AT_IN_FUTURE', 'at');
    expectError(await bad('浙A12345', 'exits', '2025-03-07T10:05:00'), 400, 'INVALID_INPUT');
    expectError(await bad('浙B99999', 'exits'), 409, 'NO_ENTRY_RECORDED');
    expectError(
      await h.call('GET', '/v1/parking/sessions', {
        token: tokens.kiosk,
        query: { estateId: E, plate: 'XYZ' },
      }),
      400,
      'INVALID_PLATE',
      'plate',
    );
    expectError(await quote(sessionId, T - 60 * MINUTE), 400, 'EXIT_BEFORE_ENTRY', 'at');
    expectError(
      await h.call('POST', '/v1/parking/rentals', {
        token: tokens.cashier,
        headers: { 'idempotency-key': `rent-${++keys}` },
        body: { estateId: E, plate: '浙A1', rentalKind: 'SHARED', startDate: '2025-03-07', months: 1 },
      }),
      400,
      'INVALID_PLATE',
      'plate',
    );
    expectError(
      await h.call('POST', `/v1/parking/sessions/${sessionId}/payments`, {
        token: tokens.cashier,
        headers: { 'idempotency-key': 'bad-money' },
        body: { channel: 'TRANSFER', amount: 2, reference: 'x' },
      }),
      400,
      'INVALID_INPUT',
    );
    expectError(await pay(sessionId, '0.00'), 409, 'NOTHING_DUE');
    expectError(
      await h.call('POST', '/v1/parking/entries', {
        token: tokens.kiosk,
        body: { estateId: E, plate: '浙A12345', gateId: 'IN-1', at: iso(T) },
      }),
      403,
      'ROLE_NOT_ALLOWED',
    );
    expectError(
      await h.call('POST', '/v1/parking/entries', {
        token: await h.token('gate', { estates: ['OTHER'] }),
        body: { estateId: E, plate: '浙A12345', gateId: 'IN-1', at: iso(T) },
      }),
      403,
      'OUTSIDE_ESTATE',
    );
    const after = await h.scan();
    // Refused payments leave their (completed) idempotency records, which are not part of the parking state.
    const withoutIdempotency = (items: typeof after) =>
      items.filter((i) => !i['PK']?.S?.startsWith('IDEMP#'));
    expect(withoutIdempotency(after)).toEqual(withoutIdempotency(before));

    // The session is untouched: a real exit works.
    const exit = await gateEvent('exits', '浙A12345', T + 30 * MINUTE);
    expect(exit.json).toMatchObject({ allowed: true, sessionId, amountDue: '0.00' });
  });

  it('the same entry twice answers with the one open session', async () => {
    const T = Date.parse('2025-03-07T12:00:00+08:00');
    const first = await gateEvent('entries', '浙A54321', T);
    const again = await gateEvent('entries', '浙A 54321', T + 20_000, 'IN-2');
    expect(again.status).toBe(201);
    expect(again.json).toMatchObject({
      sessionId: first.json.sessionId,
      alreadyInside: true,
      entryGateId: 'IN-1',
    });
    const open = await h.call('GET', '/v1/parking/sessions', {
      token: tokens.cashier,
      query: { estateId: E, limit: '1000' },
    });
    expect(open.json.items.filter((s: { plate: string }) => s.plate === '浙A54321')).toHaveLength(1);
  });
});
