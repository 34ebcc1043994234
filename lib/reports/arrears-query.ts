/**
 * The query that feeds the arrears report: every ledger row of the estate up to the end of `asOf`,
 * page by page, only the attributes the report reads (ProjectionExpression), rows without an
 * invoice (cash sales) dropped by the store. Memory holds one small record per open invoice, not
 * the ledger. Then the units' labels, read only for the rows a page or a file writes.
 */
import * as z from 'zod/mini';
import { ValidationError } from '../errors.js';
import type { Db } from '../store/db.js';
import { key, ledgerPk } from '../store/keys.js';
import { parseRecord } from '../store/records.js';
import { addYears, type BizDate, parseBizDate } from '../time.js';
import { ArrearsBook, type UnitArrears } from './arrears.js';

/** Rows per read: DynamoDB Local answers a range query without Limit many times slower. */
const PAGE_ITEMS = 1000;

const optText = z.pipe(
  z.optional(z.nullable(z.string())),
  z.transform((v) => (v ? v : undefined)),
);
const arrearsRowSchema = z.object({
  kind: z.string(),
  businessDate: z.string(),
  invoiceNo: optText,
  unitId: optText,
  feeCode: z.string(),
  periodStart: optText,
  periodEnd: optText,
  dueDate: optText,
  amount: z.bigint(),
});

const ATTRS = [
  'kind',
  'businessDate',
  'invoiceNo',
  'unitId',
  'feeCode',
  'periodStart',
  'periodEnd',
  'dueDate',
  'amount',
];

/** The ledger's rows up to the end of `asOf` into a book, one page in memory at a time. */
export async function readArrearsBook(db: Db, estateId: string, asOf: BizDate): Promise<ArrearsBook> {
  const book = new ArrearsBook();
  const names = Object.fromEntries(ATTRS.map((a, i) => [`#a${i}`, a]));
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.query({
      KeyConditionExpression: 'PK = :pk AND SK <= :hi',
      FilterExpression: 'attribute_exists(#a2)',
      ProjectionExpression: Object.keys(names).join(', '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: { ':pk': ledgerPk(estateId), ':hi': `${asOf}#~` },
      Limit: PAGE_ITEMS,
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    for (const item of page.items) book.add(parseRecord(arrearsRowSchema, item, 'ledger entry'));
    start = page.lastKey;
  } while (start);
  return book;
}

/** `asOf` from a request: a real date, at most a year after today (a future day previews ageing). */
export function parseAsOf(value: unknown, today: BizDate): BizDate {
  if (value === undefined || value === '') return today;
  const asOf = parseBizDate(value, 'asOf');
  const limit = addYears(today, 1);
  if (asOf > limit)
    throw ValidationError.of(
      'asOf',
      'AS_OF_TOO_FAR',
      `asOf ${asOf} is more than a year after today (${limit} at most)`,
    );
  return asOf;
}

// ---- unit labels --------------------------------------------------------------------------------

export interface ArrearsUnitLabel {
  building: string;
  /** 单元, part of every printed address when the unit has one (SPEC.md §8). */
  entrance?: string;
  room: string;
  /** The owner's name where the roster gave one, else the occupant's. */
  owner?: string;
  /** All but the last four digits masked (SPEC.md §8: reports mask phone numbers). */
  phone?: string;
}

const unitLabelSchema = z.object({
  building: z.string(),
  entrance: optText,
  room: z.string(),
  ownerName: optText,
  occupantName: optText,
  phone: optText,
});

/** 13812345678 → *******5678; a short number keeps at most its last four characters visible. */
export function maskPhone(phone: string): string {
  const visible = phone.slice(-4);
  return '*'.repeat(Math.max(0, phone.length - 4)) + visible;
}

const PARALLEL_READS = 16;

/** Labels of the given units, GetItem a few at a time (the functions' grants are GetItem and Query). */
export async function unitLabels(db: Db, unitIds: readonly string[]): Promise<Map<string, ArrearsUnitLabel>> {
  const out = new Map<string, ArrearsUnitLabel>();
  let next = 0;
  const reader = async () => {
    while (next < unitIds.length) {
      const unitId = unitIds[next++]!;
      const item = await db.get(key.unit(unitId), false);
      if (!item) continue;
      const u = parseRecord(unitLabelSchema, item, 'unit');
      const owner = u.ownerName ?? u.occupantName;
      out.set(unitId, {
        building: u.building,
        ...(u.entrance ? { entrance: u.entrance } : {}),
        room: u.room,
        ...(owner ? { owner } : {}),
        ...(u.phone ? { phone: maskPhone(u.phone) } : {}),
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_READS, unitIds.length) }, reader));
  return out;
}

export type LabelledArrears = UnitArrears & { label?: ArrearsUnitLabel };

/** The rows with their labels, a chunk of units at a time: a file of any length never holds every label. */
export async function* labelled(
  db: Db,
  rows: readonly UnitArrears[],
  chunk = 500,
): AsyncGenerator<LabelledArrears> {
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    const labels = await unitLabels(
      db,
      part.map((r) => r.unitId),
    );
    for (const r of part) {
      const label = labels.get(r.unitId);
      yield label ? { ...r, label } : r;
    }
  }
}
