/**
 * Receipt numbers are taken in the payment's own transaction, with a condition on the counter's
 * `last` (lib/store/numbering.ts). A process remembers the counter from its own commits and from a
 * failed condition (which returns the counter), so the turn each payment holds on its series is one
 * transaction, not a read and a transaction. These tests hold that to account: which store calls a
 * payment makes, and that the series stays gapless and unique whatever went wrong.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEstate } from '../../lib/billing/estates.js';
import { issueInvoice } from '../../lib/billing/invoices.js';
import { payInvoice } from '../../lib/billing/payments.js';
import { createUnit } from '../../lib/billing/units.js';
import { ConflictError } from '../../lib/errors.js';
import type { Db } from '../../lib/store/db.js';
import { key, SERIES } from '../../lib/store/keys.js';
import { billingHarness, type Harness } from '../support/billing.js';
import { observeCalls } from '../support/store-middleware.js';

let h: Harness;
let unitId: string;
const ESTATE = 'NUM';
const cash = { channel: 'CASH' as const, amount: '226.65' };

beforeAll(async () => {
  h = await billingHarness();
  await createEstate(h.ctx('admin', { estates: [ESTATE] }), { estateId: ESTATE, name: '编号' });
  unitId = (
    await createUnit(h.ctx('admin', { estates: [ESTATE] }), ESTATE, {
      building: '1',
      room: '1',
      unitType: 'APARTMENT',
      area: '45.33',
      deliveryDate: '2025-01-01',
      ownerIds: [],
    })
  ).unitId;
});

const cashier = (db: Db) => h.ctx('cashier', { estates: [ESTATE], db });
const issue = async (db: Db) =>
  (await issueInvoice(cashier(db), { unitId, items: [{ type: 'RENOVATION_WASTE' }] })).invoiceNo;
const pay = async (db: Db, invoiceNo: string) => (await payInvoice(cashier(db), invoiceNo, cash)).receiptNo;
const seq = (receiptNo: string) => Number(receiptNo.slice(-6));

/** The store calls a Db sends while `fn` runs: action and, for reads, whether it read the receipt counter. */
async function callsOf(db: Db, fn: () => Promise<unknown>): Promise<string[]> {
  const counter = JSON.stringify(key.counter(ESTATE, SERIES.receipt, 2025));
  const calls: string[] = [];
  const stop = observeCalls(db.doc, (action, input) => {
    calls.push(
      action === 'GetItem' && JSON.stringify(input['Key']) === counter ? 'GetItem(counter)' : action,
    );
  });
  try {
    await fn();
  } finally {
    stop();
  }
  return calls;
}

/** `last` of the receipt counter as stored. */
async function counterLast(): Promise<number> {
  const item = await h.db.get<{ last: bigint }>(key.counter(ESTATE, SERIES.receipt, 2025));
  return Number(item?.last ?? 0);
}

describe('receipt numbers in the payment transaction', () => {
  it('a process that has seen the counter pays with one transaction and never reads the counter', async () => {
    const a = h.dbWith({});
    const first = await issue(a);
    const second = await issue(a);
    // Its first payment reads the counter once, before the turn; afterwards it knows it.
    expect(await callsOf(a, () => pay(a, first))).toContain('GetItem(counter)');
    const calls = await callsOf(a, () => pay(a, second));
    expect(calls).not.toContain('GetItem(counter)');
    expect(calls.filter((c) => c === 'TransactWriteItems')).toHaveLength(1);
  });

  it('a process behind another learns the counter from its failed condition, not by reading it', async () => {
    const a = h.dbWith({});
    const b = h.dbWith({});
    const before = await counterLast();
    await pay(a, await issue(a)); // a now knows the counter
    const behind = await issue(a);
    for (let i = 0; i < 3; i++) await pay(b, await issue(b)); // b moves it on; a does not know
    let receiptNo = '';
    const calls = await callsOf(a, async () => {
      receiptNo = await pay(a, behind);
    });
    // One transaction lost on the counter, which came back with its value; the next one won.
    expect(calls.filter((c) => c === 'TransactWriteItems')).toHaveLength(2);
    expect(calls).not.toContain('GetItem(counter)');
    expect(seq(receiptNo)).toBe(before + 5);
    expect(await counterLast()).toBe(before + 5);
  });

  it('a number is used iff its payment commits: racing payments of the same invoices from 4 processes', async () => {
    const processes = Array.from({ length: 4 }, () => h.dbWith({}));
    const before = await counterLast();
    const invoices: string[] = [];
    for (let i = 0; i < 12; i++) invoices.push(await issue(h.db));
    // Every invoice is paid by three processes at once: one payment wins, the others fail after
    // their transaction was built (some after taking part in the race for a number).
    const outcomes = await Promise.allSettled(
      invoices.flatMap((inv, i) => [0, 1, 2].map((k) => pay(processes[(i + k) % 4]!, inv))),
    );
    const receipts = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(ConflictError);
    expect(receipts).toHaveLength(invoices.length);
    expect(receipts.map(seq).sort((x, y) => x - y)).toEqual(
      Array.from({ length: invoices.length }, (_, i) => before + 1 + i),
    );
    expect(await counterLast()).toBe(before + invoices.length);
  });
});
