/**
 * The notifications' function may write only to NOTIFY_WRITE_PARTITIONS (IAM `dynamodb:LeadingKeys`,
 * infra/constructs/table-access.ts). Every key a notification writes — an invoice paid, a parking
 * session paid, an exception recorded, a repeat — is recorded at the SDK and checked against that
 * list, so a new write on the settle path cannot reach production as AccessDenied.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTIFY_WRITE_PARTITIONS } from '../../infra/constructs/table-access.js';
import type { ApiHarness } from '../support/api.js';
import { idem, type PaymentHarness, paymentHarness } from '../support/payments.js';
import { observeCalls } from '../support/store-middleware.js';

let p: PaymentHarness;
let h: ApiHarness;
const written = new Set<string>();

/** The partition keys a write command names (Put, Update, ConditionCheck, each of a transaction). */
function partitionsOf(action: string, input: Record<string, unknown>): string[] {
  const pk = (x: { Item?: { PK?: unknown }; Key?: { PK?: unknown } } | undefined) =>
    String(x?.Item?.PK ?? x?.Key?.PK);
  if (action === 'PutItem' || action === 'UpdateItem') return [pk(input as never)];
  if (action === 'TransactWriteItems')
    return (input['TransactItems'] as Record<string, never>[]).map((t) =>
      pk(t['Put'] ?? t['Update'] ?? t['ConditionCheck'] ?? t['Delete']),
    );
  if (action === 'BatchWriteItem' || action === 'DeleteItem') return [`${action}!`];
  return [];
}

/** Runs `pay` (the sandbox posts the notifications) with every write recorded. */
async function recorded(pay: () => Promise<unknown>): Promise<void> {
  const stop = observeCalls(h.db.doc, (action, input) => {
    for (const k of partitionsOf(action, input)) written.add(k);
  });
  try {
    await pay();
  } finally {
    stop();
  }
}

const sandboxPay = (body: Record<string, unknown>) => h.call('POST', '/local/sandbox/pay', { body });

beforeAll(async () => {
  p = await paymentHarness();
  h = p.h;
  const admin = await h.token('admin');
  h.clock.set('2025-03-01T05:00:00+08:00');
  expect(
    (await h.call('POST', '/v1/estates', { token: admin, body: { estateId: 'DEMO', name: '示范花园' } }))
      .status,
  ).toBe(201);
});
afterAll(() => h?.close());

describe('what a notification writes', () => {
  it('stays inside the notify function’s write partitions for invoices, parking, exceptions and repeats', async () => {
    const admin = await h.token('admin');
    const cashier = await h.token('cashier');
    const kiosk = await h.token('kiosk', { sub: 'kiosk-lobby' });
    const gate = await h.token('gate');
    const unit = await h.call('POST', '/v1/estates/DEMO/units', {
      token: admin,
      body: {
        building: '1栋',
        room: '501',
        unitType: 'HIGH_RISE',
        area: '89.56',
        deliveryDate: '2025-02-15',
        ownerIds: ['o1'],
      },
    });
    const invoice = async () =>
      (
        await h.call('POST', '/v1/invoices', {
          token: cashier,
          headers: idem(),
          body: { unitId: unit.json.unitId, items: [{ type: 'PROPERTY_FEE' }] },
        })
      ).json.invoiceId as string;
    const order = async (body: Record<string, unknown>) => {
      const r = await h.call('POST', '/v1/payment-orders', { token: kiosk, headers: idem(), body });
      expect(r.status, r.text).toBe(201);
      return r.json.outTradeNo as string;
    };
    // An invoice paid, notified twice (the repeat writes nothing new).
    const paidOrder = await order({ invoiceId: await invoice(), provider: 'WECHAT' });
    await recorded(() => sandboxPay({ outTradeNo: paidOrder, repeat: 2 }));
    // Another amount: an exception with its unapplied ledger row.
    const mismatch = await order({ invoiceId: await invoice(), provider: 'ALIPAY' });
    await recorded(() => sandboxPay({ outTradeNo: mismatch, amount: '1.00' }));
    // A parking session paid.
    const entry = await h.call('POST', '/v1/parking/entries', {
      token: gate,
      body: { estateId: 'DEMO', plate: '粤B66666', gateId: 'IN-1', at: '2025-03-01T05:00:00+08:00' },
    });
    expect(entry.status, entry.text).toBe(201);
    h.clock.set('2025-03-01T10:00:00+08:00');
    const parking = await order({ sessionId: entry.json.sessionId, provider: 'WECHAT' });
    await recorded(() => sandboxPay({ outTradeNo: parking }));

    const prefixes = [...written].map((k) => k.replace(/#.*$/, '#'));
    expect(new Set(prefixes)).toEqual(
      new Set([
        'PAYORDER#',
        'PAYEXC#',
        'INVOICE#',
        'RECEIPT#',
        'ESTATE#',
        'UNIT#',
        'PARKING#',
        'LEDGER#',
        'AUDIT#',
      ]),
    );
    for (const k of written)
      expect(
        NOTIFY_WRITE_PARTITIONS.some((prefix) => k.startsWith(prefix)),
        k,
      ).toBe(true);
  });
});
