/**
 * The counter and kiosk flows through the HTTP server `npm start` runs, with real tokens and
 * DynamoDB Local: what a cashier, an owner and an admin see on the wire.
 */

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { logger } from '../../lib/api/lambda.js';
import { workingCalendar } from '../../lib/billing/estates.js';
import { SEED_RATES } from '../../lib/tariffs/catalog.js';
import { type ApiHarness, isErrorBody } from '../support/api.js';
import { paymentHarness } from '../support/payments.js';

let h: ApiHarness;
let admin: string;
let cashier: string;

const MOVE_IN = '2025-03-01T10:00:00+08:00';

beforeAll(async () => {
  h = (await paymentHarness()).h;
  admin = await h.token('admin', { estates: ['DEMO', 'TT'] });
  cashier = await h.token('cashier');
  const estate = await h.call('POST', '/v1/estates', {
    token: admin,
    body: { estateId: 'DEMO', name: '示范花园' },
  });
  expect(estate.status, estate.text).toBe(201);
});

afterAll(() => h?.close());

beforeEach(() => h.clock.set(MOVE_IN));

const idemKey = () => randomUUID();

/** A 高层 89.56 m² unit delivered 2025-02-15: on 2025-03-01 exactly one annual period is due. */
async function newUnit(room: string, owner = 'owner-a', space?: string): Promise<string> {
  const unit = await h.call('POST', '/v1/estates/DEMO/units', {
    token: admin,
    body: {
      building: '1栋',
      room,
      unitType: 'HIGH_RISE',
      area: '89.56',
      deliveryDate: '2025-02-15',
      ownerIds: [owner],
    },
  });
  expect(unit.status, unit.text).toBe(201);
  expect(unit.json).toMatchObject({
    estateId: 'DEMO',
    unitType: 'HIGH_RISE',
    area: '89.56',
    paidThrough: null,
  });
  if (space) {
    const s = await h.call('POST', `/v1/units/${unit.json.unitId}/spaces`, {
      token: admin,
      body: { spaceNo: space, kind: 'OWNED', plates: ['粤B 12345'] },
    });
    expect(s.status, s.text).toBe(201);
    expect(s.json).toMatchObject({ spaceNo: space, kind: 'OWNED', plates: ['粤B12345'] });
  }
  return unit.json.unitId as string;
}

async function issue(unitId: string, items: unknown[] = [{ type: 'PROPERTY_FEE' }]) {
  const inv = await h.call('POST', '/v1/invoices', {
    token: cashier,
    headers: { 'Idempotency-Key': idemKey() },
    body: { unitId, items },
  });
  expect(inv.status, inv.text).toBe(201);
  return inv.json as {
    invoiceId: string;
    total: string;
    lines: { amount: string; period?: { start: string } }[];
  };
}

async function payCash(invoiceId: string, amount: string) {
  const r = await h.call('POST', `/v1/invoices/${invoiceId}/payments`, {
    token: cashier,
    headers: { 'Idempotency-Key': idemKey() },
    body: { channel: 'CASH', amount },
  });
  expect(r.status, r.text).toBe(201);
  return r.json as { receiptNo: string };
}

describe('move-in at the counter', () => {
  it('quotes, issues, takes cash with change, prints the receipt in 大写, and replays under the same key', async () => {
    const unitId = await newUnit('1801', 'owner-a', 'B1-018');

    const quote = await h.call('POST', '/v1/quotes', {
      token: cashier,
      body: {
        estateId: 'DEMO',
        items: [{ type: 'PROPERTY_FEE', unitType: 'HIGH_RISE', area: '89.56', months: 12 }],
      },
    });
    expect(quote.status, quote.text).toBe(200);
    expect(quote.json).toMatchObject({
      currency: 'CNY',
      total: '1934.50',
      lines: [{ amount: '1934.50', unitPrice: '1.8' }],
    });

    const inv = await issue(unitId, [{ type: 'PROPERTY_FEE' }, { type: 'PARKING_SPACE_FEE' }]);
    expect(inv).toMatchObject({
      status: 'OPEN',
      total: '2294.50',
      totalInWords: '人民币贰仟贰佰玖拾肆元伍角整',
    });
    expect(inv.lines.map((l) => [l.amount, l.period])).toEqual([
      ['1934.50', { start: '2025-02-15', end: '2026-02-15', lastDay: '2026-02-14' }],
      ['360.00', { start: '2025-02-15', end: '2026-02-15', lastDay: '2026-02-14' }],
    ]);

    const key = idemKey();
    const body = { channel: 'CASH', amount: '2294.50', tendered: '3000.00' };
    const pay = () =>
      h.call('POST', `/v1/invoices/${inv.invoiceId}/payments`, {
        token: cashier,
        headers: { 'Idempotency-Key': key },
        body,
      });
    const paid = await pay();
    expect(paid.status, paid.text).toBe(201);
    expect(paid.headers['idempotent-replayed']).toBeUndefined();
    expect(paid.json).toMatchObject({
      amount: '2294.50',
      tendered: '3000.00',
      change: '705.50',
      channel: 'CASH',
    });
    const receiptNo = paid.json.receiptNo as string;
    expect(receiptNo).toMatch(/^DEMO-R2025-\d{6}$/);

    const receipt = await h.call('GET', `/v1/receipts/${receiptNo}`, { token: cashier });
    expect(receipt.status).toBe(200);
    expect(receipt.json).toMatchObject({
      receiptNo,
      invoiceNo: inv.invoiceId,
      amount: '2294.50',
      amountInWords: '人民币贰仟贰佰玖拾肆元伍角整',
      change: '705.50',
      lines: [{ amount: '1934.50' }, { amount: '360.00' }],
    });

    const unit = await h.call('GET', `/v1/units/${unitId}`, { token: cashier });
    expect(unit.json).toMatchObject({
      paidThrough: '2026-02-15',
      openInvoices: [],
      spaces: [{ spaceNo: 'B1-018' }],
    });

    // A retry after a lost answer: the first receipt again, and no second payment.
    const before = await h.scan();
    const replay = await pay();
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json).toEqual(paid.json);
    expect(await h.scan()).toEqual(before);

    const reused = await h.call('POST', `/v1/invoices/${inv.invoiceId}/payments`, {
      token: cashier,
      headers: { 'Idempotency-Key': key },
      body: { ...body, tendered: '2294.50' },
    });
    expect(reused.status).toBe(422);
    expect(reused.json.error.code).toBe('IDEMPOTENCY_KEY_REUSED');

    const noKey = await h.call('POST', `/v1/invoices/${inv.invoiceId}/payments`, { token: cashier, body });
    expect(noKey.status).toBe(400);
    expect(noKey.json.error.details).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);

    const again = await h.call('POST', `/v1/invoices/${inv.invoiceId}/payments`, {
      token: cashier,
      headers: { 'Idempotency-Key': idemKey() },
      body,
    });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('ALREADY_PAID');
  });

  it('names each bad field of a payment', async () => {
    const inv = await issue(await newUnit('1802'));
    const pay = (body: unknown) =>
      h.call('POST', `/v1/invoices/${inv.invoiceId}/payments`, {
        token: cashier,
        headers: { 'Idempotency-Key': idemKey() },
        body,
      });
    const mismatch = await pay({ channel: 'CASH', amount: '1934.49' });
    expect([mismatch.status, mismatch.json.error.details[0].field]).toEqual([400, 'amount']);
    const low = await pay({ channel: 'CASH', amount: '1934.50', tendered: '1000.00' });
    expect([low.status, low.json.error.details[0].field]).toEqual([400, 'tendered']);
    const number = await pay({ channel: 'CASH', amount: 1934.5 });
    expect([number.status, number.json.error.details[0].field]).toEqual([400, 'amount']);
    expect((await h.call('GET', `/v1/invoices/${inv.invoiceId}`, { token: cashier })).json.status).toBe(
      'OPEN',
    );
  });
});

describe('kiosk: an owner pays their own invoice', () => {
  it('pays through a WeChat Pay order the provider confirms, and learns nothing about a neighbour', async () => {
    const mine = await issue(await newUnit('2001', 'owner-k1'));
    const unitB = await newUnit('2002', 'owner-k2');
    const theirs = await issue(unitB);
    const unitA = (await h.call('GET', `/v1/invoices/${mine.invoiceId}`, { token: cashier })).json
      .unitId as string;
    const owner = await h.token('owner', { sub: 'owner-k1', units: [unitA] });
    const kioskPay = (invoiceId: string, body: Record<string, unknown>, token = owner) =>
      h.call('POST', `/v1/invoices/${invoiceId}/payments`, {
        token,
        headers: { 'Idempotency-Key': idemKey() },
        body,
      });

    // A neighbour's invoice and one that does not exist answer alike (ids cannot be probed).
    const missing = 'DEMO-2025-999999';
    const sameAnswer = async (
      path: (id: string) => string,
      send: (p: string) => Promise<{ status: number; text: string }>,
    ) => {
      const a = await send(path(theirs.invoiceId));
      const b = await send(path(missing));
      expect(a.status).toBe(404);
      expect(b.status).toBe(404);
      expect(a.text.replaceAll(theirs.invoiceId, 'ID')).toBe(b.text.replaceAll(missing, 'ID'));
    };
    await sameAnswer(
      (id) => `/v1/invoices/${id}`,
      (p) => h.call('GET', p, { token: owner }),
    );
    // Owners pay through payment orders; a neighbour's invoice cannot get one, nor be probed.
    const orderFor = (invoiceId: string, token = owner) =>
      h.call('POST', '/v1/payment-orders', {
        token,
        headers: { 'Idempotency-Key': idemKey() },
        body: { invoiceId, provider: 'WECHAT' },
      });
    const a = await orderFor(theirs.invoiceId);
    const b = await orderFor(missing);
    expect([a.status, b.status]).toEqual([404, 404]);
    expect(a.text.replaceAll(theirs.invoiceId, 'ID')).toBe(b.text.replaceAll(missing, 'ID'));
    expect((await h.call('GET', `/v1/units/${unitB}`, { token: owner })).status).toBe(404);
    expect((await h.call('GET', `/v1/units/${unitB}/invoices`, { token: owner })).status).toBe(404);

    // Kiosk channels are never the kiosk's (or anyone's) word; cash is not an owner's channel.
    const cash = await kioskPay(mine.invoiceId, { channel: 'CASH', amount: mine.total });
    expect([cash.status, cash.json.error.code]).toEqual([403, 'ROLE_NOT_ALLOWED']);
    const selfReported = await kioskPay(mine.invoiceId, {
      channel: 'KIOSK_WECHAT',
      amount: mine.total,
      reference: 'WX-4200001',
    });
    expect(selfReported.status).toBe(403);
    const counterWechat = await kioskPay(
      theirs.invoiceId,
      { channel: 'KIOSK_WECHAT', amount: theirs.total, reference: 'WX-1' },
      cashier,
    );
    expect([counterWechat.status, counterWechat.json.error.code]).toEqual([
      403,
      'KIOSK_CHANNEL_NOT_SELF_REPORTED',
    ]);

    const order = await orderFor(mine.invoiceId);
    expect(order.status, order.text).toBe(201);
    const sandbox = await h.call('POST', '/local/sandbox/pay', {
      body: { outTradeNo: order.json.outTradeNo },
    });
    expect(sandbox.status, sandbox.text).toBe(200);
    const done = await h.call('GET', `/v1/payment-orders/${order.json.orderId}`, { token: owner });
    expect(done.json.status, done.text).toBe('PAID');
    const paid = await h.call('GET', `/v1/receipts/${done.json.receiptNo}`, { token: owner });
    expect(paid.status, paid.text).toBe(200);
    expect(paid.json).toMatchObject({
      channel: 'KIOSK_WECHAT',
      reference: sandbox.json.transactionId,
      amount: '1934.50',
      cashier: 'owner-k1',
    });
    expect(paid.json.tendered).toBeUndefined();
    expect((await h.call('GET', `/v1/receipts/${paid.json.receiptNo}`, { token: owner })).status).toBe(200);
    const neighbour = await h.token('owner', { sub: 'owner-k2', units: [unitB] });
    expect((await h.call('GET', `/v1/receipts/${paid.json.receiptNo}`, { token: neighbour })).status).toBe(
      404,
    );
    expect((await h.call('GET', `/v1/units/${unitA}`, { token: owner })).json.paidThrough).toBe('2026-02-15');
    // The neighbour's invoice is untouched by all of the above.
    expect((await h.call('GET', `/v1/invoices/${theirs.invoiceId}`, { token: neighbour })).json.status).toBe(
      'OPEN',
    );
  });
});

describe('corrections', () => {
  it('voids an unpaid invoice, keeps its number, and lets the period be billed again', async () => {
    const unitId = await newUnit('3001');
    const inv = await issue(unitId);
    const noReason = await h.call('POST', `/v1/invoices/${inv.invoiceId}/void`, {
      token: cashier,
      body: { reason: '  ' },
    });
    expect([noReason.status, noReason.json.error.details[0].field]).toEqual([400, 'reason']);
    const voided = await h.call('POST', `/v1/invoices/${inv.invoiceId}/void`, {
      token: cashier,
      body: { reason: '面积录入错误' },
    });
    expect(voided.status, voided.text).toBe(200);
    expect(voided.json).toMatchObject({
      invoiceId: inv.invoiceId,
      status: 'VOID',
      voidReason: '面积录入错误',
      total: '1934.50',
    });
    const twice = await h.call('POST', `/v1/invoices/${inv.invoiceId}/void`, {
      token: cashier,
      body: { reason: 'again' },
    });
    expect([twice.status, twice.json.error.code]).toEqual([409, 'ALREADY_VOID']);
    const payVoid = await h.call('POST', `/v1/invoices/${inv.invoiceId}/payments`, {
      token: cashier,
      headers: { 'Idempotency-Key': idemKey() },
      body: { channel: 'CASH', amount: '1934.50' },
    });
    expect([payVoid.status, payVoid.json.error.code]).toEqual([409, 'INVOICE_VOID']);
    const reissued = await issue(unitId);
    expect(reissued.invoiceId).not.toBe(inv.invoiceId);
    expect(reissued.lines[0]!.period).toEqual(inv.lines[0]!.period);

    await payCash(reissued.invoiceId, '1934.50');
    const voidPaid = await h.call('POST', `/v1/invoices/${reissued.invoiceId}/void`, {
      token: cashier,
      body: { reason: 'x' },
    });
    expect([voidPaid.status, voidPaid.json.error.code]).toEqual([409, 'INVOICE_PAID']);
  });

  it('reverses a paid invoice with a credit note (红冲), once, and steps paid-through back', async () => {
    const unitId = await newUnit('3002');
    const inv = await issue(unitId);
    const credit = (key: string) =>
      h.call('POST', `/v1/invoices/${inv.invoiceId}/credit-notes`, {
        token: cashier,
        headers: { 'Idempotency-Key': key },
        body: { reason: '业主退房' },
      });
    const unpaid = await credit(idemKey());
    expect([unpaid.status, unpaid.json.error.code]).toEqual([409, 'NOT_PAID']);
    const { receiptNo } = await payCash(inv.invoiceId, '1934.50');
    expect((await h.call('GET', `/v1/units/${unitId}`, { token: cashier })).json.paidThrough).toBe(
      '2026-02-15',
    );

    const key = idemKey();
    const note = await credit(key);
    expect(note.status, note.text).toBe(201);
    expect(note.json).toMatchObject({
      invoiceNo: inv.invoiceId,
      receiptNo,
      total: '-1934.50',
      totalInWords: '人民币负壹仟玖佰叁拾肆元伍角整',
      reason: '业主退房',
      lines: [{ amount: '-1934.50' }],
    });
    expect(note.json.creditNoteNo).toMatch(/^DEMO-C2025-\d{6}$/);
    const replay = await credit(key);
    expect([replay.status, replay.headers['idempotent-replayed'], replay.json]).toEqual([
      201,
      'true',
      note.json,
    ]);
    const twice = await credit(idemKey());
    expect([twice.status, twice.json.error.code]).toEqual([409, 'ALREADY_CREDITED']);

    const after = await h.call('GET', `/v1/invoices/${inv.invoiceId}`, { token: cashier });
    expect(after.json).toMatchObject({
      status: 'CREDITED',
      total: '1934.50',
      creditNoteNo: note.json.creditNoteNo,
    });
    expect((await h.call('GET', `/v1/units/${unitId}`, { token: cashier })).json.paidThrough).toBeNull();
  });
});

describe('renewals', () => {
  it('issues the next period one month before paid-through, once, and never as of a future date', async () => {
    const unitId = await newUnit('4001', 'owner-a', 'B1-401');
    const first = await issue(unitId, [{ type: 'PROPERTY_FEE' }, { type: 'PARKING_SPACE_FEE' }]);
    await payCash(first.invoiceId, first.total);

    h.clock.set('2026-01-14T09:00:00+08:00');
    const early = await h.call('POST', '/v1/estates/DEMO/renewals', {
      token: cashier,
      body: { asOf: '2026-01-14' },
    });
    expect(early.status, early.text).toBe(200);
    const renewedEarly = await Promise.all(
      early.json.issued.map(
        async (id: string) => (await h.call('GET', `/v1/invoices/${id}`, { token: cashier })).json.unitId,
      ),
    );
    expect(renewedEarly).not.toContain(unitId);

    h.clock.set('2026-01-20T09:00:00+08:00');
    const run = await h.call('POST', '/v1/estates/DEMO/renewals', {
      token: cashier,
      body: { asOf: '2026-01-20' },
    });
    expect(run.status, run.text).toBe(200);
    const invoices = await Promise.all(
      run.json.issued.map(
        async (id: string) => (await h.call('GET', `/v1/invoices/${id}`, { token: cashier })).json,
      ),
    );
    const mine = invoices.filter((i) => i.unitId === unitId);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      dueDate: '2026-02-15',
      total: '2294.50',
      lines: [
        { type: 'PROPERTY_FEE', period: { start: '2026-02-15', end: '2027-02-15' } },
        { type: 'PARKING_SPACE_FEE', period: { start: '2026-02-15', end: '2027-02-15' } },
      ],
    });
    expect(mine[0].invoiceId).toMatch(/^DEMO-2026-\d{6}$/);

    const again = await h.call('POST', '/v1/estates/DEMO/renewals', {
      token: cashier,
      body: { asOf: '2026-01-20' },
    });
    expect(again.json.issued).toEqual([]);

    const future = await h.call('POST', '/v1/estates/DEMO/renewals', {
      token: cashier,
      body: { asOf: '2026-01-21' },
    });
    expect([future.status, future.json.error.details[0].field]).toEqual([400, 'asOf']);
    const impossible = await h.call('POST', '/v1/estates/DEMO/renewals', {
      token: cashier,
      body: { asOf: '2025-02-30' },
    });
    expect([impossible.status, impossible.json.error.details[0].field]).toEqual([400, 'asOf']);
  });
});

describe('estate set-up', () => {
  const rates = { ...SEED_RATES, PROPERTY_FEE: { ...SEED_RATES.PROPERTY_FEE, HIGH_RISE: '2.0' } };
  const bands = [
    { upToMinutes: 120, amount: '0.00' },
    { upToMinutes: 240, amount: '2.00' },
    { upToMinutes: 480, amount: '5.00' },
    { upToMinutes: 1440, amount: '10.00' },
  ];

  it('adds a tariff version only with 30 days notice; quotes use the version in effect', async () => {
    expect(
      (await h.call('POST', '/v1/estates', { token: admin, body: { estateId: 'TT', name: '调价小区' } }))
        .status,
    ).toBe(201);
    const version = {
      effectiveFrom: '2025-04-01',
      noticeDate: '2025-03-15',
      approvalRef: '2025年第1次业主大会决议',
      rates,
      tempParkingBands: bands,
    };
    const late = await h.call('POST', '/v1/estates/TT/tariffs', { token: admin, body: version });
    expect(late.status).toBe(400);
    expect(late.json.error.details).toEqual([
      expect.objectContaining({ field: 'noticeDate', code: 'NOTICE_TOO_LATE' }),
    ]);

    const ok = await h.call('POST', '/v1/estates/TT/tariffs', {
      token: admin,
      body: { ...version, effectiveFrom: '2025-06-01', noticeDate: '2025-03-01' },
    });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.json.versionId).toBe('TT@2025-06-01');
    const dup = await h.call('POST', '/v1/estates/TT/tariffs', {
      token: admin,
      body: { ...version, effectiveFrom: '2025-06-01', noticeDate: '2025-03-01' },
    });
    expect(dup.status).toBe(400);
    expect(dup.json.error.details).toEqual([expect.objectContaining({ field: 'effectiveFrom' })]);

    const list = await h.call('GET', '/v1/estates/TT/tariffs', {
      token: await h.token('accountant', { estates: ['TT'] }),
    });
    expect(list.json.items.map((v: { effectiveFrom: string }) => v.effectiveFrom)).toEqual([
      '2025-06-01',
      '2000-01-01',
    ]);

    const quoteOn = async (on: string) =>
      (
        await h.call('POST', '/v1/quotes', {
          token: await h.token('kiosk', { estates: ['TT'] }),
          body: {
            estateId: 'TT',
            on,
            items: [{ type: 'PROPERTY_FEE', unitType: 'HIGH_RISE', area: '89.56', months: 12 }],
          },
        })
      ).json;
    expect(await quoteOn('2025-05-31')).toMatchObject({ total: '1934.50', tariffVersion: 'TT@2000-01-01' });
    expect(await quoteOn('2025-06-01')).toMatchObject({ total: '2149.44', tariffVersion: 'TT@2025-06-01' });
  });

  it('replaces a year of the holiday calendar', async () => {
    const put = (year: string, body: unknown) =>
      h.call('PUT', `/v1/estates/DEMO/calendar/${year}`, { token: admin, body });
    const ok = await put('2027', {
      holidays: ['2027-01-01', '2027-02-06', '2027-01-01'],
      workdays: ['2027-01-30'],
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json).toEqual({ year: 2027, holidays: ['2027-01-01', '2027-02-06'], workdays: ['2027-01-30'] });
    const cal = await workingCalendar(h.ctx('admin'), 'DEMO');
    // 2027-01-30 is a Saturday made a working day; 2027-02-06 a Saturday already off.
    expect(cal.isWorkingDay('2027-01-30')).toBe(true);
    expect(cal.isWorkingDay('2027-01-01')).toBe(false);

    const wrongYear = await put('2027', { holidays: ['2026-12-31'], workdays: [] });
    expect([wrongYear.status, wrongYear.json.error.details[0]]).toEqual([
      400,
      expect.objectContaining({ field: 'holidays[0]', code: 'WRONG_YEAR' }),
    ]);
    const impossible = await put('2027', { holidays: ['2027-02-30'], workdays: [] });
    expect([impossible.status, impossible.json.error.details[0].field]).toEqual([400, 'holidays[0]']);
    const both = await put('2027', { holidays: ['2027-01-04'], workdays: ['2027-01-04'] });
    expect([both.status, both.json.error.details[0].code]).toEqual([400, 'CONTRADICTORY_DAYS']);
    const badYear = await put('1999', { holidays: [], workdays: [] });
    expect([badYear.status, badYear.json.error.details[0].field]).toEqual([400, 'year']);
  });
});

describe("a unit's invoices", () => {
  it('filters by status and pages with an opaque cursor that cannot be forged', async () => {
    const unitId = await newUnit('5001');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      h.clock.set(`2025-03-01T10:0${i}:00+08:00`);
      ids.push((await issue(unitId, [{ type: 'PROPERTY_FEE', periods: 1 }])).invoiceId);
    }
    await payCash(ids[0]!, '1934.50');
    expect(
      (await h.call('POST', `/v1/invoices/${ids[2]}/void`, { token: cashier, body: { reason: '重复开具' } }))
        .status,
    ).toBe(200);
    const list = (query: Record<string, string>) =>
      h.call('GET', `/v1/units/${unitId}/invoices`, { token: cashier, query });

    const all = await list({});
    expect(all.json.items.map((i: { invoiceId: string }) => i.invoiceId)).toEqual([...ids].reverse());
    expect(all.json.nextCursor).toBeUndefined();
    for (const [status, id] of [
      ['PAID', ids[0]],
      ['OPEN', ids[1]],
      ['VOID', ids[2]],
    ] as const) {
      const r = await list({ status });
      expect([status, r.json.items.map((i: { invoiceId: string }) => i.invoiceId)]).toEqual([status, [id]]);
    }
    const bogus = await list({ status: 'UNPAID' });
    expect([bogus.status, bogus.json.error.details[0].field]).toEqual([400, 'status']);

    const follow = async (query: Record<string, string>) => {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const r = await list({ ...query, limit: '1', ...(cursor ? { cursor } : {}) });
        expect(r.status, r.text).toBe(200);
        expect(r.json.items.length).toBeLessThanOrEqual(1);
        seen.push(...r.json.items.map((i: { invoiceId: string }) => i.invoiceId));
        cursor = r.json.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      return { seen, pages, cursor };
    };
    const paged = await follow({});
    expect(paged.seen).toEqual([...ids].reverse());
    expect(paged.cursor).toBeUndefined();
    expect(paged.pages).toBeGreaterThanOrEqual(3);
    expect((await follow({ status: 'OPEN' })).seen).toEqual([ids[1]]);

    const first = await list({ limit: '1' });
    const cursor = first.json.nextCursor as string;
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, string>;
    const forge = (fields: unknown) => Buffer.from(JSON.stringify(fields)).toString('base64url');
    const { SK: _sk, ...withoutSk } = decoded;
    const tampered = [
      forge({ ...decoded, GSI1PK: 'UNIT#DEMO-U9999#INVOICES' }),
      forge({ ...decoded, GSI1SK: 5 }),
      forge(withoutSk),
      forge({ ...decoded, extra: 'x' }),
      forge({ ...decoded, SK: '' }),
      forge({ ...decoded, GSI1SK: '测'.repeat(400) }),
      forge([decoded]),
      'not-a-cursor',
      'x'.repeat(3000),
    ];
    for (const bad of tampered) {
      const r = await list({ limit: '1', cursor: bad });
      expect([bad.slice(0, 40), r.status, r.json?.error?.details?.[0]?.field], r.text).toEqual([
        bad.slice(0, 40),
        400,
        'cursor',
      ]);
    }
    // Another unit's cursor is refused on this list.
    const other = await newUnit('5002');
    await issue(other, [{ type: 'PROPERTY_FEE', periods: 1 }]);
    await issue(other, [{ type: 'PROPERTY_FEE', periods: 1 }]);
    const otherCursor = (
      await h.call('GET', `/v1/units/${other}/invoices`, { token: cashier, query: { limit: '1' } })
    ).json.nextCursor;
    expect(otherCursor).toBeTypeOf('string');
    expect((await list({ limit: '1', cursor: otherCursor })).status).toBe(400);
    for (const limit of ['0', '1001', '1.5', '-1', 'ten']) {
      const r = await list({ limit });
      expect([limit, r.status, r.json.error.details[0].field]).toEqual([limit, 400, 'limit']);
    }
  });
});

describe('structured access logs', () => {
  it('logs request id, route, status and latency as one JSON line, never the token', async () => {
    const token = await h.token('cashier');
    const lines: string[] = [];
    // Powertools writes to process.stdout itself (not through the console vitest captures).
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stdout.write);
    logger.setLogLevel('INFO');
    let ok: Awaited<ReturnType<ApiHarness['call']>>;
    let bad: Awaited<ReturnType<ApiHarness['call']>>;
    try {
      ok = await h.call('POST', '/v1/quotes', {
        token,
        body: {
          estateId: 'DEMO',
          items: [{ type: 'PROPERTY_FEE', unitType: 'HIGH_RISE', area: '89.56', months: 12 }],
        },
      });
      bad = await h.call('GET', '/v1/invoices/DEMO-2025-999999', { token });
    } finally {
      logger.setLogLevel('WARN');
      spy.mockRestore();
    }
    const entries = lines
      .flatMap((l) => l.split('\n'))
      .filter((l) => l.trim().startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const [res, route, status] of [
      [ok, 'POST /v1/quotes', 200],
      [bad, 'GET /v1/invoices/{invoiceId}', 404],
    ] as const) {
      const requestId = res.headers['x-request-id'];
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      const entry = entries.find((e) => e['requestId'] === requestId);
      expect(entry, `no log line for ${route}`).toMatchObject({
        level: 'INFO',
        route,
        status,
        role: 'cashier',
      });
      expect(entry!['latencyMs']).toBeTypeOf('number');
    }
    const all = lines.join('');
    expect(all).not.toContain(token);
    expect(all).not.toContain(token.split('.')[2]!);
    expect(all.toLowerCase()).not.toContain('bearer');
  });
});

describe('errors', () => {
  it('answers unknown routes 404 and wrong methods 405, in the error shape', async () => {
    const unknown = await h.call('GET', '/v1/nothing-here', { token: cashier });
    expect(unknown.status).toBe(404);
    expect(isErrorBody(unknown.json)).toBe(true);
    const wrong = await h.call('DELETE', '/v1/invoices/DEMO-2025-000001', { token: cashier });
    expect(wrong.status).toBe(405);
    expect(wrong.headers['allow']).toBe('GET');
    expect(isErrorBody(wrong.json)).toBe(true);
  });
});
