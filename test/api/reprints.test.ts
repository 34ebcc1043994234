/**
 * Issue 17 item 10: every document can be found and reprinted (SPEC.md §5). Through the HTTP
 * server `npm start` runs, with real tokens: the receipts list (by estate and date, by unit, by
 * plate; newest first; paged), credit notes and deposit refunds by number, and what a reprint
 * shows: the estate's name, building and room (or the plate), who wrote it by display name
 * (自助终端 and the terminal for kiosk money), and its present state (已冲红 and the credit note).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../lib/api/routes.js';
import { createEstate } from '../../lib/billing/estates.js';
import { createUnit } from '../../lib/billing/units.js';
import { key } from '../../lib/store/keys.js';
import { type ApiHarness, isErrorBody } from '../support/api.js';
import { importNeighbours } from '../support/entrances.js';
import { paymentHarness } from '../support/payments.js';

let h: ApiHarness;
const t = {
  admin: '',
  cashier: '',
  cashierOther: '',
  accountant: '',
  ownerA: '',
  ownerB: '',
  kiosk: '',
  gate: '',
};
let keys = 0;
let rooms = 1800;
const units: { a: string; b: string } = { a: '', b: '' };

const DAY1 = '2025-03-01';
const DAY2 = '2025-03-02';

beforeAll(async () => {
  // With the sandbox provider: kiosk money is confirmed by a provider, never self-reported.
  h = (await paymentHarness()).h;
  h.clock.set(`${DAY1}T09:00:00+08:00`);
  await createEstate(h.ctx('admin'), { estateId: 'DEMO', name: '示范花园' });
  await createEstate(h.ctx('admin', { estates: ['OTHER'] }), { estateId: 'OTHER', name: '别处小区' });
  units.a = await newUnit(['owner-a']);
  units.b = await newUnit(['owner-b']);
  t.admin = await h.token('admin');
  t.cashier = await h.token('cashier', { sub: 'wang01', name: '王小红' });
  t.cashierOther = await h.token('cashier', { estates: ['OTHER'] });
  t.accountant = await h.token('accountant');
  t.ownerA = await h.token('owner', { sub: 'owner-a', units: [units.a], estates: [] });
  t.ownerB = await h.token('owner', { sub: 'owner-b', units: [units.b], estates: [] });
  t.kiosk = await h.token('kiosk', { sub: 'kiosk-account-1' });
  t.gate = await h.token('gate');
});

afterAll(() => h?.close());

async function newUnit(ownerIds: string[], deliveryDate = '2025-02-15'): Promise<string> {
  const unit = await createUnit(h.ctx('admin'), 'DEMO', {
    building: '1栋',
    room: String(++rooms),
    unitType: 'HIGH_RISE',
    area: '89.56',
    deliveryDate,
    ownerIds,
  });
  return unit.unitId;
}

const get = (path: string, token: string, query?: Record<string, string>) =>
  h.call('GET', path, { token, ...(query ? { query } : {}) });
const post = (path: string, body: unknown, token: string, idem = true) =>
  h.call('POST', path, {
    token,
    body,
    ...(idem ? { headers: { 'idempotency-key': `k-${++keys}` } } : {}),
  });

async function issue(unitId: string, items: unknown[] = [{ type: 'PROPERTY_FEE' }]) {
  const inv = await post('/v1/invoices', { unitId, items }, t.cashier);
  expect(inv.status, inv.text).toBe(201);
  return inv.json as { invoiceId: string; total: string };
}

async function payCash(invoiceId: string, amount: string) {
  const r = await post(`/v1/invoices/${invoiceId}/payments`, { channel: 'CASH', amount }, t.cashier);
  expect(r.status, r.text).toBe(201);
  return r.json;
}

function conforms(operationId: string, json: unknown) {
  const route = ROUTES.find((r) => r.operationId === operationId)!;
  const parsed = route.response.safeParse(json);
  expect(parsed.success, `${operationId}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
}

/** The error's code, or for a 400 the code of one of its details. */
function expectError(res: { status: number; json: unknown }, status: number, code: string) {
  expect(res.status, JSON.stringify(res.json)).toBe(status);
  expect(isErrorBody(res.json)).toBe(true);
  const error = (res.json as { error: { code: string; details: { code?: string }[] } }).error;
  expect([error.code, ...error.details.map((d) => d.code)]).toContain(code);
}

/** Documents of the whole file, written in order by the first tests. */
const docs = {
  counterReceipt: '',
  counterInvoice: '',
  creditNote: '',
  kioskReceipt: '',
  parkingReceipt: '',
};

describe('a counter receipt reprinted, before and after its invoice is reversed', () => {
  it('shows the estate name, building and room, the cashier by name, and 有效', async () => {
    const inv = await issue(units.a);
    docs.counterInvoice = inv.invoiceId;
    const paid = await payCash(inv.invoiceId, inv.total);
    docs.counterReceipt = paid.receiptNo;
    // The payment's own answer is what the counter prints at once: the same names.
    expect(paid).toMatchObject({
      estateName: '示范花园',
      building: '1栋',
      cashierName: '王小红',
      state: 'VALID',
    });

    const r = await get(`/v1/receipts/${paid.receiptNo}`, t.cashier);
    expect(r.status, r.text).toBe(200);
    expect(r.json).toMatchObject({
      receiptNo: paid.receiptNo,
      estateId: 'DEMO',
      estateName: '示范花园',
      unitId: units.a,
      building: '1栋',
      room: String(rooms - 1),
      cashier: 'wang01',
      cashierName: '王小红',
      state: 'VALID',
      stateName: '有效',
    });
    expect(r.json.creditNoteNo).toBeUndefined();
    conforms('getReceipt', r.json);
  });

  it('an invoice reprint names the estate, the unit and who issued it; its periods name the last day', async () => {
    const r = await get(`/v1/invoices/${docs.counterInvoice}`, t.ownerA);
    expect(r.status, r.text).toBe(200);
    expect(r.json).toMatchObject({
      estateName: '示范花园',
      building: '1栋',
      room: String(rooms - 1),
      issuedBy: 'wang01',
      issuedByName: '王小红',
      status: 'PAID',
    });
    // JSON keeps [start, end) and names the inclusive last day beside it.
    expect(r.json.lines[0].period).toEqual({ start: '2025-02-15', end: '2026-02-15', lastDay: '2026-02-14' });
    conforms('getInvoice', r.json);
  });

  it('after a credit note the receipt says 已冲红 and names it; the credit note reprints too', async () => {
    h.clock.set(`${DAY1}T09:30:00+08:00`);
    const note = await post(
      `/v1/invoices/${docs.counterInvoice}/credit-notes`,
      { reason: '面积录错' },
      t.cashier,
    );
    expect(note.status, note.text).toBe(201);
    docs.creditNote = note.json.creditNoteNo;

    const r = await get(`/v1/receipts/${docs.counterReceipt}`, t.ownerA);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ state: 'REVERSED', stateName: '已冲红', creditNoteNo: docs.creditNote });
    conforms('getReceipt', r.json);

    const c = await get(`/v1/credit-notes/${docs.creditNote}`, t.accountant);
    expect(c.status, c.text).toBe(200);
    expect(c.json).toMatchObject({
      creditNoteNo: docs.creditNote,
      estateName: '示范花园',
      building: '1栋',
      room: String(rooms - 1),
      invoiceNo: docs.counterInvoice,
      receiptNo: docs.counterReceipt,
      issuedByName: '王小红',
      reason: '面积录错',
      total: `-${(await get(`/v1/invoices/${docs.counterInvoice}`, t.cashier)).json.total}`,
    });
    expect(c.json.lines[0].period.lastDay).toBe('2026-02-14');
    conforms('getCreditNote', c.json);
  });

  it('credit notes: staff of the estate and the unit owner; 404 for an unknown number or another owner', async () => {
    const path = `/v1/credit-notes/${docs.creditNote}`;
    expect((await get(path, t.cashier)).status).toBe(200);
    expect((await get(path, t.admin)).status).toBe(200);
    expect((await get(path, t.ownerA)).status).toBe(200);
    expectError(await get(path, t.ownerB), 404, 'CREDIT_NOTE_NOT_FOUND');
    expectError(await get(path, t.cashierOther), 403, 'OUTSIDE_ESTATE');
    expect((await get(path, t.kiosk)).status).toBe(403);
    expect((await get(path, t.gate)).status).toBe(403);
    expectError(await get('/v1/credit-notes/DEMO-C2025-999999', t.cashier), 404, 'CREDIT_NOTE_NOT_FOUND');
    expect((await h.call('GET', path)).status).toBe(401);
  });
});

/**
 * A kiosk order paid through the sandbox provider: the order names the terminal, the provider's
 * notification makes the receipt; answers the paid order's receipt (status 201 kept for the callers).
 */
async function payThroughProvider(body: Record<string, unknown>, token: string) {
  const made = await h.call('POST', '/v1/payment-orders', {
    token,
    body,
    headers: { 'Idempotency-Key': `order-${JSON.stringify(body)}` },
  });
  expect(made.status, made.text).toBe(201);
  const pay = await h.call('POST', '/local/sandbox/pay', { body: { outTradeNo: made.json.outTradeNo } });
  expect(pay.status, pay.text).toBe(200);
  const got = await h.call('GET', `/v1/payment-orders/${made.json.orderId}`, { token });
  expect(got.json.status, got.text).toBe('PAID');
  return { status: 201, text: got.text, json: got.json.receipt };
}

describe('money taken at a kiosk prints 自助终端 and the terminal, not a login name', () => {
  it('an owner paying at a kiosk', async () => {
    h.clock.set(`${DAY1}T10:00:00+08:00`);
    const inv = await issue(units.b);
    const paid = await payThroughProvider(
      { invoiceId: inv.invoiceId, provider: 'WECHAT', terminalId: 'LOBBY-07' },
      t.ownerB,
    );
    docs.kioskReceipt = paid.json.receiptNo;
    const r = await get(`/v1/receipts/${paid.json.receiptNo}`, t.ownerB);
    expect(r.json).toMatchObject({
      cashier: 'owner-b',
      cashierName: '自助终端 LOBBY-07',
      terminalId: 'LOBBY-07',
      estateName: '示范花园',
      building: '1栋',
      state: 'VALID',
    });
    expect(r.json.cashierName).not.toContain('owner-b');
  });

  it('a kiosk paying a parking stay: the plate, not a unit', async () => {
    h.clock.set(`${DAY2}T08:00:00+08:00`);
    const entry = await post(
      '/v1/parking/entries',
      { estateId: 'DEMO', plate: '粤B54321', gateId: 'G1', at: `${DAY2}T08:00:00+08:00` },
      t.gate,
      false,
    );
    expect(entry.status, entry.text).toBe(201);
    h.clock.set(`${DAY2}T11:00:00+08:00`);
    const paid = await payThroughProvider(
      { sessionId: entry.json.sessionId, provider: 'ALIPAY', terminalId: 'GATE2KIOSK' },
      t.kiosk,
    );
    // The kiosk cannot read receipts by number: the paid order's receipt is what it prints.
    expect(paid.json).toMatchObject({
      estateName: '示范花园',
      plate: '粤B54321',
      cashierName: '自助终端 GATE2KIOSK',
      state: 'VALID',
    });
    docs.parkingReceipt = paid.json.receiptNo;
    const r = await get(`/v1/receipts/${paid.json.receiptNo}`, t.cashier);
    expect(r.json).toMatchObject({
      plate: '粤B54321',
      estateName: '示范花园',
      cashierName: '自助终端 GATE2KIOSK',
    });
    expect(r.json.building).toBeUndefined();
  });
});

describe('GET /v1/receipts', () => {
  const list = (query: Record<string, string>, token = t.cashier) => get('/v1/receipts', token, query);
  const nos = (r: { json: { items: { receiptNo: string }[] } }) => r.json.items.map((i) => i.receiptNo);

  it("lists an estate's receipts newest first, each as a reprint", async () => {
    const r = await list({ estateId: 'DEMO' });
    expect(r.status, r.text).toBe(200);
    expect(nos(r)).toEqual([docs.parkingReceipt, docs.kioskReceipt, docs.counterReceipt]);
    expect(r.json.nextCursor).toBeUndefined();
    expect(r.json.items[2]).toMatchObject({
      state: 'REVERSED',
      creditNoteNo: docs.creditNote,
      building: '1栋',
    });
    expect(r.json.items[1]).toMatchObject({ cashierName: '自助终端 LOBBY-07', estateName: '示范花园' });
    conforms('listReceipts', r.json);
  });

  it('by business date, by unit, by plate (spaces and case ignored)', async () => {
    expect(nos(await list({ estateId: 'DEMO', date: DAY1 }))).toEqual([
      docs.kioskReceipt,
      docs.counterReceipt,
    ]);
    expect(nos(await list({ estateId: 'DEMO', date: DAY2 }))).toEqual([docs.parkingReceipt]);
    expect(nos(await list({ estateId: 'DEMO', date: '2025-03-03' }))).toEqual([]);
    expect(nos(await list({ estateId: 'DEMO', unitId: units.a }))).toEqual([docs.counterReceipt]);
    expect(nos(await list({ estateId: 'DEMO', unitId: units.b, date: DAY1 }))).toEqual([docs.kioskReceipt]);
    expect(nos(await list({ estateId: 'DEMO', unitId: units.b, date: DAY2 }))).toEqual([]);
    expect(nos(await list({ estateId: 'DEMO', plate: '粤b 54321' }))).toEqual([docs.parkingReceipt]);
    expect(nos(await list({ estateId: 'DEMO', plate: '粤B99999' }))).toEqual([]);
  });

  it('pages with limit and nextCursor, every receipt once', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const r = await list({ estateId: 'DEMO', limit: '2', ...(cursor ? { cursor } : {}) });
      expect(r.status, r.text).toBe(200);
      expect(r.json.items.length).toBeLessThanOrEqual(2);
      seen.push(...nos(r));
      cursor = r.json.nextCursor;
      pages++;
    } while (cursor && pages < 5);
    expect(seen).toEqual([docs.parkingReceipt, docs.kioskReceipt, docs.counterReceipt]);
    const first = await list({ estateId: 'DEMO', limit: '1' });
    // A cursor of the whole estate does not start a list of another day.
    expectError(
      await list({ estateId: 'DEMO', date: DAY1, cursor: first.json.nextCursor }),
      400,
      'INVALID_CURSOR',
    );
    expect((await list({ estateId: 'DEMO', limit: '1001' })).status).toBe(400);
  });

  it('staff of the estate only; bad filters are 400 naming the field', async () => {
    expect((await list({ estateId: 'DEMO' }, t.accountant)).status).toBe(200);
    expect((await list({ estateId: 'DEMO' }, t.admin)).status).toBe(200);
    expectError(await list({ estateId: 'DEMO' }, t.cashierOther), 403, 'OUTSIDE_ESTATE');
    expect((await list({ estateId: 'DEMO' }, t.ownerA)).status).toBe(403);
    expect((await list({ estateId: 'DEMO' }, t.kiosk)).status).toBe(403);
    expect((await list({ estateId: 'DEMO' }, t.gate)).status).toBe(403);
    expect((await h.call('GET', '/v1/receipts', { query: { estateId: 'DEMO' } })).status).toBe(401);
    const both = await list({ estateId: 'DEMO', unitId: units.a, plate: '粤B54321' });
    expectError(both, 400, 'ONE_PARTY');
    expect(both.json.error.details[0].field).toBe('plate');
    const elsewhere = await list({ estateId: 'DEMO', unitId: 'OTHER-U0001' });
    expectError(elsewhere, 400, 'UNIT_NOT_IN_ESTATE');
    expect((await list({ estateId: 'DEMO', date: '2025-02-30' })).status).toBe(400);
    expect((await list({})).status).toBe(400);
  });
});

describe('receipts by number', () => {
  it('404 for an unknown number and for another owner, whoever asks', async () => {
    expectError(await get('/v1/receipts/DEMO-R2025-999999', t.cashier), 404, 'RECEIPT_NOT_FOUND');
    expectError(await get(`/v1/receipts/${docs.counterReceipt}`, t.ownerB), 404, 'RECEIPT_NOT_FOUND');
    expectError(await get(`/v1/receipts/${docs.counterReceipt}`, t.cashierOther), 403, 'OUTSIDE_ESTATE');
  });

  it('a receipt written before reprints recorded names still reads: names looked up, the sub as cashier', async () => {
    // As stored before issue 17: no names, no index keys.
    await h.db.put({
      ...key.receipt('DEMO-R2024-000001'),
      type: 'RECEIPT',
      receiptNo: 'DEMO-R2024-000001',
      estateId: 'DEMO',
      unitId: units.a,
      channel: 'CASH',
      amount: 193450n,
      tendered: 193450n,
      change: 0n,
      cashier: 'old-cashier',
      paidAt: '2024-12-30T10:00:00+08:00',
      businessDate: '2024-12-30',
      lines: [{ type: 'PROPERTY_FEE', description: '物业服务费', amount: 193450n }],
    });
    const r = await get('/v1/receipts/DEMO-R2024-000001', t.cashier);
    expect(r.status, r.text).toBe(200);
    expect(r.json).toMatchObject({
      estateName: '示范花园',
      building: '1栋',
      room: String(rooms - 1),
      cashier: 'old-cashier',
      cashierName: 'old-cashier',
      state: 'VALID',
      amountInWords: '人民币壹仟玖佰叁拾肆元伍角整',
    });
    conforms('getReceipt', r.json);
  });
});

describe('GET /v1/deposit-refunds/{refundNo}', () => {
  it('reprints a refund for staff and the unit owner; 404 for an unknown number or another owner', async () => {
    h.clock.set('2025-03-03T10:00:00+08:00');
    const unitId = await newUnit(['owner-a'], '2024-06-01');
    const ownerA = await h.token('owner', { sub: 'owner-a', units: [units.a, unitId], estates: [] });
    const reg = await post('/v1/renovations', { unitId, cards: 1, date: '2024-10-08' }, t.cashier, false);
    expect(reg.status, reg.text).toBe(201);
    await payCash(reg.json.invoice.invoiceId, reg.json.invoice.total);
    const caseId = reg.json.caseId as string;
    const accepted = await post(
      `/v1/renovations/${caseId}/acceptance`,
      { date: '2024-11-22', passed: true },
      t.cashier,
      false,
    );
    expect(accepted.status, accepted.text).toBe(200);
    const passed = await post(
      `/v1/renovations/${caseId}/reinspection`,
      { date: '2025-01-24', passed: true },
      t.cashier,
    );
    expect(passed.status, passed.text).toBe(200);
    const refund = await post(`/v1/renovations/${caseId}/refund`, { channel: 'CASH' }, t.cashier);
    expect(refund.status, refund.text).toBe(201);
    const path = `/v1/deposit-refunds/${refund.json.refundNo}`;

    const r = await get(path, ownerA);
    expect(r.status, r.text).toBe(200);
    expect(r.json).toMatchObject({
      refundNo: refund.json.refundNo,
      estateName: '示范花园',
      building: '1栋',
      room: String(rooms),
      unitId,
      caseId,
      total: refund.json.total,
      refundedBy: 'wang01',
      refundedByName: '王小红',
    });
    conforms('getDepositRefund', r.json);
    expect((await get(path, t.accountant)).status).toBe(200);
    expectError(await get(path, t.ownerB), 404, 'REFUND_NOT_FOUND');
    expectError(await get(path, t.cashierOther), 403, 'OUTSIDE_ESTATE');
    expect((await get(path, t.kiosk)).status).toBe(403);
    expectError(await get('/v1/deposit-refunds/DEMO-T2025-999999', t.cashier), 404, 'REFUND_NOT_FOUND');
  });
});

describe('the entrance (单元) of a high-rise address (SPEC.md §8)', () => {
  it('receipts, invoices, credit notes and deposit refunds tell 3栋1单元1201 from 3栋2单元1201', async () => {
    h.clock.set('2025-03-04T10:00:00+08:00');
    await createEstate(h.ctx('admin', { estates: ['TOWER'] }), { estateId: 'TOWER', name: '高层小区' });
    const { one, two } = await importNeighbours(h.ctx('admin', { estates: ['TOWER'] }), 'TOWER');
    const cashier = await h.token('cashier', { sub: 'li02', name: '李明', estates: ['TOWER'] });
    const address = (json: { building?: string; entrance?: string; room?: string }) =>
      [json.building, json.entrance, json.room].join('/');

    const paid: Record<string, { invoiceId: string; receiptNo: string }> = {};
    for (const unitId of [one, two]) {
      const inv = await post('/v1/invoices', { unitId, items: [{ type: 'PROPERTY_FEE' }] }, cashier);
      expect(inv.status, inv.text).toBe(201);
      const r = await post(
        `/v1/invoices/${inv.json.invoiceId}/payments`,
        { channel: 'CASH', amount: inv.json.total },
        cashier,
      );
      expect(r.status, r.text).toBe(201);
      paid[unitId] = { invoiceId: inv.json.invoiceId, receiptNo: r.json.receiptNo };
    }
    // The payment's answer (what the counter prints at once) and the reprint.
    const receipt = await get(`/v1/receipts/${paid[two]!.receiptNo}`, cashier);
    expect(address(receipt.json)).toBe('3栋/2单元/1201');
    conforms('getReceipt', receipt.json);
    const listed = await get('/v1/receipts', cashier, { estateId: 'TOWER' });
    expect(listed.status, listed.text).toBe(200);
    expect(listed.json.items.map(address).sort()).toEqual(['3栋/1单元/1201', '3栋/2单元/1201']);
    const invoice = await get(`/v1/invoices/${paid[one]!.invoiceId}`, cashier);
    expect(address(invoice.json)).toBe('3栋/1单元/1201');

    const note = await post(
      `/v1/invoices/${paid[two]!.invoiceId}/credit-notes`,
      { reason: '收错户' },
      cashier,
    );
    expect(note.status, note.text).toBe(201);
    const c = await get(`/v1/credit-notes/${note.json.creditNoteNo}`, cashier);
    expect(address(c.json)).toBe('3栋/2单元/1201');
    conforms('getCreditNote', c.json);

    const reg = await post('/v1/renovations', { unitId: one, cards: 1, date: '2024-10-08' }, cashier, false);
    expect(reg.status, reg.text).toBe(201);
    await post(
      `/v1/invoices/${reg.json.invoice.invoiceId}/payments`,
      { channel: 'CASH', amount: reg.json.invoice.total },
      cashier,
    );
    const caseId = reg.json.caseId as string;
    const steps = [
      ['acceptance', { date: '2024-11-22', passed: true }],
      ['reinspection', { date: '2025-01-24', passed: true }],
    ] as const;
    for (const [step, body] of steps) {
      const res = await post(`/v1/renovations/${caseId}/${step}`, body, cashier);
      expect(res.status, res.text).toBe(200);
    }
    const refund = await post(`/v1/renovations/${caseId}/refund`, { channel: 'CASH' }, cashier);
    expect(refund.status, refund.text).toBe(201);
    const r = await get(`/v1/deposit-refunds/${refund.json.refundNo}`, cashier);
    expect(address(r.json)).toBe('3栋/1单元/1201');
    conforms('getDepositRefund', r.json);
  });
});
