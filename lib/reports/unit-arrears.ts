/**
 * One unit's arrears today, from its open invoices (GET /v1/units/{unitId}, the counter, the kiosk,
 * the unit's dunning notice). The invoices go through the same book as the ledger's rows
 * (./arrears.ts), so the unit view and the arrears report can never disagree on what is overdue.
 */
import type { Invoice } from '../billing/records.js';
import { type BizDate, businessDate } from '../time.js';
import { ArrearsBook, type UnitArrears } from './arrears.js';

/** The unit's arrears at `asOf` from its invoices (only OPEN ones count), or undefined when nothing is overdue. */
export function unitArrears(
  unitId: string,
  invoices: readonly Invoice[],
  asOf: BizDate,
): UnitArrears | undefined {
  const book = new ArrearsBook();
  for (const inv of invoices) {
    if (inv.status !== 'OPEN') continue;
    const issueDate = businessDate(Date.parse(inv.issuedAt));
    if (issueDate > asOf) continue;
    for (const l of inv.lines) {
      book.add({
        kind: 'INVOICE_ISSUED',
        businessDate: issueDate,
        invoiceNo: inv.invoiceNo,
        unitId,
        feeCode: l.type,
        periodStart: l.period?.start,
        periodEnd: l.period?.end,
        dueDate: inv.dueDate,
        amount: l.amount,
      });
    }
  }
  return book.units(asOf)[0];
}
