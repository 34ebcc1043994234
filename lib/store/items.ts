/**
 * How posted documents are written: typed builders for the stored records and the transaction
 * items that write or move them. The domain modules (billing, parking, renovation) decide what
 * happens; the key formats, the condition and update expressions live here. Db gives every item its
 * table, so no builder names it.
 */
import { randomBytes } from 'node:crypto';
import type { FeeLine } from '../fees/line.js';
import type { TxItem } from './db.js';
import { auditPk, drawerCountPk, gsi1, gsi2, key, ledgerPk, receiptIndexKeys } from './keys.js';

export interface StoredPeriod {
  start: string;
  end: string;
}

/** A put that must create its item: documents, ledger rows and audit records are never overwritten. */
export function putNew(item: Record<string, unknown>): TxItem {
  return { Put: { Item: item, ConditionExpression: 'attribute_not_exists(PK)' } };
}

/** Milliseconds as a fixed-width sort-key part, so that keys sort in time order. */
const ms13 = (at: number) => String(at).padStart(13, '0');

// ---- invoices and claims -------------------------------------------------------------------

/** An invoice line as the calculators price it (fees/line.ts), its trace stored as JSON text. */
export type InvoiceLineInput = Omit<FeeLine, 'trace'> & { trace: unknown };

/** A line of a receipt or credit note. */
export interface DocumentLineInput {
  type: string;
  description: string;
  amount: bigint;
  period?: StoredPeriod;
}

export interface NewInvoice {
  invoiceNo: string;
  estateId: string;
  unitId?: string;
  plate?: string;
  rentalKind?: string;
  /** The claim and listing partition: a unit or a vehicle. */
  billedTo: string;
  issuedAt: string;
  issueDate: string;
  issuedBy: string;
  /** The issuer's display name (`name` claim) at issue. */
  issuedByName?: string;
  dueDate: string;
  lines: InvoiceLineInput[];
  total: bigint;
}

/** An invoice item; its lines live inside it (read and written whole). `atMs` orders the party's list. */
export function invoiceItem(inv: NewInvoice, atMs: number): TxItem {
  return putNew({
    ...key.invoice(inv.invoiceNo),
    type: 'INVOICE',
    invoiceNo: inv.invoiceNo,
    estateId: inv.estateId,
    unitId: inv.unitId,
    plate: inv.plate,
    rentalKind: inv.rentalKind,
    billedTo: inv.billedTo,
    status: 'OPEN',
    issuedAt: inv.issuedAt,
    issueDate: inv.issueDate,
    issuedBy: inv.issuedBy,
    issuedByName: inv.issuedByName,
    dueDate: inv.dueDate,
    lines: inv.lines.map((l) => ({
      type: l.type,
      description: l.description,
      quantity: l.quantity,
      unit: l.unit,
      unitPrice: l.unitPrice,
      months: l.months ?? undefined,
      amount: l.amount,
      tariffVersion: l.tariffVersion,
      period: l.period,
      trace: JSON.stringify(l.trace),
    })),
    total: inv.total,
    GSI1PK: gsi1.invoicesOf(inv.billedTo),
    GSI1SK: `${ms13(atMs)}#${inv.invoiceNo}`,
  });
}

type InvoiceMove =
  | { to: 'PAID'; receiptNo: string; at: string }
  | { to: 'VOID'; at: string; reason: string; by: string }
  | { to: 'CREDITED'; creditNoteNo: string };

/** Moves an invoice's status, under the condition that it still has the status it leaves. */
export function invoiceStatusItem(invoiceNo: string, from: 'OPEN' | 'PAID', move: InvoiceMove): TxItem {
  const set =
    move.to === 'PAID'
      ? { expr: 'receiptNo = :doc, paidAt = :at', values: { ':doc': move.receiptNo, ':at': move.at } }
      : move.to === 'VOID'
        ? {
            expr: 'voidedAt = :at, voidReason = :reason, voidedBy = :by',
            values: { ':at': move.at, ':reason': move.reason, ':by': move.by },
          }
        : { expr: 'creditNoteNo = :doc', values: { ':doc': move.creditNoteNo } };
  return {
    Update: {
      Key: key.invoice(invoiceNo),
      UpdateExpression: `SET #status = :to, ${set.expr}`,
      ConditionExpression: '#status = :from',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':to': move.to, ':from': from, ...set.values },
    },
  };
}

/** Claims a (party, fee, period): succeeds if never claimed, or released by a void or credit note. */
export function claimItem(owner: string, feeCode: string, period: StoredPeriod, invoiceNo: string): TxItem {
  return {
    Put: {
      Item: {
        ...key.claim(owner, feeCode, period.start),
        type: 'CLAIM',
        feeCode,
        period,
        invoiceNo,
        state: 'OPEN',
      },
      ConditionExpression: 'attribute_not_exists(PK) OR #state = :released',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':released': 'RELEASED' },
    },
  };
}

/** Moves a claim held by `invoiceNo` to PAID or RELEASED. */
export function claimStateItem(
  owner: string,
  feeCode: string,
  periodStart: string,
  invoiceNo: string,
  state: 'PAID' | 'RELEASED',
): TxItem {
  return {
    Update: {
      Key: key.claim(owner, feeCode, periodStart),
      UpdateExpression: 'SET #state = :state',
      ConditionExpression: 'invoiceNo = :no',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':state': state, ':no': invoiceNo },
    },
  };
}

// ---- units -----------------------------------------------------------------------------------

/** The renewal index sort key of a unit: the date its renewal may be issued, then the unit. */
export const renewalKey = (issueFrom: string, unitId: string) => `${issueFrom}#${unitId}`;

/** What a write of a unit's billing state sets (everything derived from its live periods). */
export interface UnitBillingState {
  /** Live property-fee periods: start → OPEN or PAID. */
  propertyPeriods: Record<string, 'OPEN' | 'PAID'>;
  paidThrough?: string;
  /** The date the unit's next renewal may be issued: its place in the renewal index, if due for one. */
  renewalFrom?: string;
}

/**
 * Writes a unit's billing state under an optimistic lock on its version: the write succeeds only if
 * no other billing write landed since `version` was read (absent on a unit never written this
 * way), and moves the version on. A loser re-reads and recomputes.
 */
export function unitBillingItem(
  unit: { unitId: string; estateId: string },
  version: number | undefined,
  next: UnitBillingState,
): TxItem {
  const set = ['#version = :next', 'propertyPeriods = :periods'];
  const remove: string[] = [];
  const values: Record<string, unknown> = {
    ':next': (version ?? 0) + 1,
    ':periods': next.propertyPeriods,
  };
  if (next.paidThrough) {
    set.push('paidThrough = :paidThrough');
    values[':paidThrough'] = next.paidThrough;
  } else remove.push('paidThrough');
  if (next.renewalFrom) {
    set.push('GSI2PK = :gsiPk', 'GSI2SK = :gsiSk');
    values[':gsiPk'] = gsi2.renewalDue(unit.estateId);
    values[':gsiSk'] = renewalKey(next.renewalFrom, unit.unitId);
  } else remove.push('GSI2PK', 'GSI2SK');
  if (version !== undefined) values[':was'] = version;
  return {
    Update: {
      Key: key.unit(unit.unitId),
      UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
      ConditionExpression:
        version === undefined ? 'attribute_exists(PK) AND attribute_not_exists(#version)' : '#version = :was',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: values,
    },
  };
}

// ---- what a document prints -------------------------------------------------------------------

/**
 * The names a document prints, recorded when it is written (a reprint reproduces the document):
 * the estate's name, the unit's building and room, the display name of who wrote it. Documents
 * written before these were recorded lack them; the reprint looks them up (billing/reprints.ts).
 */
export interface PrintedNames {
  estateName?: string;
  building?: string;
  /** 单元, when the unit has one (SPEC.md §8): part of the printed address. */
  entrance?: string;
  room?: string;
}

// ---- receipts --------------------------------------------------------------------------------

export interface NewReceipt extends PrintedNames {
  receiptNo: string;
  estateId: string;
  invoiceNo?: string;
  sessionId?: string;
  unitId?: string;
  plate?: string;
  channel: string;
  amount: bigint;
  tendered?: bigint;
  change?: bigint;
  reference?: string;
  cashier: string;
  /** The cashier's display name (`name` claim) when the payment was taken. */
  cashierName?: string;
  /** Kiosk channels: the terminal the money came in at. */
  terminalId?: string;
  paidAt: string;
  businessDate: string;
  lines: DocumentLineInput[];
}

/**
 * A receipt, indexed for lookup and reprint: GSI1 lists the receipts of its unit (or of its plate
 * in the estate), GSI2 every receipt of the estate; both sort by business date, then time.
 */
export function receiptItem(r: NewReceipt): TxItem {
  return putNew({ ...key.receipt(r.receiptNo), type: 'RECEIPT', ...r, ...receiptIndexKeys(r) });
}

// ---- credit notes ----------------------------------------------------------------------------

export interface NewCreditNote extends PrintedNames {
  creditNoteNo: string;
  estateId: string;
  invoiceNo: string;
  receiptNo?: string;
  unitId?: string;
  plate?: string;
  reason: string;
  issuedAt: string;
  issuedBy: string;
  issuedByName?: string;
  lines: DocumentLineInput[];
  total: bigint;
}

export function creditNoteItem(c: NewCreditNote): TxItem {
  return putNew({ ...key.creditNote(c.creditNoteNo), type: 'CREDIT_NOTE', ...c });
}

// ---- renovation ------------------------------------------------------------------------------

/** The case's deposit is still merely held (registered, or held after an extension or a failed acceptance). */
export function depositHeldCheck(caseId: string): TxItem {
  return {
    ConditionCheck: {
      Key: key.renovation(caseId),
      ConditionExpression: '#state IN (:registered, :held)',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':registered': 'REGISTERED', ':held': 'HELD' },
    },
  };
}

// ---- ledger and audit ------------------------------------------------------------------------

export interface NewLedgerEntry {
  estateId: string;
  kind: string;
  businessDate: string;
  at: string;
  documentNo: string;
  invoiceNo?: string;
  receiptNo?: string;
  creditNoteNo?: string;
  unitId?: string;
  plate?: string;
  channel?: string;
  actor: string;
  feeCode: string;
  period?: StoredPeriod;
  /** On INVOICE_ISSUED rows: the invoice's due date. */
  dueDate?: string;
  amount: bigint;
}

/**
 * One ledger row. Sort key `{businessDate}#{epochMs}#{document}#{kind}#{n}` gives date-range
 * queries in time order; `n` numbers the rows of one event.
 */
export function ledgerEntryItem(e: NewLedgerEntry, atMs: number, n: number): TxItem {
  const { period, ...rest } = e;
  return putNew({
    PK: ledgerPk(e.estateId),
    SK: `${e.businessDate}#${ms13(atMs)}#${e.documentNo}#${e.kind}#${String(n).padStart(3, '0')}`,
    type: 'LEDGER',
    ...rest,
    periodStart: period?.start,
    periodEnd: period?.end,
  });
}

export interface NewAuditRecord {
  estateId: string;
  businessDate: string;
  actor: string;
  role: string;
  action: string;
  document: string;
  at: string;
  reason?: string;
  details?: Record<string, unknown>;
}

/** An audit record, written in the same transaction as the change it describes. */
export function auditRecordItem(a: NewAuditRecord, atMs: number): TxItem {
  const { businessDate, details, reason, ...rest } = a;
  return putNew({
    PK: auditPk(a.estateId, businessDate),
    SK: `${ms13(atMs)}#${randomBytes(6).toString('hex')}`,
    type: 'AUDIT',
    ...rest,
    ...(reason ? { reason } : {}),
    ...(details ? { details: JSON.stringify(details) } : {}),
  });
}

// ---- drawer counts (交班) ---------------------------------------------------------------------

export interface NewDrawerCount {
  estateId: string;
  date: string;
  cashier: string;
  counted: bigint;
  cashExpected: bigint;
  difference: bigint;
  note?: string;
  at: string;
}

export function drawerCountItem(c: NewDrawerCount): TxItem {
  return putNew({ ...key.drawerCount(c.estateId, c.date, c.cashier, c.at), type: 'DRAWER_COUNT', ...c });
}

/** The day's drawer counts: one cashier's (`cashier` given) or everyone's. */
export function drawerCountQuery(estateId: string, date: string, cashier?: string) {
  return {
    KeyConditionExpression: cashier ? 'PK = :pk AND begins_with(SK, :c)' : 'PK = :pk',
    ExpressionAttributeValues: {
      ':pk': drawerCountPk(estateId, date),
      ...(cashier ? { ':c': `${cashier}#` } : {}),
    },
  };
}
