/** The pure rules of issue 20: one due-date rule, days past due and the ageing buckets. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { daysPastDue, derivedDueDate, invoiceDueDate } from '../../lib/billing/due-date.js';
import { ArrearsBook, bucketOf } from '../../lib/reports/arrears.js';
import { maskPhone } from '../../lib/reports/arrears-query.js';
import { addDays } from '../../lib/time.js';

describe('due date', () => {
  it('is the explicit one when the invoice has it, else the earliest period start, never before issue', () => {
    expect(
      invoiceDueDate({ dueDate: '2025-03-15', issueDate: '2025-03-15', periodStarts: ['2026-01-01'] }),
    ).toBe('2025-03-15');
    expect(derivedDueDate('2025-05-10', ['2026-06-01', '2025-06-01'])).toBe('2025-06-01');
    expect(derivedDueDate('2025-05-10', ['2024-06-01'])).toBe('2025-05-10');
    expect(derivedDueDate('2025-05-10', [undefined])).toBe('2025-05-10');
  });

  it('days past due count calendar days across month and leap-year ends', () => {
    expect(daysPastDue('2024-02-28', '2024-03-01')).toBe(2);
    expect(daysPastDue('2025-06-01', '2025-06-01')).toBe(0);
    expect(daysPastDue('2025-06-02', '2025-06-01')).toBe(-1);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3000 }),
        (n) => daysPastDue('2023-01-31', addDays('2023-01-31', n)) === n,
      ),
    );
  });
});

describe('ageing buckets', () => {
  it('1-30 holds 0 to 30 days; each bound belongs to the lower bucket', () => {
    const table: [number, string][] = [
      [0, 'days1to30'],
      [30, 'days1to30'],
      [31, 'days31to90'],
      [90, 'days31to90'],
      [91, 'days91to180'],
      [100, 'days91to180'],
      [180, 'days91to180'],
      [181, 'days181to365'],
      [365, 'days181to365'],
      [366, 'over365'],
    ];
    expect(table.map(([d]) => [d, bucketOf(d)])).toEqual(table);
    expect(() => bucketOf(-1)).toThrow();
  });

  it('an invoice paid or voided by asOf is not open, whatever order its rows come in', () => {
    const issued = {
      kind: 'INVOICE_ISSUED',
      businessDate: '2025-01-01',
      invoiceNo: 'I1',
      unitId: 'U1',
      feeCode: 'PROPERTY_FEE',
      amount: 100n,
    };
    const paid = { ...issued, kind: 'PAYMENT_RECEIVED', businessDate: '2025-01-01' };
    for (const rows of [
      [issued, paid],
      [paid, issued],
    ]) {
      const book = new ArrearsBook();
      for (const r of rows) book.add(r);
      expect(book.units('2025-02-01')).toEqual([]);
    }
    const open = new ArrearsBook();
    open.add(issued);
    open.add({ ...issued, feeCode: 'RENOVATION_DEPOSIT', amount: 100000n });
    expect(open.units('2025-02-01').map((u) => [u.overdue, u.daysOverdue])).toEqual([[100n, 31]]);
  });

  it('phones keep only their last four digits', () => {
    expect(maskPhone('13812345678')).toBe('*******5678');
    expect(maskPhone('123')).toBe('123');
  });
});
