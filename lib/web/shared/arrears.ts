/** What both pages do with a unit's arrears: which open bills are overdue, and those first. */
import type { Invoice, Unit } from './types.js';

export const hasArrears = (u: Unit): boolean => (u.arrears?.invoiceNos.length ?? 0) > 0;

/** The open invoices, overdue ones first (oldest due first), then the rest as the API listed them. */
export function overdueFirst(u: Unit): { overdue: Invoice[]; rest: Invoice[] } {
  const open = u.openInvoices ?? [];
  const order = u.arrears?.invoiceNos ?? [];
  const overdue = order.flatMap((no) => open.filter((i) => i.invoiceNo === no));
  return { overdue, rest: open.filter((i) => !order.includes(i.invoiceNo)) };
}
