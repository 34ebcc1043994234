/**
 * Domain records → API JSON. Money leaves as two-decimal strings (never JSON numbers); receipts carry
 * the amount in Chinese uppercase (大写).
 */

import type { CreditNote, Estate, Invoice, Receipt, Space, Unit } from '../billing/records.js';
import type { FeeLine } from '../fees/line.js';
import { type PeriodBasis, spaceBillFrom } from '../fees/periods.js';
import { chineseUppercase, formatFen } from '../money.js';
import { lastDay } from '../period-text.js';
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

export function presentInvoice(inv: Invoice) {
  return {
    invoiceId: inv.invoiceId,
    invoiceNo: inv.invoiceNo,
    estateId: inv.estateId,
    ...(inv.unitId ? { unitId: inv.unitId } : {}),
    ...(inv.plate ? { plate: inv.plate } : {}),
    ...(inv.rentalKind ? { rentalKind: inv.rentalKind } : {}),
    status: inv.status,
    currency: 'CNY',
    issuedAt: inv.issuedAt,
    issuedBy: inv.issuedBy,
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

export function presentReceipt(r: Receipt) {
  return {
    receiptNo: r.receiptNo,
    estateId: r.estateId,
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
    paidAt: r.paidAt,
    businessDate: r.businessDate,
    lines: docLines(r.lines),
  };
}

export function presentCreditNote(c: CreditNote) {
  return {
    creditNoteNo: c.creditNoteNo,
    estateId: c.estateId,
    invoiceNo: c.invoiceNo,
    ...(c.receiptNo ? { receiptNo: c.receiptNo } : {}),
    ...(c.unitId ? { unitId: c.unitId } : {}),
    reason: c.reason,
    issuedAt: c.issuedAt,
    issuedBy: c.issuedBy,
    currency: 'CNY',
    total: formatFen(c.total),
    totalInWords: chineseUppercase(c.total),
    lines: docLines(c.lines),
  };
}

export function presentUnit(u: Unit, extra: { openInvoices?: Invoice[]; spaces?: Space[] } = {}) {
  // The billing-state lock and mirror are the store's business, not the API's.
  const { version: _v, propertyPeriods: _p, ...unit } = u;
  return {
    ...unit,
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
