/**
 * Issue 21, the rest: REFUND of a payment exception through the provider (both providers, through
 * the sandbox: signed request, verified answer), retry-safe after a provider failure, idempotent;
 * and unapplied money in the ledger (待处理款项): an exception writes PAYMENT_UNAPPLIED, its APPLY or
 * REFUND reverses it, and the ledger, its CSV, the summary and the receipts still tie.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../lib/api/routes.js';
import { formatFen, parseMoney } from '../../lib/money.js';
import type { ApiHarness } from '../support/api.js';
import { idem, type PaymentHarness, paymentHarness, receiptsIn } from '../support/payments.js';

let p: PaymentHarness;
let h: ApiHarness;
let admin: string;
let cashier: string;
let accountant: string;
let rooms = 300;
const DAY = '2025-03-01';

beforeAll(async () => {
  p = await paymentHarness();
  h = p.h;
  admin = await h.token('admin');
  cashier = await h.token('cashier');
  accountant = await h.token('accountant');
  h.clock.set(`${DAY}T10:00:00+08:00`);
  const estate = await h.call('POST', '/v1/estates', {
    token: admin,
    body: { estateId: 'DEMO', name: '示范花园' },
  });
  expect(estate.status, estate.text).toBe(201);
});
afterAll(() => h?.close());

async function ownerWithInvoice() {
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

/**
 * An exception: the owner's order paid with another amount (AMOUNT_MISMATCH), or, without an
 * amount, paid in full after the cashier took the invoice's money (BILL_ALREADY_PAID).
 */
async function exception(provider: 'WECHAT' | 'ALIPAY', amount?: string) {
  const o = await ownerWithInvoice();
  const made = await h.call('POST', '/v1/payment-orders', {
    token: o.token,
    headers: idem(),
    body: { invoiceId: o.invoiceId, provider },
  });
  expect(made.status, made.text).toBe(201);
  if (amount === undefined) {
    const cash = await h.call('POST', `/v1/invoices/${o.invoiceId}/payments`, {
      token: cashier,
      headers: idem(),
      body: { channel: 'CASH', amount: o.total },
    });
    expect(cash.status, cash.text).toBe(201);
  }
  const paid = await h.call('POST', '/local/sandbox/pay', {
    body: { outTradeNo: made.json.outTradeNo, amount },
  });
  expect(paid.status, paid.text).toBe(200);
  return {
    exceptionId: `${provider}-${paid.json.transactionId}`,
    outTradeNo: made.json.outTradeNo as string,
    amount,
  };
}

type Entry = {
  kind: string;
  documentNo: string;
  amount: string;
  receiptNo?: string;
  channel?: string;
  feeCode: string;
};

async function ledger(): Promise<Entry[]> {
  const out: Entry[] = [];
  let cursor: string | undefined;
  do {
    const r = await h.call('GET', '/v1/ledger', {
      token: accountant,
      query: { estateId: 'DEMO', from: DAY, to: DAY, limit: '200', ...(cursor ? { cursor } : {}) },
    });
    expect(r.status, r.text).toBe(200);
    out.push(...r.json.items);
    cursor = r.json.nextCursor;
  } while (cursor);
  return out;
}
const rowsOf = (entries: Entry[], exceptionId: string) =>
  entries.filter((e) => e.kind === 'PAYMENT_UNAPPLIED' && e.documentNo.startsWith(exceptionId));
const sum = (entries: Entry[], kind: string) =>
  formatFen(
    entries
      .filter((e) => e.kind === kind)
      .reduce(
        (a, e) => a + parseMoney(e.amount.replace('-', ''), 'x') * (e.amount.startsWith('-') ? -1n : 1n),
        0n,
      ),
  );

function resolve(id: string, body: Record<string, unknown>, key = idem()) {
  return h.call('POST', `/v1/payment-exceptions/${id}/resolution`, { token: accountant, headers: key, body });
}

describe('unapplied money in the ledger', () => {
  it('an exception shows as 待处理款项 on its date, by the provider’s channel, not as a receipt', async () => {
    const x = await exception('WECHAT', '12.34');
    const rows = rowsOf(await ledger(), x.exceptionId);
    expect(rows).toEqual([
      expect.objectContaining({
        amount: '12.34',
        channel: 'KIOSK_WECHAT',
        documentNo: x.exceptionId,
        feeCode: 'PROPERTY_FEE',
      }),
    ]);
    const csv = await h.call('GET', '/v1/ledger.csv', {
      token: accountant,
      query: { estateId: 'DEMO', from: DAY, to: DAY, lang: 'zh' },
    });
    expect(csv.status, csv.text).toBe(200);
    expect(csv.text).toContain('待处理款项');
  });

  it('APPLY reverses it beside the receipt: the money is counted once', async () => {
    const other = await ownerWithInvoice();
    const x = await exception('ALIPAY');
    const r = await resolve(x.exceptionId, {
      action: 'APPLY',
      invoiceId: other.invoiceId,
      reason: '业主确认转缴',
    });
    expect(r.status, r.text).toBe(200);
    const entries = await ledger();
    const rows = rowsOf(entries, x.exceptionId);
    expect(rows.map((e) => e.amount)).toEqual([other.total, `-${other.total}`]);
    expect(rows[1]).toMatchObject({ receiptNo: r.json.receipt.receiptNo, documentNo: `${x.exceptionId}/R` });
    expect(
      entries.filter((e) => e.receiptNo === r.json.receipt.receiptNo && e.kind === 'PAYMENT_RECEIVED'),
    ).toHaveLength(1);
  });

  it('the summary counts unapplied money by kind only; received is the receipts’ total', async () => {
    const entries = await ledger();
    const s = await h.call('GET', '/v1/reports/summary', {
      token: accountant,
      query: { estateId: 'DEMO', from: DAY, to: DAY },
    });
    expect(s.status, s.text).toBe(200);
    const byKind = Object.fromEntries(
      s.json.byKind.map((k: { kind: string; amount: string }) => [k.kind, k.amount]),
    );
    expect(byKind['PAYMENT_UNAPPLIED']).toBe(sum(entries, 'PAYMENT_UNAPPLIED'));
    expect(byKind['PAYMENT_RECEIVED']).toBe(sum(entries, 'PAYMENT_RECEIVED'));
    const receipts = (await receiptsIn(h)).reduce((a, r) => a + BigInt(r['amount'] as bigint), 0n);
    expect(s.json.totals.received).toBe(formatFen(receipts));
    // Open exceptions are what the unapplied rows still hold.
    const open = await h.call('GET', '/v1/payment-exceptions', {
      token: accountant,
      query: { estateId: 'DEMO', status: 'OPEN' },
    });
    const held = open.json.items.reduce(
      (a: bigint, x: { amount: string }) => a + parseMoney(x.amount, 'x'),
      0n,
    );
    expect(byKind['PAYMENT_UNAPPLIED']).toBe(formatFen(held));
  });
});

describe('REFUND through the provider', () => {
  for (const provider of ['WECHAT', 'ALIPAY'] as const) {
    it(`${provider}: a provider failure leaves the exception open; the retry refunds once with the same number`, async () => {
      const x = await exception(provider, '7.50');
      p.sandbox.refunds.failNext = 1;
      const failed = await resolve(x.exceptionId, { action: 'REFUND', reason: '业主要求原路退回' });
      expect(failed.status, failed.text).toBe(503);
      const still = await h.call('GET', '/v1/payment-exceptions', {
        token: accountant,
        query: { estateId: 'DEMO', status: 'OPEN' },
      });
      expect(still.json.items.map((i: { exceptionId: string }) => i.exceptionId)).toContain(x.exceptionId);
      expect(rowsOf(await ledger(), x.exceptionId).map((e) => e.amount)).toEqual(['7.50']);

      const key = idem();
      const r = await resolve(x.exceptionId, { action: 'REFUND', reason: '业主要求原路退回' }, key);
      expect(r.status, r.text).toBe(200);
      const route = ROUTES.find((rt) => rt.operationId === 'resolvePaymentException')!;
      expect(route.response.safeParse(r.json).success).toBe(true);
      expect(r.json).toMatchObject({
        status: 'RESOLVED',
        resolution: { action: 'REFUND', outRefundNo: `RF${x.outTradeNo}`, refundStatus: 'SUCCESS' },
      });
      const refund = p.sandbox.refunds.byNo.get(`RF${x.outTradeNo}`)!;
      expect(refund.amount).toBe(750n);
      if (provider === 'WECHAT') expect(r.json.resolution.providerRefundId).toBe(refund.refundId);
      // The same request again: the stored answer, no second refund.
      const again = await resolve(x.exceptionId, { action: 'REFUND', reason: '业主要求原路退回' }, key);
      expect(again.json).toEqual(r.json);
      const other = await resolve(x.exceptionId, { action: 'REFUND', reason: 'again' });
      expect([other.status, other.json.error?.code]).toEqual([409, 'EXCEPTION_RESOLVED']);
      expect([...p.sandbox.refunds.byNo.values()].filter((f) => f.outTradeNo === x.outTradeNo)).toHaveLength(
        1,
      );
      // Recorded: the refund row, the reversal (money going out) in the ledger.
      const stored = await h.db.get({ PK: `PAYREFUND#RF${x.outTradeNo}`, SK: 'META' });
      expect(stored).toMatchObject({ exceptionId: x.exceptionId, amount: 750n, status: 'SUCCESS' });
      expect(rowsOf(await ledger(), x.exceptionId).map((e) => e.amount)).toEqual(['7.50', '-7.50']);
      const audit = await h.db.scan({
        FilterExpression: 'begins_with(PK, :p) AND #doc = :doc',
        ExpressionAttributeNames: { '#doc': 'document' },
        ExpressionAttributeValues: { ':p': 'AUDIT#DEMO#', ':doc': `RF${x.outTradeNo}` },
      });
      expect(audit.items.map((a) => [a['action'], a['actor']])).toEqual([
        ['PAYMENT_REFUNDED', expect.any(String)],
      ]);
    });
  }

  it('a refund the provider answered but we failed to record is asked again with the same number: one refund', async () => {
    const x = await exception('WECHAT', '3.00');
    // The provider refunded (an earlier attempt whose answer was lost): it answers the same refund.
    const first = p.sandbox.refunds.wechat(
      JSON.stringify({
        out_trade_no: x.outTradeNo,
        out_refund_no: `RF${x.outTradeNo}`,
        amount: { refund: 300, total: 300, currency: 'CNY' },
      }),
      p.keys.wechat.mchid,
    );
    expect(first.status).toBe(200);
    const r = await resolve(x.exceptionId, { action: 'REFUND', reason: '重试' });
    expect(r.status, r.text).toBe(200);
    expect(r.json.resolution.providerRefundId).toBe((first.value as { refund_id: string }).refund_id);
    expect([...p.sandbox.refunds.byNo.values()].filter((f) => f.outTradeNo === x.outTradeNo)).toHaveLength(1);
  });
});

describe('reconciliation after applies and refunds', () => {
  it('the day’s statements still match: every provider row is a receipt or an exception, amounts equal', async () => {
    for (const provider of ['WECHAT', 'ALIPAY']) {
      const file = await h.call('GET', '/local/sandbox/statement', { query: { provider, date: DAY } });
      expect(file.status, file.text).toBe(200);
      const res = await h.call('POST', '/v1/estates/DEMO/reconciliations', {
        token: accountant,
        query: { provider, date: DAY },
        raw: file.text,
        headers: { 'content-type': 'text/csv' },
      });
      expect(res.status, res.text).toBe(201);
      expect(res.json.counts, provider).toMatchObject({ missingOnOurSide: 0, missingAtProvider: 0 });
      expect(res.json.amountDifferences, provider).toEqual([]);
      expect(res.json.counts.matched, provider).toBe(res.json.counts.payments);
    }
  });
});

describe('APPLY and REFUND of one exception never both happen', () => {
  const apply = (id: string, invoiceId: string) =>
    resolve(id, { action: 'APPLY', invoiceId, reason: '业主同意抵缴其他账单' });
  const refund = (id: string) => resolve(id, { action: 'REFUND', reason: '业主要求原路退回' });
  const refundsOf = (outTradeNo: string) =>
    [...p.sandbox.refunds.byNo.values()].filter((f) => f.outTradeNo === outTradeNo);

  for (const provider of ['WECHAT', 'ALIPAY'] as const) {
    it(`${provider}: a refund whose outcome is unknown blocks APPLY until a REFUND settles it`, async () => {
      const x = await exception(provider);
      const other = await ownerWithInvoice();
      p.sandbox.refunds.failNext = 1;
      expect((await refund(x.exceptionId)).status).toBe(503);
      const listed = await h.call('GET', '/v1/payment-exceptions', {
        token: accountant,
        query: { estateId: 'DEMO', status: 'OPEN' },
      });
      const open = listed.json.items.find((i: { exceptionId: string }) => i.exceptionId === x.exceptionId);
      expect(open).toMatchObject({ status: 'OPEN', refundAsked: { at: expect.any(String) } });

      const applied = await apply(x.exceptionId, other.invoiceId);
      expect([applied.status, applied.json.error?.code]).toEqual([409, 'REFUND_IN_PROGRESS']);
      const inv = await h.call('GET', `/v1/invoices/${other.invoiceId}`, { token: cashier });
      expect(inv.json.status).toBe('OPEN');

      const settled = await refund(x.exceptionId);
      expect(settled.status, settled.text).toBe(200);
      expect(settled.json).toMatchObject({ status: 'RESOLVED', resolution: { action: 'REFUND' } });
      expect(settled.json).not.toHaveProperty('refundAsked');
      expect(refundsOf(x.outTradeNo)).toHaveLength(1);
    });

    it(`${provider}: a refund the provider refused takes its mark back, and APPLY may follow`, async () => {
      const x = await exception(provider);
      const other = await ownerWithInvoice();
      p.sandbox.refunds.refuseNext = 1;
      const refused = await refund(x.exceptionId);
      expect([refused.status, refused.json.error?.code]).toEqual([409, 'REFUND_REFUSED']);
      expect(refundsOf(x.outTradeNo)).toHaveLength(0);

      const applied = await apply(x.exceptionId, other.invoiceId);
      expect(applied.status, applied.text).toBe(200);
      expect(applied.json).toMatchObject({ status: 'RESOLVED', resolution: { action: 'APPLY' } });
      expect(applied.json).not.toHaveProperty('refundAsked');
    });
  }

  it('sent at the same moment, one of them wins and the money goes one way only', async () => {
    for (let round = 0; round < 4; round++) {
      const x = await exception(round % 2 ? 'ALIPAY' : 'WECHAT');
      const other = await ownerWithInvoice();
      const [a, r] = await Promise.all([apply(x.exceptionId, other.invoiceId), refund(x.exceptionId)]);
      const inv = await h.call('GET', `/v1/invoices/${other.invoiceId}`, { token: cashier });
      const refunded = refundsOf(x.outTradeNo).length;
      const paid = inv.json.status === 'PAID' ? 1 : 0;
      expect(refunded + paid, `${a.text} ${r.text}`).toBe(1);
      expect([a.status, r.status].sort()).toEqual([200, 409]);
      expect(rowsOf(await ledger(), x.exceptionId).map((e) => e.amount)).toHaveLength(2);
    }
  });
});
