/** 日结 from ledger rows: receipts once each, deposits in the drawer, refunds out, credit notes beside. */
import { describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../lib/ledger/query.js';
import { cashupOf } from '../../lib/reports/cashup.js';

let n = 0;
function row(e: Partial<LedgerEntry> & Pick<LedgerEntry, 'kind' | 'amount' | 'actor'>): LedgerEntry {
  n++;
  return {
    sk: `2026-03-01#${n}`,
    businessDate: '2026-03-01',
    at: '2026-03-01T10:00:00+08:00',
    documentNo: e.receiptNo ?? `DOC-${n}`,
    feeCode: 'PROPERTY_FEE',
    ...e,
  };
}

const day: LedgerEntry[] = [
  // One cash receipt with two fee lines and a deposit line: one receipt, 3000.00 in the drawer.
  row({
    kind: 'PAYMENT_RECEIVED',
    receiptNo: 'D-R2026-000007',
    channel: 'CASH',
    amount: 150000n,
    actor: 'li',
  }),
  row({
    kind: 'PAYMENT_RECEIVED',
    receiptNo: 'D-R2026-000007',
    channel: 'CASH',
    amount: 50000n,
    actor: 'li',
  }),
  row({
    kind: 'DEPOSIT_RECEIVED',
    receiptNo: 'D-R2026-000007',
    channel: 'CASH',
    amount: 100000n,
    actor: 'li',
  }),
  row({
    kind: 'PAYMENT_RECEIVED',
    receiptNo: 'D-R2026-000009',
    channel: 'TRANSFER',
    amount: 193450n,
    actor: 'li',
  }),
  row({
    kind: 'PAYMENT_RECEIVED',
    receiptNo: 'D-R2026-000008',
    channel: 'CASH',
    amount: 1200n,
    actor: 'wang',
  }),
  // A cash deposit refund paid out by li, and a credit note (no drawer movement).
  row({
    kind: 'DEPOSIT_REFUNDED',
    documentNo: 'D-T2026-000001',
    channel: 'CASH',
    amount: -80000n,
    actor: 'li',
  }),
  row({ kind: 'CREDIT_NOTE', creditNoteNo: 'D-C2026-000002', amount: -193450n, actor: 'li' }),
  // Issued and voided invoices are not money.
  row({ kind: 'INVOICE_ISSUED', invoiceNo: 'D-2026-000010', amount: 193450n, actor: 'li' }),
];

describe('cashupOf', () => {
  it('counts a receipt once, with its deposit lines, per channel', () => {
    const c = cashupOf({ estateId: 'D', date: '2026-03-01', cashier: 'li' }, day);
    expect(c.byChannel).toEqual([
      { channel: 'CASH', count: 1, total: 300000n },
      { channel: 'TRANSFER', count: 1, total: 193450n },
    ]);
    expect(c.refunds).toEqual({
      count: 1,
      total: 80000n,
      byChannel: [{ channel: 'CASH', count: 1, total: 80000n }],
    });
    expect(c.creditNotes).toEqual({ count: 1, total: 193450n });
    // 3000.00 in, 800.00 paid out in cash; the transfer and the credit note never touch the drawer.
    expect(c.cashExpected).toBe(220000n);
  });

  it('keeps each cashier to their own rows and gives everyone’s figures without one', () => {
    const wang = cashupOf({ estateId: 'D', date: '2026-03-01', cashier: 'wang' }, day);
    expect(wang.cashExpected).toBe(1200n);
    expect(wang.numberRanges).toEqual([
      { series: 'RECEIPT', first: 'D-R2026-000008', last: 'D-R2026-000008', count: 1 },
    ]);
    const all = cashupOf({ estateId: 'D', date: '2026-03-01' }, day);
    expect(all.byCashier.map((c) => [c.cashier, c.cashExpected])).toEqual([
      ['li', 220000n],
      ['wang', 1200n],
    ]);
    expect(all.cashExpected).toBe(221200n);
    expect(all.numberRanges[0]).toEqual({
      series: 'RECEIPT',
      first: 'D-R2026-000007',
      last: 'D-R2026-000009',
      count: 3,
    });
  });
});
