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
  /** End of the contiguous run of paid property-fee periods from delivery (exclusive), if any. */
  paidThrough?: BizDate;
  createdAt: string;
}

export type SpaceKind = 'OWNED' | 'USE_RIGHT';

export interface Space {
  unitId: string;
  estateId: string;
  spaceNo: string;
  kind: SpaceKind;
  plates: string[];
}

export type InvoiceStatus = 'OPEN' | 'PAID' | 'VOID' | 'CREDITED';

export interface InvoiceLine {
  type: FeeCode;
  description: string;
  quantity: string;
  unit: string;
  unitPrice: string;
  months: number | null;
  amount: bigint;
  tariffVersion: string;
  period?: Period;
  trace: Record<string, unknown>;
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

export interface Receipt {
  receiptNo: string;
  estateId: string;
  invoiceNo?: string;
  sessionId?: string;
  unitId?: string;
  plate?: string;
  channel: Channel;
  amount: bigint;
  tendered?: bigint;
  change?: bigint;
  reference?: string;
  cashier: string;
  paidAt: string;
  businessDate: BizDate;
  lines: { type: FeeCode; description: string; amount: bigint; period?: Period }[];
}

export interface CreditNote {
  creditNoteNo: string;
  estateId: string;
  invoiceNo: string;
  receiptNo?: string;
  unitId?: string;
  reason: string;
  issuedAt: string;
  issuedBy: string;
  lines: { type: FeeCode; description: string; amount: bigint; period?: Period }[];
  total: bigint;
}

type Stored = Record<string, unknown>;

const num = (v: unknown): number => Number(v as bigint);
const opt = <T>(v: unknown, f: (x: unknown) => T): T | undefined =>
  v === undefined || v === null ? undefined : f(v);

function periodOf(item: Stored): Period | undefined {
  const p = item['period'] as { start?: string; end?: string } | undefined;
  return p?.start && p.end ? { start: p.start, end: p.end } : undefined;
}

export function estateFromItem(item: Stored): Estate {
  return {
    estateId: item['estateId'] as string,
    name: item['name'] as string,
    noticeLeadDays: num(item['noticeLeadDays']),
    exitGraceMinutes: num(item['exitGraceMinutes']),
    createdAt: item['createdAt'] as string,
  };
}

export function unitFromItem(item: Stored): Unit {
  const unit: Unit = {
    unitId: item['unitId'] as string,
    estateId: item['estateId'] as string,
    building: item['building'] as string,
    room: item['room'] as string,
    unitType: item['unitType'] as UnitType,
    area: item['area'] as string,
    deliveryDate: item['deliveryDate'] as string,
    ownerIds: (item['ownerIds'] as string[]) ?? [],
    createdAt: item['createdAt'] as string,
  };
  if (item['occupantName']) unit.occupantName = item['occupantName'] as string;
  if (item['paidThrough']) unit.paidThrough = item['paidThrough'] as string;
  return unit;
}

export function lineFromItem(item: Stored): InvoiceLine {
  const line: InvoiceLine = {
    type: item['type'] as FeeCode,
    description: item['description'] as string,
    quantity: item['quantity'] as string,
    unit: item['unit'] as string,
    unitPrice: item['unitPrice'] as string,
    months: opt(item['months'], num) ?? null,
    amount: item['amount'] as bigint,
    tariffVersion: item['tariffVersion'] as string,
    trace: JSON.parse(item['trace'] as string) as Record<string, unknown>,
  };
  const period = periodOf(item);
  if (period) line.period = period;
  return line;
}

export function invoiceFromItem(item: Stored): Invoice {
  const inv: Invoice = {
    invoiceId: item['invoiceNo'] as string,
    invoiceNo: item['invoiceNo'] as string,
    estateId: item['estateId'] as string,
    status: item['status'] as InvoiceStatus,
    issuedAt: item['issuedAt'] as string,
    issuedBy: item['issuedBy'] as string,
    dueDate: item['dueDate'] as string,
    lines: (item['lines'] as Stored[]).map(lineFromItem),
    total: item['total'] as bigint,
  };
  for (const k of [
    'unitId',
    'plate',
    'rentalKind',
    'receiptNo',
    'paidAt',
    'voidedAt',
    'voidReason',
    'creditNoteNo',
  ] as const) {
    if (item[k] !== undefined) (inv as unknown as Stored)[k] = item[k];
  }
  return inv;
}

function docLines(item: Stored): Receipt['lines'] {
  return (item['lines'] as Stored[]).map((l) => {
    const line: Receipt['lines'][number] = {
      type: l['type'] as FeeCode,
      description: l['description'] as string,
      amount: l['amount'] as bigint,
    };
    const period = periodOf(l);
    if (period) line.period = period;
    return line;
  });
}

export function receiptFromItem(item: Stored): Receipt {
  const r: Receipt = {
    receiptNo: item['receiptNo'] as string,
    estateId: item['estateId'] as string,
    channel: item['channel'] as Channel,
    amount: item['amount'] as bigint,
    cashier: item['cashier'] as string,
    paidAt: item['paidAt'] as string,
    businessDate: item['businessDate'] as string,
    lines: docLines(item),
  };
  for (const k of ['invoiceNo', 'sessionId', 'unitId', 'plate', 'tendered', 'change', 'reference'] as const) {
    if (item[k] !== undefined) (r as unknown as Stored)[k] = item[k];
  }
  return r;
}

export function creditNoteFromItem(item: Stored): CreditNote {
  const c: CreditNote = {
    creditNoteNo: item['creditNoteNo'] as string,
    estateId: item['estateId'] as string,
    invoiceNo: item['invoiceNo'] as string,
    reason: item['reason'] as string,
    issuedAt: item['issuedAt'] as string,
    issuedBy: item['issuedBy'] as string,
    lines: docLines(item),
    total: item['total'] as bigint,
  };
  if (item['receiptNo']) c.receiptNo = item['receiptNo'] as string;
  if (item['unitId']) c.unitId = item['unitId'] as string;
  return c;
}
