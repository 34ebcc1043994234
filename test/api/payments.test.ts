/**
 * Issue 21: kiosk payments that the provider confirms. Orders, the sandbox provider's signed
 * notifications through the real HTTP server, every refusal of a notification (nothing changes,
 * the provider's failure answer), one receipt however often or however racily a payment is
 * confirmed, exceptions for money that pays no bill, expiry closing the order at the provider.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { alipayNotification, wechatNotification } from '../../infra/local/sandbox.js';
import { generateSandboxKeys } from '../../infra/local/sandbox-keys.js';
import { ROUTES } from '../../lib/api/routes.js';
import { signedHeaders } from '../../lib/payments/wechat.js';
import type { ApiHarness } from '../support/api.js';
import { idem, type PaymentHarness, paymentHarness, receiptsIn } from '../support/payments.js';

let p: PaymentHarness;
let h: ApiHarness;
let admin: string;
let cashier: string;
let accountant: string;
let kiosk: string;
let rooms = 100;

const MOVE_IN = '2025-03-01T10:00:00+08:00';

beforeAll(async () => {
  p = await paymentHarness();
  h = p.h;
  admin = await h.token('admin');
  cashier = await h.token('cashier');
  accountant = await h.token('accountant');
  kiosk = await h.token('kiosk', { sub: 'kiosk-lobby' });
  h.clock.set(MOVE_IN);
  const estate = await h.call('POST', '/v1/estates', {
    token: admin,
    body: { estateId: 'DEMO', name: '示范花园' },
  });
  expect(estate.status, estate.text).toBe(201);
});
afterAll(() => h?.close());
beforeEach(() => h.clock.set(MOVE_IN));

/** A unit of `owner` with one open property-fee invoice (1934.50), and the owner's token. */
async function ownerWithInvoice(owner = `owner-${rooms}`) {
  const unit = await h.call('POST', '/v1/estates/DEMO/units', {
    token: admin,
    body: {
      building: '1栋',
      room: String(++rooms),
      unitType: 'HIGH_RISE',
      area: '89.56',
      deliveryDate: '2025-02-15',
      ownerIds: [owner],
    },
  });
  expect(unit.status, unit.text).toBe(201);
  const unitId = unit.json.unitId as string;
  const inv = await h.call('POST', '/v1/invoices', {
    token: cashier,
    headers: idem(),
    body: { unitId, items: [{ type: 'PROPERTY_FEE' }] },
  });
  expect(inv.status, inv.text).toBe(201);
  const token = await h.token('owner', { sub: owner, units: [unitId] });
  return { unitId, invoiceId: inv.json.invoiceId as string, total: inv.json.total as string, token };
}

function order(token: string, body: Record<string, unknown>, key = idem()) {
  return h.call('POST', '/v1/payment-orders', { token, headers: key, body });
}

function sandboxPay(body: Record<string, unknown>) {
  return h.call('POST', '/local/sandbox/pay', { body });
}

function conforms(operationId: string, json: unknown) {
  const route = ROUTES.find((r) => r.operationId === operationId)!;
  const parsed = route.response.safeParse(json);
  expect(parsed.success, `${operationId}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
}

function notify(
  provider: 'wechat' | 'alipay',
  n: { headers: Record<string, string>; body: string },
  estateId = 'DEMO',
) {
  return h.call('POST', `/v1/payment-notify/${provider}`, {
    raw: n.body,
    headers: n.headers,
    query: { estateId },
  });
}

describe('payment orders', () => {
  it('makes one pending order per invoice and provider, with QR, amount and a 15-minute expiry', async () => {
    const o = await ownerWithInvoice();
    const first = await order(o.token, { invoiceId: o.invoiceId, provider: 'WECHAT' });
    expect(first.status, first.text).toBe(201);
    conforms('createPaymentOrder', first.json);
    expect(first.json).toMatchObject({
      invoiceId: o.invoiceId,
      provider: 'WECHAT',
      amount: o.total,
      status: 'PENDING',
      expiresAt: '2025-03-01T10:15:00+08:00',
    });
    expect(first.json.outTradeNo).toMatch(/^[0-9A-Za-z_\-|*]{6,32}$/);
    expect(first.json.codeUrl).toContain('/local/sandbox/pay-page?outTradeNo=');
    expect(first.json.qrSvg).toMatch(/^<svg/);
    // Asked again (another key, another minute): the same order.
    h.clock.set('2025-03-01T10:01:00+08:00');
    const again = await order(o.token, { invoiceId: o.invoiceId, provider: 'WECHAT' });
    expect(again.json.orderId).toBe(first.json.orderId);
    // Another provider: its own order.
    const ali = await order(o.token, { invoiceId: o.invoiceId, provider: 'ALIPAY' });
    expect(ali.status, ali.text).toBe(201);
    expect(ali.json.orderId).not.toBe(first.json.orderId);
    // A kiosk of the estate may make one for the invoice too; a kiosk elsewhere may not.
    expect((await order(kiosk, { invoiceId: o.invoiceId, provider: 'WECHAT' })).json.orderId).toBe(
      first.json.orderId,
    );
    const elsewhere = await h.token('kiosk', { estates: ['OTHER'] });
    expect((await order(elsewhere, { invoiceId: o.invoiceId, provider: 'WECHAT' })).status).toBe(403);
  });

  it('refuses a paid (409), voided (409) or foreign (404) invoice, and bad bodies (400)', async () => {
    const o = await ownerWithInvoice();
    const neighbour = await ownerWithInvoice();
    const foreign = await order(o.token, { invoiceId: neighbour.invoiceId, provider: 'WECHAT' });
    expect([foreign.status, foreign.json.error.code]).toEqual([404, 'INVOICE_NOT_FOUND']);
    const both = await order(o.token, { invoiceId: o.invoiceId, sessionId: 'X', provider: 'WECHAT' });
    expect(both.status).toBe(400);
    const noKey = await h.call('POST', '/v1/payment-orders', {
      token: o.token,
      body: { invoiceId: o.invoiceId, provider: 'WECHAT' },
    });
    expect(noKey.status).toBe(400);
    const cash = await h.call('POST', `/v1/invoices/${o.invoiceId}/payments`, {
      token: cashier,
      headers: idem(),
      body: { channel: 'CASH', amount: o.total },
    });
    expect(cash.status, cash.text).toBe(201);
    const paid = await order(o.token, { invoiceId: o.invoiceId, provider: 'WECHAT' });
    expect([paid.status, paid.json.error.code]).toEqual([409, 'ALREADY_PAID']);
    const v = await ownerWithInvoice();
    const voided = await h.call('POST', `/v1/invoices/${v.invoiceId}/void`, {
      token: cashier,
      body: { reason: '开错' },
    });
    expect(voided.status, voided.text).toBe(200);
    const onVoid = await order(v.token, { invoiceId: v.invoiceId, provider: 'ALIPAY' });
    expect([onVoid.status, onVoid.json.error.code]).toEqual([409, 'INVOICE_VOID']);
  });

  it('does not hand out a pending order’s QR again once its invoice was paid at the counter or voided', async () => {
    const o = await ownerWithInvoice();
    const made = await order(o.token, { invoiceId: o.invoiceId, provider: 'WECHAT' });
    expect(made.status, made.text).toBe(201);
    const cash = await h.call('POST', `/v1/invoices/${o.invoiceId}/payments`, {
      token: cashier,
      headers: idem(),
      body: { channel: 'CASH', amount: o.total },
    });
    expect(cash.status, cash.text).toBe(201);
    h.clock.set('2025-03-01T10:01:00+08:00');
    const again = await order(o.token, { invoiceId: o.invoiceId, provider: 'WECHAT' });
    expect([again.status, again.json.error?.code]).toEqual([409, 'ALREADY_PAID']);
    const v = await ownerWithInvoice();
    expect((await order(v.token, { invoiceId: v.invoiceId, provider: 'ALIPAY' })).status).toBe(201);
    const voided = await h.call('POST', `/v1/invoices/${v.invoiceId}/void`, {
      token: cashier,
      body: { reason: '开错' },
    });
    expect(voided.status, voided.text).toBe(200);
    const onVoid = await order(v.token, { invoiceId: v.invoiceId, provider: 'ALIPAY' });
    expect([onVoid.status, onVoid.json.error?.code]).toEqual([409, 'INVOICE_VOID']);
  });
});

describe('kiosk channels are never self-reported', () => {
  it('refuses KIOSK_* on invoice and parking payments for every role', async () => {
    const o = await ownerWithInvoice();
    for (const channel of ['KIOSK_WECHAT', 'KIOSK_ALIPAY', 'KIOSK_CARD']) {
      for (const token of [cashier, o.token, kiosk]) {
        const r = await h.call('POST', `/v1/invoices/${o.invoiceId}/payments`, {
          token,
          headers: idem(),
          body: { channel, amount: o.total, reference: 'WX-1' },
        });
        expect(r.status, `${channel}: ${r.text}`).toBe(403);
      }
      const parking = await h.call('POST', '/v1/parking/sessions/DEMO-P1/payments', {
        token: cashier,
        headers: idem(),
        body: { channel, amount: '2.00', reference: 'WX-1' },
      });
      expect([parking.status, parking.json.error.code]).toEqual([403, 'KIOSK_CHANNEL_NOT_SELF_REPORTED']);
      const byKiosk = await h.call('POST', '/v1/parking/sessions/DEMO-P1/payments', {
        token: kiosk,
        headers: idem(),
        body: { channel, amount: '2.00', reference: 'WX-1' },
      });
      expect(byKiosk.status).toBe(403);
    }
    expect((await h.call('GET', `/v1/invoices/${o.invoiceId}`, { token: cashier })).json.status).toBe('OPEN');
  });
});

describe('a verified notification makes exactly one receipt', () => {
  for (const provider of ['WECHAT', 'ALIPAY'] as const) {
    it(`${provider}: sandbox pay → notification → order PAID with its receipt, repeats change nothing`, async () => {
      const o = await ownerWithInvoice();
      const made = await order(o.token, { invoiceId: o.invoiceId, provider });
      const before = (await receiptsIn(h)).length;
      const paid = await sandboxPay({ outTradeNo: made.json.outTradeNo, repeat: 3 });
      expect(paid.status, paid.text).toBe(200);
      expect(paid.json.notifications.map((n: { status: number }) => n.status)).toEqual(
        provider === 'WECHAT' ? [204, 204, 204] : [200, 200, 200],
      );
      if (provider === 'ALIPAY')
        expect(paid.json.notifications.map((n: { body: string }) => n.body)).toEqual([
          'success',
          'success',
          'success',
        ]);
      const got = await h.call('GET', `/v1/payment-orders/${made.json.orderId}`, { token: o.token });
      expect(got.json).toMatchObject({ status: 'PAID', providerTransactionId: paid.json.transactionId });
      const receipt = await h.call('GET', `/v1/receipts/${got.json.receiptNo}`, { token: o.token });
      expect(receipt.json).toMatchObject({
        channel: provider === 'WECHAT' ? 'KIOSK_WECHAT' : 'KIOSK_ALIPAY',
        reference: paid.json.transactionId,
        amount: o.total,
        invoiceNo: o.invoiceId,
      });
      // The sandbox sends the same transaction again on a paid order: still one receipt.
      const again = await sandboxPay({ outTradeNo: made.json.outTradeNo });
      expect(again.json.transactionId).toBe(paid.json.transactionId);
      expect((await receiptsIn(h)).length).toBe(before + 1);
      expect((await h.call('GET', `/v1/invoices/${o.invoiceId}`, { token: cashier })).json.status).toBe(
        'PAID',
      );
    });
  }

  it('a notification racing the kiosk’s query makes one receipt', async () => {
    const o = await ownerWithInvoice();
    const made = await order(o.token, { invoiceId: o.invoiceId, provider: 'WECHAT' });
    const t = p.sandbox.trades.get(made.json.outTradeNo)!;
    // Paid at the provider; the notification and a poll past the query delay arrive together.
    t.state = 'SUCCESS';
    t.transactionId = '4200000000000000000001';
    t.paidAmount = t.amount;
    h.clock.set('2025-03-01T10:00:05+08:00');
    const before = (await receiptsIn(h)).length;
    const n = wechatNotification(
      p.keys,
      { outTradeNo: t.outTradeNo, transactionId: t.transactionId, amount: t.amount },
      h.clock.now,
    );
    const [a, b, c] = await Promise.all([
      notify('wechat', n),
      h.call('GET', `/v1/payment-orders/${made.json.orderId}`, { token: o.token }),
      h.call('GET', `/v1/payment-orders/${made.json.orderId}`, { token: kiosk }),
    ]);
    expect(a.status, a.text).toBe(204);
    expect(b.json.status, b.text).toBe('PAID');
    expect(c.json.status).toBe('PAID'); // a kiosk of the estate reads its orders
    expect((await receiptsIn(h)).length).toBe(before + 1);
  });
});

describe('a notification that fails any check changes nothing and asks for a retry', () => {
  async function pending(provider: 'WECHAT' | 'ALIPAY') {
    const o = await ownerWithInvoice();
    const made = await order(o.token, { invoiceId: o.invoiceId, provider });
    return {
      o,
      outTradeNo: made.json.outTradeNo as string,
      amount: BigInt(Math.round(Number(o.total) * 100)),
    };
  }
  const txn = { transactionId: '4200000000000000009999' };

  it('WeChat: forged signature, stale timestamp, tampered ciphertext, wrong mchid/appid, unknown order', async () => {
    const { outTradeNo, amount } = await pending('WECHAT');
    const good = () => wechatNotification(p.keys, { outTradeNo, amount, ...txn }, h.clock.now);
    const other = generateSandboxKeys();
    const forged = wechatNotification(
      { ...p.keys, wechat: { ...p.keys.wechat, platformPrivateKey: other.wechat.platformPrivateKey } },
      { outTradeNo, amount, ...txn },
      h.clock.now,
    );
    const stale = wechatNotification(p.keys, { outTradeNo, amount, ...txn }, h.clock.now - 6 * 60_000);
    const tampered = (() => {
      const n = good();
      const body = JSON.parse(n.body);
      const bytes = Buffer.from(body.resource.ciphertext, 'base64');
      bytes[3] = bytes[3]! ^ 1;
      body.resource.ciphertext = bytes.toString('base64');
      const text = JSON.stringify(body);
      return {
        headers: {
          ...n.headers,
          ...signedHeaders(
            text,
            p.keys.wechat.platformPrivateKey,
            p.keys.wechat.platformSerial,
            Math.floor(h.clock.now / 1000),
          ),
        },
        body: text,
      };
    })();
    const wrongMch = wechatNotification(
      p.keys,
      { outTradeNo, amount, ...txn, mchid: '1900000999' },
      h.clock.now,
    );
    const wrongApp = wechatNotification(
      p.keys,
      { outTradeNo, amount, ...txn, appid: 'wxother' },
      h.clock.now,
    );
    const unknown = wechatNotification(
      p.keys,
      { outTradeNo: 'DEMONOSUCHORDER1', amount, ...txn },
      h.clock.now,
    );
    const bodyEdited = (() => {
      const n = good();
      return { headers: n.headers, body: n.body.replace('"summary":"支付成功"', '"summary":"x"') };
    })();
    const before = await h.scan();
    const cases: [string, { headers: Record<string, string>; body: string }, number][] = [
      ['forged signature', forged, 401],
      ['body edited after signing', bodyEdited, 401],
      ['stale timestamp', stale, 401],
      ['tampered ciphertext', tampered, 400],
      ['wrong mchid', wrongMch, 400],
      ['wrong appid', wrongApp, 400],
      ['unknown out-trade-no', unknown, 400],
      ['no signature', { headers: { 'content-type': 'application/json' }, body: good().body }, 401],
      [
        'not JSON',
        (() => {
          const t = 'nope';
          return {
            headers: {
              ...signedHeaders(
                t,
                p.keys.wechat.platformPrivateKey,
                p.keys.wechat.platformSerial,
                Math.floor(h.clock.now / 1000),
              ),
            },
            body: t,
          };
        })(),
        400,
      ],
    ];
    for (const [what, n, status] of cases) {
      const r = await notify('wechat', n);
      expect(r.status, `${what}: ${r.text}`).toBe(status);
      expect(r.json, what).toMatchObject({ code: 'FAIL' });
    }
    expect((await notify('wechat', good(), 'NOPE')).status).toBe(400);
    expect(await h.scan()).toEqual(before);
    // The same notification, untouched, is believed.
    expect((await notify('wechat', good())).status).toBe(204);
  });

  it('Alipay: forged signature, wrong app_id, unpaid status, unknown order answer `fail`', async () => {
    const { outTradeNo, amount } = await pending('ALIPAY');
    const other = generateSandboxKeys();
    const good = () => alipayNotification(p.keys, { outTradeNo, amount, ...txn }, h.clock.now);
    const forged = alipayNotification(
      { ...p.keys, alipay: { ...p.keys.alipay, alipayPrivateKey: other.alipay.alipayPrivateKey } },
      { outTradeNo, amount, ...txn },
      h.clock.now,
    );
    const edited = {
      headers: good().headers,
      body: good().body.replace(/total_amount=[^&]+/, 'total_amount=0.01'),
    };
    const wrongApp = alipayNotification(
      p.keys,
      { outTradeNo, amount, ...txn, appId: '2021999999999999' },
      h.clock.now,
    );
    const waiting = alipayNotification(
      p.keys,
      { outTradeNo, amount, ...txn, tradeStatus: 'WAIT_BUYER_PAY' },
      h.clock.now,
    );
    const unknown = alipayNotification(
      p.keys,
      { outTradeNo: 'DEMONOSUCHORDER2', amount, ...txn },
      h.clock.now,
    );
    const before = await h.scan();
    for (const [what, n] of [
      ['forged', forged],
      ['edited', edited],
      ['wrong app_id', wrongApp],
      ['WAIT_BUYER_PAY', waiting],
      ['unknown', unknown],
    ] as const) {
      const r = await notify('alipay', n);
      expect([r.status, r.text], what).toEqual([200, 'fail']);
    }
    expect(await h.scan()).toEqual(before);
    expect((await notify('alipay', good())).text).toBe('success');
  });
});

describe('no confirmed money is lost', () => {
  it('a different amount becomes an exception, not a receipt; an accountant applies it elsewhere', async () => {
    const o = await ownerWithInvoice();
    const made = await order(o.token, { invoiceId: o.invoiceId, provider: 'WECHAT' });
    const before = (await receiptsIn(h)).length;
    const paid = await sandboxPay({ outTradeNo: made.json.outTradeNo, amount: '1.00', repeat: 2 });
    expect(paid.json.notifications.map((n: { status: number }) => n.status)).toEqual([204, 204]);
    expect((await receiptsIn(h)).length).toBe(before);
    const got = await h.call('GET', `/v1/payment-orders/${made.json.orderId}`, { token: o.token });
    expect(got.json).toMatchObject({ status: 'PAID' });
    expect(got.json.receiptNo).toBeUndefined();
    const list = await h.call('GET', '/v1/payment-exceptions', {
      token: accountant,
      query: { estateId: 'DEMO', status: 'OPEN' },
    });
    expect(list.status, list.text).toBe(200);
    conforms('listPaymentExceptions', list.json);
    const mine = list.json.items.filter((x: { outTradeNo: string }) => x.outTradeNo === made.json.outTradeNo);
    expect(mine).toEqual([
      expect.objectContaining({
        amount: '1.00',
        reason: 'AMOUNT_MISMATCH',
        status: 'OPEN',
        providerTransactionId: paid.json.transactionId,
      }),
    ]);
    expect((await h.call('GET', `/v1/invoices/${o.invoiceId}`, { token: cashier })).json.status).toBe('OPEN');
  });

  it('money for an invoice paid meanwhile at the counter becomes an exception; APPLY pays another invoice once', async () => {
    const o = await ownerWithInvoice();
    const made = await order(o.token, { invoiceId: o.invoiceId, provider: 'ALIPAY' });
    const cash = await h.call('POST', `/v1/invoices/${o.invoiceId}/payments`, {
      token: cashier,
      headers: idem(),
      body: { channel: 'CASH', amount: o.total },
    });
    expect(cash.status).toBe(201);
    const before = (await receiptsIn(h)).length;
    const paid = await sandboxPay({ outTradeNo: made.json.outTradeNo });
    expect(paid.json.notifications[0].body).toBe('success');
    expect((await receiptsIn(h)).length).toBe(before);
    const exceptionId = `ALIPAY-${paid.json.transactionId}`;
    const other = await ownerWithInvoice();
    const key = idem();
    const resolve = () =>
      h.call('POST', `/v1/payment-exceptions/${exceptionId}/resolution`, {
        token: accountant,
        headers: key,
        body: { action: 'APPLY', invoiceId: other.invoiceId, reason: '业主确认转缴邻户' },
      });
    const r = await resolve();
    expect(r.status, r.text).toBe(200);
    expect(r.json).toMatchObject({
      status: 'RESOLVED',
      reason: 'BILL_ALREADY_PAID',
      resolution: { action: 'APPLY', invoiceId: other.invoiceId },
    });
    expect(r.json.receipt).toMatchObject({
      channel: 'KIOSK_ALIPAY',
      reference: paid.json.transactionId,
      amount: other.total,
    });
    expect((await resolve()).json.receipt.receiptNo).toBe(r.json.receipt.receiptNo); // replayed
    const twice = await h.call('POST', `/v1/payment-exceptions/${exceptionId}/resolution`, {
      token: accountant,
      headers: idem(),
      body: { action: 'APPLY', invoiceId: other.invoiceId, reason: 'again' },
    });
    expect([twice.status, twice.json.error.code]).toEqual([409, 'EXCEPTION_RESOLVED']);
    expect((await receiptsIn(h)).length).toBe(before + 1);
  });
});

describe('query and close', () => {
  it('an expired order is closed at the provider, then CLOSED; a new order replaces it', async () => {
    const o = await ownerWithInvoice();
    const made = await order(o.token, { invoiceId: o.invoiceId, provider: 'WECHAT' });
    h.clock.set('2025-03-01T10:00:02+08:00');
    expect(
      (await h.call('GET', `/v1/payment-orders/${made.json.orderId}`, { token: o.token })).json.status,
    ).toBe('PENDING');
    h.clock.set('2025-03-01T10:16:00+08:00');
    const got = await h.call('GET', `/v1/payment-orders/${made.json.orderId}`, { token: o.token });
    expect(got.json.status).toBe('CLOSED');
    expect(p.sandbox.trades.get(made.json.outTradeNo)!.state).toBe('CLOSED');
    const paying = await sandboxPay({ outTradeNo: made.json.outTradeNo });
    expect(paying.status).toBe(409);
    const next = await order(o.token, { invoiceId: o.invoiceId, provider: 'WECHAT' });
    expect(next.status).toBe(201);
    expect(next.json.orderId).not.toBe(made.json.orderId);
    expect(next.json.status).toBe('PENDING');
  });

  it('a poll past a few seconds finds a payment whose notification never came', async () => {
    const o = await ownerWithInvoice();
    const made = await order(o.token, { invoiceId: o.invoiceId, provider: 'ALIPAY' });
    const t = p.sandbox.trades.get(made.json.outTradeNo)!;
    Object.assign(t, { state: 'SUCCESS', transactionId: '2025000000000000000042', paidAmount: t.amount });
    h.clock.set('2025-03-01T10:00:01+08:00');
    expect(
      (await h.call('GET', `/v1/payment-orders/${made.json.orderId}`, { token: o.token })).json.status,
    ).toBe('PENDING');
    h.clock.set('2025-03-01T10:00:04+08:00');
    const got = await h.call('GET', `/v1/payment-orders/${made.json.orderId}`, { token: o.token });
    expect(got.json).toMatchObject({ status: 'PAID', providerTransactionId: '2025000000000000000042' });
    expect(got.json.receiptNo).toMatch(/^DEMO-R2025-/);
  });
});

describe('parking through an order', () => {
  it('a kiosk pays a session’s amount due; the receipt gives the exit deadline', async () => {
    const gate = await h.token('gate');
    h.clock.set('2025-03-01T05:00:00+08:00');
    const entry = await h.call('POST', '/v1/parking/entries', {
      token: gate,
      body: { estateId: 'DEMO', plate: '粤B77777', gateId: 'IN-1', at: '2025-03-01T05:00:00+08:00' },
    });
    expect(entry.status, entry.text).toBe(201);
    h.clock.set('2025-03-01T10:00:00+08:00');
    const made = await order(kiosk, { sessionId: entry.json.sessionId, provider: 'WECHAT' });
    expect(made.status, made.text).toBe(201);
    expect(Date.parse(made.json.expiresAt) - h.clock.now).toBeLessThanOrEqual(10 * 60_000);
    h.clock.set('2025-03-01T10:01:00+08:00');
    await sandboxPay({ outTradeNo: made.json.outTradeNo });
    const got = await h.call('GET', `/v1/payment-orders/${made.json.orderId}`, { token: kiosk });
    expect(got.json.status).toBe('PAID');
    const session = await h.call('GET', `/v1/parking/sessions/${entry.json.sessionId}/quote`, {
      token: kiosk,
    });
    expect(made.json.amount).not.toBe('0.00');
    expect(session.json.exitBy).toBe('2025-03-01T10:16:00+08:00');
    expect(session.json).toMatchObject({ reason: 'PAID', amountDue: '0.00', paid: made.json.amount });
    const receipt = await h.call('GET', `/v1/receipts/${got.json.receiptNo}`, { token: cashier });
    expect(receipt.json).toMatchObject({
      channel: 'KIOSK_WECHAT',
      plate: '粤B77777',
      amount: made.json.amount,
    });
  });
});
