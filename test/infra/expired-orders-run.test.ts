/**
 * The daily run closes expired payment orders (SPEC.md §9): per estate with a pending order, after
 * the renewals, at the provider first and then CLOSED here; a young order stays pending, and an
 * order paid at the provider whose notification never came is settled rather than closed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renewEveryEstate } from '../../functions/scheduler.js';
import { estateOfPendingOrdersKey, estatesWithPendingOrders } from '../../lib/payments/daily.js';
import { paymentGsi2 } from '../../lib/payments/store.js';
import type { ApiHarness } from '../support/api.js';
import { idem, type PaymentHarness, paymentHarness } from '../support/payments.js';

let p: PaymentHarness;
let h: ApiHarness;
let admin: string;
let cashier: string;
let rooms = 100;
const silent = { info: () => {}, error: () => {} };

beforeAll(async () => {
  p = await paymentHarness();
  h = p.h;
  const estates = ['NORTH', 'SOUTH'];
  admin = await h.token('admin', { estates });
  cashier = await h.token('cashier', { estates });
  h.clock.set('2025-03-01T10:00:00+08:00');
  for (const estateId of ['NORTH', 'SOUTH']) {
    const e = await h.call('POST', '/v1/estates', { token: admin, body: { estateId, name: estateId } });
    expect(e.status, e.text).toBe(201);
  }
});
afterAll(() => h?.close());

/** An open invoice in `estateId` and a pending order for it with `provider`. */
async function pendingOrder(estateId: string, provider: 'WECHAT' | 'ALIPAY') {
  const owner = `owner-${++rooms}`;
  const unit = await h.call('POST', `/v1/estates/${estateId}/units`, {
    token: admin,
    body: {
      building: '1栋',
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
  const token = await h.token('owner', {
    sub: owner,
    units: [unit.json.unitId as string],
    estates: [estateId],
  });
  const made = await h.call('POST', '/v1/payment-orders', {
    token,
    headers: idem(),
    body: { invoiceId: inv.json.invoiceId, provider },
  });
  expect(made.status, made.text).toBe(201);
  return { orderId: made.json.orderId as string, outTradeNo: made.json.outTradeNo as string, token };
}

const statusOf = async (o: { orderId: string; token: string }) =>
  (await h.call('GET', `/v1/payment-orders/${o.orderId}`, { token: o.token })).json.status;

describe('estates with pending orders', () => {
  it('are told apart from the other entries of the index', () => {
    expect(estateOfPendingOrdersKey(paymentGsi2.pendingOrders('NORTH'))).toBe('NORTH');
    expect(estateOfPendingOrdersKey(paymentGsi2.exceptions('NORTH'))).toBeUndefined();
    expect(estateOfPendingOrdersKey('ESTATE##PAYORDER_PENDING')).toBeUndefined();
    expect(estateOfPendingOrdersKey(7)).toBeUndefined();
  });
});

describe('the daily run', () => {
  it('closes expired orders at the provider, then here; leaves young ones; settles a paid one', async () => {
    h.clock.set('2025-03-01T10:00:00+08:00');
    const expired = await pendingOrder('NORTH', 'WECHAT');
    const paidUnheard = await pendingOrder('SOUTH', 'ALIPAY');
    const t = p.sandbox.trades.get(paidUnheard.outTradeNo)!;
    Object.assign(t, { state: 'SUCCESS', transactionId: '2025000000000000000077', paidAmount: t.amount });
    h.clock.set('2025-03-01T10:20:00+08:00');
    const young = await pendingOrder('NORTH', 'ALIPAY');
    expect(await estatesWithPendingOrders(h.db)).toEqual(['NORTH', 'SOUTH']);

    const run = await renewEveryEstate({ db: h.db, now: () => h.clock.now }, silent);
    expect(run.failed).toEqual([]);
    expect(run.closedOrders).toEqual([
      { estateId: 'NORTH', closed: 1 },
      { estateId: 'SOUTH', closed: 0 },
    ]);
    // The provider no longer takes money for the closed order.
    expect(p.sandbox.trades.get(expired.outTradeNo)!.state).toBe('CLOSED');
    const paying = await h.call('POST', '/local/sandbox/pay', { body: { outTradeNo: expired.outTradeNo } });
    expect(paying.status).toBe(409);
    expect(await statusOf(expired)).toBe('CLOSED');
    expect(await statusOf(paidUnheard)).toBe('PAID');
    expect(p.sandbox.trades.get(young.outTradeNo)!.state).not.toBe('CLOSED');
    expect(await statusOf(young)).toBe('PENDING');

    // Run again (a retry): nothing more to close; only the young order's estate is visited.
    const again = await renewEveryEstate({ db: h.db, now: () => h.clock.now }, silent);
    expect(again.closedOrders).toEqual([{ estateId: 'NORTH', closed: 0 }]);
  });
});
