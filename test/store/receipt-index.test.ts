/**
 * Issue 17 item 10, the store side: finding receipts by estate and date, by unit and by plate is a
 * Query on an index, never a Scan; receipts written before they were indexed stay readable and are
 * indexed by the backfill without their content changing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEstate } from '../../lib/billing/estates.js';
import { issueInvoice } from '../../lib/billing/invoices.js';
import { getReceipt, payInvoice } from '../../lib/billing/payments.js';
import { listReceipts } from '../../lib/billing/reprints.js';
import { createUnit } from '../../lib/billing/units.js';
import { key } from '../../lib/store/keys.js';
import { backfillReceiptIndex } from '../../lib/store/receipt-index.js';
import { billingHarness, type Harness } from '../support/billing.js';
import { observeCalls } from '../support/store-middleware.js';

let h: Harness;
let unitId: string;
let paidNo: string;

/** A receipt as stored before issue 17: no names, no index keys. */
const oldReceipt = (receiptNo: string, at: string, party: { unitId: string } | { plate: string }) => ({
  ...key.receipt(receiptNo),
  type: 'RECEIPT',
  receiptNo,
  estateId: 'DEMO',
  ...party,
  channel: 'CASH',
  amount: 200n,
  cashier: 'old-cashier',
  paidAt: at,
  businessDate: at.slice(0, 10),
  lines: [{ type: 'TEMP_PARKING', description: '临时停车费', amount: 200n }],
});

beforeAll(async () => {
  h = await billingHarness();
  await createEstate(h.ctx('admin'), { estateId: 'DEMO', name: '示范花园' });
  const unit = await createUnit(h.ctx('admin'), 'DEMO', {
    building: '3栋',
    room: '502',
    unitType: 'HIGH_RISE',
    area: '89.56',
    deliveryDate: '2025-02-15',
    ownerIds: ['o'],
  });
  unitId = unit.unitId;
  const inv = await issueInvoice(h.ctx('cashier'), { unitId, items: [{ type: 'PROPERTY_FEE' }] });
  paidNo = (await payInvoice(h.ctx('cashier'), inv.invoiceNo, { channel: 'CASH', amount: '1934.50' }))
    .receiptNo;
  await h.db.put(oldReceipt('DEMO-R2024-000001', '2024-12-30T09:00:00+08:00', { unitId }));
  await h.db.put(oldReceipt('DEMO-R2024-000002', '2024-12-31T09:00:00+08:00', { plate: '粤B12345' }));
});

const ctx = () => ({ db: h.db });
const nos = async (q: Partial<Parameters<typeof listReceipts>[1]>) =>
  (await listReceipts(ctx(), { estateId: 'DEMO', limit: 100, ...q })).items.map((r) => r.receiptNo);

describe('receipts by index', () => {
  it('every filter is one Query on an index, never a Scan', async () => {
    const calls: { action: string; index?: unknown }[] = [];
    const stop = observeCalls(h.db.doc, (action, input) => calls.push({ action, index: input['IndexName'] }));
    try {
      await nos({});
      await nos({ date: '2025-03-01' });
      await nos({ unitId });
      await nos({ plate: '粤B12345', date: '2024-12-31' });
    } finally {
      stop();
    }
    expect(calls.filter((c) => c.action === 'Scan')).toEqual([]);
    expect(calls.filter((c) => c.action === 'Query')).toEqual([
      { action: 'Query', index: 'GSI3' },
      { action: 'Query', index: 'GSI3' },
      { action: 'Query', index: 'GSI1' },
      { action: 'Query', index: 'GSI1' },
    ]);
    // Besides the Query only single-item reads: the estate, the unit, the invoice behind a receipt.
    expect(new Set(calls.map((c) => c.action))).toEqual(new Set(['Query', 'GetItem']));
  });

  it('receipts stored before the index are readable by number but not listed, until the backfill', async () => {
    expect(await nos({})).toEqual([paidNo]);
    const before = await h.db.get(key.receipt('DEMO-R2024-000001'));
    expect((await getReceipt(ctx(), 'DEMO-R2024-000001')).cashier).toBe('old-cashier');

    expect(await backfillReceiptIndex(h.db)).toBe(2);
    expect(await nos({})).toEqual([paidNo, 'DEMO-R2024-000002', 'DEMO-R2024-000001']);
    expect(await nos({ unitId })).toEqual([paidNo, 'DEMO-R2024-000001']);
    expect(await nos({ plate: '粤B12345' })).toEqual(['DEMO-R2024-000002']);
    expect(await nos({ date: '2024-12-30' })).toEqual(['DEMO-R2024-000001']);

    // Only index attributes were added; the receipt itself is as it was.
    const after = await h.db.get(key.receipt('DEMO-R2024-000001'));
    const { GSI1PK, GSI1SK, GSI3PK, GSI3SK, ...content } = after!;
    expect(content).toEqual(before);
    expect([GSI1PK, GSI3PK]).toEqual([`UNIT#${unitId}#RECEIPTS`, 'ESTATE#DEMO#RECEIPTS']);
    expect(GSI1SK).toBe(GSI3SK);
    // A second run finds nothing left to index.
    expect(await backfillReceiptIndex(h.db)).toBe(0);
  });
});
