/**
 * Reading the ledger (SPEC.md §6): the entries of one estate for a range of Asia/Shanghai business
 * dates, in time order. The sort key `{businessDate}#{epochMs}#{doc}#{kind}#{n}` (see
 * billing/context.ts `ledgerItems`) makes a range one Query on the estate's ledger partition.
 *
 * Two ways to read: `readEntries` answers one API page (exact `limit`, opaque cursor, no empty last
 * page), `entryPages` streams a whole range page by page (exports: constant memory, no row cap).
 */
import { LEDGER_KINDS, type LedgerKind } from '../billing/context.js';
import { ValidationError } from '../errors.js';
import { cursor as cursorCodec, type Db, type Item } from '../store/db.js';
import { ledgerPk } from '../store/keys.js';
import { compact, ledgerEntryRecordSchema, parseRecord } from '../store/records.js';
import { type BizDate, parseBizDate } from '../time.js';

export interface LedgerRange {
  estateId: string;
  /** First business date, inclusive. */
  from: BizDate;
  /** Last business date, inclusive. */
  to: BizDate;
}

export interface LedgerEntry {
  /** The sort key: where a cursor resumes. */
  sk: string;
  kind: LedgerKind;
  businessDate: BizDate;
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
  periodStart?: BizDate;
  periodEnd?: BizDate;
  /** The invoice's due date, on INVOICE_ISSUED rows that carry it. */
  dueDate?: BizDate;
  /** Fen, signed as stored (voids and credit notes negative). */
  amount: bigint;
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

/** Validates a range from a request: real dates, `from` not after `to`. */
export function parseRange(input: { estateId: string; from: unknown; to: unknown }): LedgerRange {
  const from = parseBizDate(input.from, 'from');
  const to = parseBizDate(input.to, 'to');
  if (from > to) throw ValidationError.of('to', 'RANGE_REVERSED', `to (${to}) is before from (${from})`);
  return { estateId: input.estateId, from, to };
}

/** Bounds of a range on the sort key: every SK of a date starts `{date}#`, and `~` sorts after all of them. */
export function skBounds(range: Pick<LedgerRange, 'from' | 'to'>): { lo: string; hi: string } {
  return { lo: `${range.from}#`, hi: `${range.to}#~` };
}

function rangeQuery(range: LedgerRange) {
  const { lo, hi } = skBounds(range);
  return {
    KeyConditionExpression: 'PK = :pk AND SK BETWEEN :lo AND :hi',
    ExpressionAttributeValues: { ':pk': ledgerPk(range.estateId), ':lo': lo, ':hi': hi },
  };
}

/** The domain's kind of a stored ledger row; an unknown kind is a corrupted store. */
export function ledgerKindOf(value: string): LedgerKind {
  const kind = LEDGER_KINDS.find((k) => k === value);
  if (!kind) throw new Error(`stored ledger row has unknown kind ${value}`);
  return kind;
}

export function entryFromItem(item: Item): LedgerEntry {
  const { SK, kind, ...rest } = parseRecord(ledgerEntryRecordSchema, item, 'ledger entry');
  return compact({ sk: SK, kind: ledgerKindOf(kind), ...rest });
}

/** The key a cursor carries: exactly the table key of the last entry handed out. */
export function entryKey(range: Pick<LedgerRange, 'estateId'>, sk: string): { PK: string; SK: string } {
  return { PK: ledgerPk(range.estateId), SK: sk };
}

/**
 * A cursor is accepted only if it names a key of this estate's ledger inside this range: DynamoDB
 * answers a start key outside the key condition with an error, and a client must never cause one.
 */
export function decodeCursor(
  range: LedgerRange,
  value: string | undefined,
): { PK: string; SK: string } | undefined {
  const parsed = cursorCodec.decode(value, { PK: ledgerPk(range.estateId) });
  if (parsed === undefined) return undefined;
  const keys = Object.keys(parsed).sort();
  const sk = parsed['SK'];
  const { lo, hi } = skBounds(range);
  if (
    keys.length !== 2 ||
    keys[0] !== 'PK' ||
    keys[1] !== 'SK' ||
    typeof sk !== 'string' ||
    sk < lo ||
    sk > hi
  ) {
    throw ValidationError.of('cursor', 'INVALID_CURSOR', 'cursor is not one this list returned');
  }
  return { PK: parsed['PK'] as string, SK: sk };
}

export function encodeCursor(range: Pick<LedgerRange, 'estateId'>, sk: string): string {
  return cursorCodec.encode(entryKey(range, sk))!;
}

/**
 * One page of exactly `limit` entries (fewer only at the end). One entry more than asked is read,
 * so `nextCursor` is absent exactly when nothing follows.
 */
export async function readEntries(
  db: Db,
  range: LedgerRange,
  opts: { limit?: number; cursor?: string } = {},
): Promise<{ entries: LedgerEntry[]; nextCursor?: string }> {
  const limit = opts.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
    throw new RangeError(`limit ${limit} out of range`);
  let start: Record<string, unknown> | undefined = decodeCursor(range, opts.cursor);
  const items: Item[] = [];
  do {
    const page = await db.query({
      ...rangeQuery(range),
      Limit: limit + 1 - items.length,
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    items.push(...page.items);
    start = page.lastKey;
  } while (start && items.length <= limit);
  const entries = items.slice(0, limit).map(entryFromItem);
  return items.length > limit
    ? { entries, nextCursor: encodeCursor(range, entries[entries.length - 1]!.sk) }
    : { entries };
}

/**
 * Every entry of the range after `startAfter`, page by page. One page at a time, deliberately: a
 * page requested ahead while the current one is formatted saved no time against DynamoDB Local
 * and cost up to 20 MB more peak memory (docs/ledger.md, "Exports").
 */
export async function* entryPages(
  db: Db,
  range: LedgerRange,
  opts: { startAfter?: string; pageItems?: number } = {},
): AsyncGenerator<LedgerEntry[]> {
  // The raw page becomes garbage before the entries are handed over, not after the caller is done.
  const read = async (start: Record<string, unknown> | undefined) => {
    const page = await db.query({
      ...rangeQuery(range),
      ...(opts.pageItems ? { Limit: opts.pageItems } : {}),
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    return { entries: page.items.map(entryFromItem), lastKey: page.lastKey };
  };
  let start: Record<string, unknown> | undefined =
    opts.startAfter === undefined ? undefined : entryKey(range, opts.startAfter);
  do {
    const { entries, lastKey } = await read(start);
    start = lastKey;
    if (entries.length > 0) yield entries;
  } while (start);
}
