/**
 * Issue 21, reconciliation (对账): pay through the sandbox provider, fetch its daily statement in
 * the provider's own layout, upload it, and see every trade matched; then a tampered amount, a
 * dropped row and a row of an unknown order each land in their list. Same file again: the stored
 * result. Bad files: 400 naming line and column.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../lib/api/routes.js';
import type { ApiHarness } from '../support/api.js';
import { idem, type PaymentHarness, paymentHarness } from '../support/payments.js';

let p: PaymentHarness;
let h: ApiHarness;
let admin: string;
let cashier: string;
let accountant: string;
let rooms = 300;

beforeAll(async () => {
  p = await paymentHarness();
  h = p.h;
  admin = await h.token('admin');
  cashier = await h.token('cashier');
  accountant = await h.token('accountant');
  h.clock.set('2025-03-01T09:00:00+08:00');
  const estate = await h.call('POST', '/v1/estates', {
    token: admin,
    body: { estateId: 'DEMO', name: '示范花园' },
  });
  expect(estate.status, estate.text).toBe(201);
});
afterAll(() => h?.close());

/** A new unit with one open property-fee invoice, and its owner's token. */
async function openInvoice() {
  const owner = `owner-${++rooms}`;
  const unit = await h.call('POST', '/v1/estates/DEMO/units', {
    token: admin,
    body: {
      building: '2栋',
      room: String(rooms),
      unitType: 'HIGH_RISE',
      area: '89.56',
      deliveryDate: '2025-02-15',
      ownerIds: [owner],
    },
  });
  expect(unit.status, unit.text).toBe(201);
  const inv = await h.call('POST', '/v1/invoices', {
    token: cashier,
    headers: idem(),
    body: { unitId: unit.json.unitId, items: [{ type: 'PROPERTY_FEE' }] },
  });
  expect(inv.status, inv.text).toBe(201);
  const token = await h.token('owner', { sub: owner, units: [unit.json.unitId] });
  return { invoiceId: inv.json.invoiceId as string, total: inv.json.total as string, token };
}

/** One open invoice on a new unit, ordered with `provider` and paid (optionally another amount). */
async function paidOrder(provider: 'WECHAT' | 'ALIPAY', amount?: string) {
  const inv = await openInvoice();
  const made = await h.call('POST', '/v1/payment-orders', {
    token: inv.token,
    headers: idem(),
    body: { invoiceId: inv.invoiceId, provider },
  });
  expect(made.status, made.text).toBe(201);
  const paid = await h.call('POST', '/local/sandbox/pay', {
    body: { outTradeNo: made.json.outTradeNo, ...(amount ? { amount } : {}) },
  });
  expect(paid.status, paid.text).toBe(200);
  return {
    outTradeNo: made.json.outTradeNo as string,
    transactionId: paid.json.transactionId as string,
    total: inv.total,
  };
}

async function statement(provider: string, date: string): Promise<string> {
  const res = await h.call('GET', '/local/sandbox/statement', { query: { provider, date } });
  expect(res.status, res.text).toBe(200);
  return res.text;
}

function upload(provider: string, date: string, file: string, token = accountant) {
  return h.call('POST', '/v1/estates/DEMO/reconciliations', {
    token,
    query: { provider, date },
    raw: file,
    headers: { 'content-type': 'text/csv' },
  });
}

function conforms(operationId: string, json: unknown) {
  const route = ROUTES.find((r) => r.operationId === operationId)!;
  const parsed = route.response.safeParse(json);
  expect(parsed.success, `${operationId}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
}

/** A WeChat trade-bill line with cell `column` (by header name) replaced. */
function setCell(file: string, match: string, column: string, value: string): string {
  const lines = file.split('\r\n');
  const header = lines[0]!.split(',');
  const i = header.indexOf(column);
  return lines
    .map((l) => {
      if (!l.includes(match)) return l;
      const cells = l.split(',');
      cells[i] = cells[i]!.startsWith('`') ? `\`${value}` : value;
      return cells.join(',');
    })
    .join('\r\n');
}

describe('WeChat Pay trade bill', () => {
  it('matches every paid order and exception; the same file again answers the stored result', async () => {
    h.clock.set('2025-03-02T10:00:00+08:00');
    const a = await paidOrder('WECHAT');
    const b = await paidOrder('WECHAT');
    const short = await paidOrder('WECHAT', '1.00'); // an exception: money that paid no bill
    const file = await statement('WECHAT', '2025-03-02');
    expect(file.split('\r\n')[1]).toMatch(/^`2025-03-02 10:00:00,/);
    const res = await upload('WECHAT', '2025-03-02', file);
    expect(res.status, res.text).toBe(201);
    conforms('createReconciliation', res.json);
    expect(res.json.counts).toMatchObject({
      payments: 3,
      matched: 3,
      missingOnOurSide: 0,
      missingAtProvider: 0,
    });
    const byNo = Object.fromEntries(res.json.matched.map((m: { outTradeNo: string }) => [m.outTradeNo, m]));
    expect(byNo[a.outTradeNo]).toMatchObject({ transactionId: a.transactionId, amount: a.total, line: 2 });
    expect(byNo[b.outTradeNo].receiptNo).toMatch(/^DEMO-R\d{4}-\d+$/);
    expect(byNo[short.outTradeNo]).toMatchObject({ amount: '1.00', exceptionId: expect.any(String) });
    expect(byNo[short.outTradeNo].receiptNo).toBeUndefined();

    h.clock.set('2025-03-03T10:00:00+08:00');
    const again = await upload('WECHAT', '2025-03-02', file);
    expect(again.status).toBe(201);
    expect(again.json).toEqual(res.json);
    const read = await h.call('GET', `/v1/estates/DEMO/reconciliations/${res.json.reconciliationId}`, {
      token: accountant,
    });
    expect(read.status, read.text).toBe(200);
    expect(read.json).toEqual(res.json);
    const audit = await h.db.scan({
      FilterExpression: '#d = :id',
      ExpressionAttributeNames: { '#d': 'document' },
      ExpressionAttributeValues: { ':id': res.json.reconciliationId },
    });
    expect(audit.items).toHaveLength(1);
  });

  it('a tampered amount, a dropped row and an unknown order each land in their list', async () => {
    h.clock.set('2025-03-04T10:00:00+08:00');
    const a = await paidOrder('WECHAT');
    const b = await paidOrder('WECHAT');
    const c = await paidOrder('WECHAT');
    let file = await statement('WECHAT', '2025-03-04');
    file = setCell(file, a.transactionId, '订单金额', '9.99');
    file = file
      .split('\r\n')
      .filter((l) => !l.includes(b.transactionId))
      .join('\r\n');
    const cLine = file.split('\r\n').find((l) => l.includes(c.transactionId))!;
    const stranger = cLine
      .replaceAll(c.transactionId, '4200999999')
      .replaceAll(c.outTradeNo, 'WXUNKNOWN0001');
    file = file.replace(cLine, `${cLine}\r\n${stranger}`);
    const res = await upload('WECHAT', '2025-03-04', file);
    expect(res.status, res.text).toBe(201);
    expect(res.json.matched.map((m: { transactionId: string }) => m.transactionId)).toEqual([
      c.transactionId,
    ]);
    expect(res.json.amountDifferences).toEqual([
      expect.objectContaining({
        outTradeNo: a.outTradeNo,
        transactionId: a.transactionId,
        providerAmount: '9.99',
        ourAmount: a.total,
      }),
    ]);
    expect(res.json.amountDifferences[0].difference).toMatch(/^-\d+\.\d{2}$/);
    expect(res.json.missingAtProvider).toEqual([
      expect.objectContaining({
        transactionId: b.transactionId,
        ourAmount: b.total,
        receiptNo: expect.any(String),
      }),
    ]);
    expect(res.json.missingOnOurSide).toEqual([
      expect.objectContaining({
        outTradeNo: 'WXUNKNOWN0001',
        transactionId: '4200999999',
        providerAmount: c.total,
      }),
    ]);
  });

  it('a bad file is a 400 naming line and column, and stores nothing', async () => {
    h.clock.set('2025-03-05T10:00:00+08:00');
    const a = await paidOrder('WECHAT');
    const file = await statement('WECHAT', '2025-03-05');
    const bad = await upload('WECHAT', '2025-03-05', setCell(file, a.transactionId, '订单金额', '12.5x'));
    expect(bad.status, bad.text).toBe(400);
    expect(bad.text).toContain('line 2, column 订单金额');
    const otherDay = await upload('WECHAT', '2025-03-06', file);
    expect(otherDay.status).toBe(400);
    expect(otherDay.text).toContain('line 2, column 交易时间');
    const noColumn = await upload('WECHAT', '2025-03-05', file.replace('微信订单号', '某列'));
    expect(noColumn.status).toBe(400);
    expect(noColumn.text).toContain('line 1, column 微信订单号');
    const badQuery = await upload('WECHAT', '2025-02-30', file);
    expect(badQuery.status).toBe(400);
    const stored = await h.db.scan({
      FilterExpression: '#t = :t',
      ExpressionAttributeNames: { '#t': 'type' },
      ExpressionAttributeValues: { ':t': 'RECONCILIATION' },
    });
    expect(stored.items.filter((i) => String(i['result']).includes('2025-03-05'))).toHaveLength(0);
    expect((await upload('WECHAT', '2025-03-05', file, cashier)).status).toBe(403);
  });
});

describe('Alipay business statement', () => {
  it('matches a paid order; a dropped row is missing at the provider; WeChat trades are not in it', async () => {
    h.clock.set('2025-03-07T10:00:00+08:00');
    const a = await paidOrder('ALIPAY');
    const b = await paidOrder('ALIPAY');
    const w = await paidOrder('WECHAT');
    const file = await statement('ALIPAY', '2025-03-07');
    expect(file.startsWith('#支付宝业务明细查询')).toBe(true);
    const res = await upload('ALIPAY', '2025-03-07', file);
    expect(res.status, res.text).toBe(201);
    expect(res.json.counts).toMatchObject({ payments: 2, matched: 2, missingAtProvider: 0 });
    expect(JSON.stringify(res.json)).not.toContain(w.transactionId);
    const dropped = file
      .split('\r\n')
      .filter((l) => !l.includes(b.transactionId))
      .join('\r\n');
    const res2 = await upload('ALIPAY', '2025-03-07', dropped);
    expect(res2.json.reconciliationId).not.toBe(res.json.reconciliationId);
    expect(res2.json.matched).toEqual([
      expect.objectContaining({ outTradeNo: a.outTradeNo, amount: a.total }),
    ]);
    expect(res2.json.missingAtProvider).toEqual([
      expect.objectContaining({ transactionId: b.transactionId, ourAmount: b.total }),
    ]);
  });
});

describe('an exception applied on a later day', () => {
  it('is matched on the day the money came; the receipt of its APPLY is not missing at the provider on its own day', async () => {
    h.clock.set('2025-03-10T10:00:00+08:00');
    // The invoice is paid at the counter while its order waits; the order's money is an exception.
    const inv = await openInvoice();
    const made = await h.call('POST', '/v1/payment-orders', {
      token: inv.token,
      headers: idem(),
      body: { invoiceId: inv.invoiceId, provider: 'WECHAT' },
    });
    expect(made.status, made.text).toBe(201);
    const cash = await h.call('POST', `/v1/invoices/${inv.invoiceId}/payments`, {
      token: cashier,
      headers: idem(),
      body: { channel: 'CASH', amount: inv.total },
    });
    expect(cash.status, cash.text).toBe(201);
    const paid = await h.call('POST', '/local/sandbox/pay', { body: { outTradeNo: made.json.outTradeNo } });
    expect(paid.status, paid.text).toBe(200);
    const exceptionId = `WECHAT-${paid.json.transactionId}`;

    // Next day: the accountant applies it to a neighbour's invoice of the same amount; another
    // owner pays an ordinary order that day.
    h.clock.set('2025-03-11T10:00:00+08:00');
    const other = await paidOrder('WECHAT');
    const target = await openInvoice();
    const applied = await h.call('POST', `/v1/payment-exceptions/${exceptionId}/resolution`, {
      token: accountant,
      headers: idem(),
      body: { action: 'APPLY', invoiceId: target.invoiceId, reason: '业主确认转缴邻户' },
    });
    expect(applied.status, applied.text).toBe(200);

    const day1 = await upload('WECHAT', '2025-03-10', await statement('WECHAT', '2025-03-10'));
    expect(day1.status, day1.text).toBe(201);
    expect(day1.json.counts).toMatchObject({
      payments: 1,
      matched: 1,
      missingOnOurSide: 0,
      missingAtProvider: 0,
    });
    expect(day1.json.matched[0]).toMatchObject({ transactionId: paid.json.transactionId, exceptionId });

    const day2 = await upload('WECHAT', '2025-03-11', await statement('WECHAT', '2025-03-11'));
    expect(day2.status, day2.text).toBe(201);
    expect(day2.json.missingAtProvider).toEqual([]);
    expect(day2.json.counts).toMatchObject({
      payments: 1,
      matched: 1,
      missingOnOurSide: 0,
      missingAtProvider: 0,
    });
    expect(day2.json.matched[0]).toMatchObject({ transactionId: other.transactionId });
  });
});
