/**
 * The stored records and their zod schemas: every item read back from the table is parsed here, so
 * a missing or mistyped attribute fails loudly at the store's edge instead of travelling on as an
 * unchecked cast. Numbers come back from the store as bigint: fen stay bigint, counts and instants
 * (milliseconds) become numbers here.
 *
 * Codes that registries own (fee types, channels) are checked as strings only: a document issued
 * under a fee type must stay readable whatever the registry holds today.
 */
import * as z from 'zod/mini';
import type { RentalKind, TariffRates, UnitType } from '../tariffs/catalog.js';
import { RENTAL_KINDS, UNIT_TYPES } from '../tariffs/catalog.js';
import { count, feeCode, fen, opt, optText, period, printed, str } from './record-parts.js';

/** Parses a stored item; a record that does not match is a corrupted store, not a client error. */
export function parseRecord<S extends z.ZodMiniType>(schema: S, item: unknown, what: string): z.output<S> {
  const out = schema.safeParse(item);
  if (!out.success) {
    const where = out.error.issues.map((i) => i.path.join('.') || '(item)').join(', ');
    throw new Error(`stored ${what} does not match its schema at ${where}`);
  }
  return out.data;
}

/** A parsed record's optional attributes: absent, never present as undefined. */
export type Compact<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};

/** Drops the attributes a parsed record does not have (domain types have no `x: undefined`). */
export function compact<T extends object>(record: T): Compact<T> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as Compact<T>;
}

// Every record schema is a z.lazy: built on its first parse, not at import. Building all of them
// at import cost every function's cold start (issue #16), though a request reads a few kinds.
export const idempotencyRecordSchema = z.lazy(() =>
  z.object({
    state: z.enum(['IN_PROGRESS', 'COMPLETED', 'RELEASED']),
    fingerprint: str,
    lockId: str,
    response: opt(str),
  }),
);

export const counterRecordSchema = z.lazy(() => z.object({ last: opt(count) }));

export const estateRecordSchema = z.lazy(() =>
  z.object({
    estateId: str,
    name: str,
    noticeLeadDays: count,
    exitGraceMinutes: count,
    createdAt: str,
  }),
);

export const unitRecordSchema = z.object({
  unitId: str,
  estateId: str,
  building: str,
  room: str,
  unitType: z.enum(UNIT_TYPES) as z.ZodMiniType<UnitType>,
  area: str,
  deliveryDate: str,
  ownerIds: opt(z.array(str)),
  occupantName: opt(str),
  paidThrough: opt(str),
  createdAt: str,
  /** Moves on with every write of the unit's billing state (optimistic lock); absent on older units. */
  version: opt(count),
  /** The unit's live property-fee periods (start → OPEN or PAID), mirroring its claims; absent on older units. */
  propertyPeriods: opt(z.record(str, z.enum(['OPEN', 'PAID']))),
  /** 单元 of a high-rise address (SPEC.md §8): part of the key and of every printed address. */
  entrance: opt(str),
  ownerName: opt(str),
  phone: opt(str),
  /** Periods run yearly from here (absent: the delivery date); an import sets it to the day after 已缴至. */
  billingAnchor: opt(str),
  /** 期初欠费 as imported, in fen (its invoice is the record of the debt; this is the roster's fact). */
  openingArrears: opt(fen),
});

export const spaceRecordSchema = z.lazy(() =>
  z.object({
    unitId: str,
    estateId: str,
    spaceNo: str,
    kind: z.enum(['OWNED', 'USE_RIGHT']),
    plates: opt(z.array(str)),
    /** First day the space may be billed (an imported space: the day after 车位已缴至); absent on spaces registered before it existed (billed from the anchor). */
    billFrom: opt(str),
  }),
);

export const tempParkingBandSchema = z.lazy(() => z.object({ upToMinutes: count, amount: str }));

export const tariffRecordSchema = z.lazy(() =>
  z.object({
    estateId: str,
    versionId: str,
    effectiveFrom: str,
    noticeDate: str,
    approvalRef: str,
    // The rates are validated when a version is added (tariffs/validate.ts); stored, they are a map.
    rates: z.custom<TariffRates>((v) => typeof v === 'object' && v !== null),
    tempParkingBands: z.array(tempParkingBandSchema),
  }),
);

/** A ledger row (its kind is checked against the domain's kinds where it is read). */
export const ledgerEntryRecordSchema = z.lazy(() =>
  z.object({
    SK: str,
    kind: str,
    businessDate: str,
    at: str,
    documentNo: str,
    invoiceNo: optText,
    receiptNo: optText,
    creditNoteNo: optText,
    unitId: optText,
    plate: optText,
    channel: optText,
    actor: str,
    feeCode: str,
    periodStart: optText,
    periodEnd: optText,
    /** On INVOICE_ISSUED rows written since the arrears report (older rows derive it). */
    dueDate: optText,
    amount: fen,
  }),
);

/** The part of a ledger row the deposit balance reads (a projected query). */
export const ledgerAmountRecordSchema = z.lazy(() => z.object({ kind: str, feeCode: str, amount: fen }));

/** The label of a unit in reports. */
export const unitLabelRecordSchema = z.lazy(() => z.object({ building: str, entrance: optText, room: str }));

export const calendarRecordSchema = z.lazy(() =>
  z.object({
    year: count,
    holidays: z.array(str),
    workdays: z.array(str),
  }),
);

/** A unit-number guard (the unit search reads the unit it points at). */
export const unitNoGuardRecordSchema = z.lazy(() =>
  z.object({
    unitId: str,
    // The address and what the unit search matches on; guards written before these were kept lack them.
    building: opt(str),
    entrance: opt(str),
    room: opt(str),
    ownerName: opt(str),
    phoneTail: opt(str),
  }),
);

/** A roster import (lib/onboarding): state, counts and one action letter per spreadsheet row. */
export const rosterImportRecordSchema = z.lazy(() =>
  z.object({
    importId: str,
    estateId: str,
    state: z.enum(['RUNNING', 'DONE', 'FAILED']),
    fileDigest: str,
    createdAt: str,
    createdBy: str,
    /** First unit number reserved for the rows this import creates. */
    unitBase: count,
    chunks: count,
    rows: count,
    created: count,
    updated: count,
    unchanged: count,
    /** Row r (r ≥ 2) is `actions[r - 2]`: c create, u update, n unchanged, - blank. */
    actions: str,
    error: opt(str),
    finishedAt: opt(str),
  }),
);

/** A billing claim: one live invoice line per (party, fee, period). */
export const claimRecordSchema = z.lazy(() =>
  z.object({
    feeCode: str,
    period,
    invoiceNo: str,
    state: z.enum(['OPEN', 'PAID', 'RELEASED']),
  }),
);

/** An invoice line as stored: its calculation trace is kept as JSON text. */
export const invoiceLineRecordSchema = z.lazy(() =>
  z.object({
    type: feeCode,
    description: str,
    quantity: str,
    unit: str,
    unitPrice: str,
    months: opt(count),
    amount: fen,
    tariffVersion: str,
    period: opt(period),
    trace: z.pipe(
      str,
      z.transform((t) => JSON.parse(t) as Record<string, unknown>),
    ),
  }),
);

export const invoiceRecordSchema = z.lazy(() =>
  z.object({
    invoiceNo: str,
    estateId: str,
    unitId: opt(str),
    plate: opt(str),
    rentalKind: opt(z.enum(RENTAL_KINDS) as z.ZodMiniType<RentalKind>),
    billedTo: opt(str),
    status: z.enum(['OPEN', 'PAID', 'VOID', 'CREDITED']),
    issuedAt: str,
    issuedBy: str,
    issuedByName: opt(str),
    dueDate: str,
    lines: z.array(invoiceLineRecordSchema),
    total: fen,
    receiptNo: opt(str),
    paidAt: opt(str),
    voidedAt: opt(str),
    voidReason: opt(str),
    creditNoteNo: opt(str),
  }),
);

/** The lines of a receipt or a credit note: what was paid or reversed, per fee and period. */
export const documentLineRecordSchema = z.lazy(() =>
  z.object({
    type: feeCode,
    description: str,
    amount: fen,
    period: opt(period),
  }),
);

export const receiptRecordSchema = z.lazy(() =>
  z.object({
    receiptNo: str,
    estateId: str,
    invoiceNo: opt(str),
    sessionId: opt(str),
    unitId: opt(str),
    plate: opt(str),
    channel: str,
    amount: fen,
    tendered: opt(fen),
    change: opt(fen),
    reference: opt(str),
    cashier: str,
    cashierName: opt(str),
    terminalId: opt(str),
    paidAt: str,
    businessDate: str,
    lines: z.array(documentLineRecordSchema),
    ...printed,
  }),
);

export const creditNoteRecordSchema = z.lazy(() =>
  z.object({
    creditNoteNo: str,
    estateId: str,
    invoiceNo: str,
    receiptNo: opt(str),
    unitId: opt(str),
    plate: opt(str),
    reason: str,
    issuedAt: str,
    issuedBy: str,
    issuedByName: opt(str),
    lines: z.array(documentLineRecordSchema),
    total: fen,
    ...printed,
  }),
);

export type IdempotencyRecord = z.output<typeof idempotencyRecordSchema>;
export type ClaimRecord = z.output<typeof claimRecordSchema>;
export type InvoiceRecord = z.output<typeof invoiceRecordSchema>;

/** A drawer count (交班), lib/reports/drawer-counts.ts. */
export const drawerCountRecordSchema = z.lazy(() =>
  z.object({
    estateId: str,
    date: str,
    cashier: str,
    counted: fen,
    cashExpected: fen,
    difference: fen,
    note: opt(str),
    at: str,
  }),
);
