/**
 * Domain records → API JSON. Money leaves as two-decimal strings (never JSON numbers); receipts carry
 * the amount in Chinese uppercase (大写).
 */

import { actorDisplay, cashierDisplay, RECEIPT_STATE_NAMES, type ReceiptState } from '../billing/printed.js';
import type { CreditNote, Estate, Invoice, Receipt, Space, Unit } from '../billing/records.js';
import type { FeeLine } from '../fees/line.js';
import { type PeriodBasis, spaceBillFrom } from '../fees/periods.js';
import { chineseUppercase, formatFen } from '../money.js';
import { lastDay } from '../period-text.js';
import type { PrintedNames } from '../store/items.js';
import type { Period } from '../time.js';

/** A half-open period with its inclusive last day named (schemas.ts `period`). */
export function presentPeriod(p: Period) {
  return { start: p.start, end: p.end, lastDay: lastDay(p.end) };
}

export function presentLine(l: FeeLine | Invoice['lines'][number]) {
  return {
    type: l.type,
    description: l.description,
    quantity: l.quantity,
    unit: l.unit,
    unitPrice: l.unitPrice,
    months: l.months,
    amount: formatFen(l.amount),
    tariffVersion: l.tariffVersion,
    ...(l.period ? { period: presentPeriod(l.period) } : {}),
    trace: l.trace,
  };
}

/** The names a reprint prints (absent where a response is not a reprint, e.g. a new invoice). */
function printed(d: PrintedNames) {
  return {
    ...(d.estateName !== undefined ? { estateName: d.estateName } : {}),
    ...(d.building !== undefined ? { building: d.building } : {}),
    ...(d.entrance ? { entrance: d.entrance } : {}),
    ...(d.room !== undefined ? { room: d.room } : {}),
  };
}

export function presentInvoice(inv: Invoice & PrintedNames) {
  return {
    invoiceId: inv.invoiceId,
    invoiceNo: inv.invoiceNo,
    estateId: inv.estateId,
    ...printed(inv),
    ...(inv.unitId ? { unitId: inv.unitId } : {}),
    ...(inv.plate ? { plate: inv.plate } : {}),
    ...(inv.rentalKind ? { rentalKind: inv.rentalKind } : {}),
    status: inv.status,
    currency: 'CNY',
    issuedAt: inv.issuedAt,
    issuedBy: inv.issuedBy,
    issuedByName: actorDisplay(inv.issuedBy, inv.issuedByName),
    dueDate: inv.dueDate,
    lines: inv.lines.map(presentLine),
    total: formatFen(inv.total),
    totalInWords: chineseUppercase(inv.total),
    ...(inv.receiptNo ? { receiptNo: inv.receiptNo, paidAt: inv.paidAt } : {}),
    ...(inv.voidedAt ? { voidedAt: inv.voidedAt, voidReason: inv.voidReason } : {}),
    ...(inv.creditNoteNo ? { creditNoteNo: inv.creditNoteNo } : {}),
  };
}

function docLines(lines: Receipt['lines']) {
  return lines.map((l) => ({
    type: l.type,
    description: l.description,
    amount: formatFen(l.amount),
    ...(l.period ? { period: presentPeriod(l.period) } : {}),
  }));
}

/**
 * A receipt; `state` is VALID unless the reprint found its invoice reversed (a receipt just
 * written is valid).
 */
export function presentReceipt(
  r: Receipt & PrintedNames & { state?: ReceiptState; creditNoteNo?: string | undefined },
) {
  const state = r.state ?? 'VALID';
  return {
    receiptNo: r.receiptNo,
    estateId: r.estateId,
    ...printed(r),
    ...(r.invoiceNo ? { invoiceNo: r.invoiceNo } : {}),
    ...(r.sessionId ? { sessionId: r.sessionId } : {}),
    ...(r.unitId ? { unitId: r.unitId } : {}),
    ...(r.plate ? { plate: r.plate } : {}),
    channel: r.channel,
    currency: 'CNY',
    amount: formatFen(r.amount),
    amountInWords: chineseUppercase(r.amount),
    ...(r.tendered !== undefined
      ? { tendered: formatFen(r.tendered), change: formatFen(r.change ?? 0n) }
      : {}),
    ...(r.reference ? { reference: r.reference } : {}),
    cashier: r.cashier,
    cashierName: cashierDisplay(r),
    ...(r.terminalId ? { terminalId: r.terminalId } : {}),
    paidAt: r.paidAt,
    businessDate: r.businessDate,
    lines: docLines(r.lines),
    state,
    stateName: RECEIPT_STATE_NAMES[state],
    ...(r.creditNoteNo ? { creditNoteNo: r.creditNoteNo } : {}),
  };
}

export function presentCreditNote(c: CreditNote & PrintedNames) {
  return {
    creditNoteNo: c.creditNoteNo,
    estateId: c.estateId,
    ...printed(c),
    invoiceNo: c.invoiceNo,
    ...(c.receiptNo ? { receiptNo: c.receiptNo } : {}),
    ...(c.unitId ? { unitId: c.unitId } : {}),
    ...(c.plate ? { plate: c.plate } : {}),
    reason: c.reason,
    issuedAt: c.issuedAt,
    issuedBy: c.issuedBy,
    issuedByName: actorDisplay(c.issuedBy, c.issuedByName),
    currency: 'CNY',
    total: formatFen(c.total),
    totalInWords: chineseUppercase(c.total),
    lines: docLines(c.lines),
  };
}

export function presentUnit(u: Unit, extra: { openInvoices?: Invoice[]; spaces?: Space[] } = {}) {
  // The billing-state lock and mirror are the store's business, not the API's.
  const { version: _v, propertyPeriods: _p, openingArrears, ...unit } = u;
  return {
    ...unit,
    ...(openingArrears !== undefined ? { openingArrears: formatFen(openingArrears) } : {}),
    paidThrough: u.paidThrough ?? null,
    ...(extra.spaces ? { spaces: extra.spaces.map((s) => presentSpace(s, u)) } : {}),
    ...(extra.openInvoices ? { openInvoices: extra.openInvoices.map(presentInvoice) } : {}),
  };
}

/** A space with the first day it is billed (an older space without one: the unit's anchor). */
export function presentSpace(s: Space, unit: PeriodBasis) {
  return { ...s, billFrom: spaceBillFrom(s, unit) };
}

export function presentEstate(e: Estate) {
  return { ...e };
}
