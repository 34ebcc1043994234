/**
 * Domain records as the services return them, and their mapping from stored items. Stored numbers
 * come back as bigint (see store/db.ts); counts and months are converted here, fen stay bigint.
 */
import {
  CHANNELS,
  type Channel,
  COUNTER_CHANNELS,
  type FeeCode,
  KIOSK_CHANNELS,
} from '../fee-types/catalog.js';
import type { FeeLine } from '../fees/line.js';
import type { Fen } from '../money.js';
import type { NewCreditNote, NewReceipt } from '../store/items.js';
import {
  compact,
  creditNoteRecordSchema,
  estateRecordSchema,
  invoiceRecordSchema,
  parseRecord,
  receiptRecordSchema,
  unitRecordSchema,
} from '../store/records.js';
import type { RentalKind, UnitType } from '../tariffs/catalog.js';
import type { BizDate, Period } from '../time.js';

export interface Estate {
  estateId: string;
  name: string;
  noticeLeadDays: number;
  exitGraceMinutes: number;
  createdAt: string;
}

export interface Unit {
  unitId: string;
  estateId: string;
  building: string;
  room: string;
  unitType: UnitType;
  area: string;
  deliveryDate: BizDate;
  ownerIds: string[];
  occupantName?: string;
  /** End of the contiguous run of paid property-fee periods from the billing anchor (exclusive), if any. */
  paidThrough?: BizDate;
  createdAt: string;
  /** Internal (never presented): the billing-state lock and live property-fee periods (unit-billing.ts). */
  version?: number;
  propertyPeriods?: Record<string, 'OPEN' | 'PAID'>;
  /** 单元 of a high-rise address: part of the key and of the printed address. */
  entrance?: string;
  ownerName?: string;
  phone?: string;
  /** Periods run yearly from here; absent: from the delivery date (SPEC.md §4.1, §8). */
  billingAnchor?: BizDate;
  /** 期初欠费 as imported, in fen. */
  openingArrears?: Fen;
}

export type SpaceKind = 'OWNED' | 'USE_RIGHT';

export interface Space {
  unitId: string;
  estateId: string;
  spaceNo: string;
  kind: SpaceKind;
  plates: string[];
  /** First day the space may be billed (SPEC.md §4.1; imported: the day after 车位已缴至); absent on older spaces (see fees/periods.ts spaceBillFrom). */
  billFrom?: BizDate;
}

export type InvoiceStatus = 'OPEN' | 'PAID' | 'VOID' | 'CREDITED';

/**
 * An invoice line is the calculator's priced line as it was issued (fees/line.ts is its one
 * declaration); read back from the store its trace is a plain record.
 */
export type InvoiceLine = Omit<FeeLine, 'trace'> & { trace: Record<string, unknown> };

/** A line of a receipt, credit note or refund: what was paid or reversed, per fee and period. */
export interface DocumentLine {
  type: FeeCode;
  description: string;
  amount: Fen;
  period?: Period;
}

export interface Invoice {
  invoiceId: string;
  invoiceNo: string;
  estateId: string;
  unitId?: string;
  plate?: string;
  rentalKind?: RentalKind;
  status: InvoiceStatus;
  issuedAt: string;
  issuedBy: string;
  /** The issuer's display name at issue (`name` claim), when the token carried one. */
  issuedByName?: string;
  dueDate: BizDate;
  lines: InvoiceLine[];
  total: bigint;
  receiptNo?: string;
  paidAt?: string;
  voidedAt?: string;
  voidReason?: string;
  creditNoteNo?: string;
}

/** Channels are declared in the registry with their names; re-exported for the billing modules. */
export { CHANNELS, type Channel, COUNTER_CHANNELS, KIOSK_CHANNELS };

/** A receipt as read back: the stored shape (store/items.ts), its codes and lines typed. */
export interface Receipt extends Omit<NewReceipt, 'channel' | 'businessDate' | 'lines'> {
  channel: Channel;
  businessDate: BizDate;
  lines: DocumentLine[];
}

/** A credit note as read back: the stored shape (store/items.ts), its lines typed. */
export interface CreditNote extends Omit<NewCreditNote, 'lines'> {
  lines: DocumentLine[];
}

function channelOf(value: string): Channel {
  const channel = CHANNELS.find((c) => c === value);
  if (!channel) throw new Error(`stored receipt has unknown channel ${value}`);
  return channel;
}

export function estateFromItem(item: unknown): Estate {
  return parseRecord(estateRecordSchema, item, 'estate');
}

export function unitFromItem(item: unknown): Unit {
  const { ownerIds, ...rest } = parseRecord(unitRecordSchema, item, 'unit');
  return compact({ ...rest, ownerIds: ownerIds ?? [] });
}

export function invoiceFromItem(item: unknown): Invoice {
  const { billedTo: _, lines, ...rest } = parseRecord(invoiceRecordSchema, item, 'invoice');
  return compact({
    ...rest,
    invoiceId: rest.invoiceNo,
    lines: lines.map((l) => compact({ ...l, months: l.months ?? null })),
  });
}

export function receiptFromItem(item: unknown): Receipt {
  const { channel, lines, ...rest } = parseRecord(receiptRecordSchema, item, 'receipt');
  return compact({ ...rest, channel: channelOf(channel), lines: lines.map((l) => compact(l)) });
}

export function creditNoteFromItem(item: unknown): CreditNote {
  const { lines, ...rest } = parseRecord(creditNoteRecordSchema, item, 'credit note');
  return compact({ ...rest, lines: lines.map((l) => compact(l)) });
}
