/**
 * The ledger as CSV that Excel and LibreOffice open correctly (SPEC.md §6): UTF-8 with a BOM (so
 * Excel does not read Chinese as GBK), CRLF line ends, RFC 4180 quoting by csv-stringify, money as
 * two-decimal strings, English or Chinese column headers; fee codes and channels in Chinese are the
 * registry's names (lib/fee-types). docs/ledger.md describes the columns.
 *
 * - `csvPart`: one part for the HTTP route, bounded in rows and in bytes so that a Lambda answer
 *   stays under its 6 MB cap; the next part is a cursor away. Every part is a complete file.
 * - `exportCsv`: a whole range of any size into a stream, page by page (constant memory).
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import type { LedgerKind } from '../billing/context.js';
import { channelName, feeName } from '../fee-types/catalog.js';
import { formatFen } from '../money.js';
import { lastDay } from '../period-text.js';
import type { Db } from '../store/db.js';
import { encodeCursor, entryPages, type LedgerEntry, type LedgerRange, readEntries } from './query.js';
import { UnitDirectory } from './units.js';

export const CSV_LANGS = ['en', 'zh'] as const;
export type CsvLang = (typeof CSV_LANGS)[number];

export const KIND_NAMES_ZH: Record<LedgerKind, string> = {
  INVOICE_ISSUED: '开具账单',
  INVOICE_VOIDED: '账单作废',
  PAYMENT_RECEIVED: '收款',
  CREDIT_NOTE: '红冲',
  DEPOSIT_RECEIVED: '收取押金',
  DEPOSIT_DEDUCTED: '押金扣除',
  DEPOSIT_REFUNDED: '退还押金',
  PAYMENT_UNAPPLIED: '待处理款项',
};

type Cell = string | bigint | undefined;

interface Column {
  en: string;
  zh: string;
  value: (e: LedgerEntry, units: UnitDirectory, zh: boolean) => Cell;
}

/** The columns, in order. English headers are the JSON field names; `amount` is the only number. */
export const CSV_COLUMNS: readonly Column[] = [
  { en: 'businessDate', zh: '日期', value: (e) => e.businessDate },
  { en: 'time', zh: '时间', value: (e) => e.at.slice(11, 19) },
  { en: 'kind', zh: '类型', value: (e, _u, zh) => (zh ? KIND_NAMES_ZH[e.kind] : e.kind) },
  { en: 'documentNo', zh: '单据号', value: (e) => e.documentNo },
  { en: 'invoiceNo', zh: '账单号', value: (e) => e.invoiceNo },
  { en: 'receiptNo', zh: '收据号', value: (e) => e.receiptNo },
  { en: 'creditNoteNo', zh: '红冲单号', value: (e) => e.creditNoteNo },
  { en: 'unitId', zh: '房屋编号', value: (e) => e.unitId },
  { en: 'building', zh: '楼栋', value: (e, u) => u.label(e.unitId)?.building },
  { en: 'entrance', zh: '单元', value: (e, u) => u.label(e.unitId)?.entrance },
  { en: 'room', zh: '房号', value: (e, u) => u.label(e.unitId)?.room },
  { en: 'plate', zh: '车牌', value: (e) => e.plate },
  {
    en: 'feeCode',
    zh: '收费项目',
    value: (e, _u, zh) => (zh ? feeName(e.feeCode) : e.feeCode),
  },
  { en: 'periodStart', zh: '期间起', value: (e) => e.periodStart },
  // People read the last covered day (SPEC.md §5); the store and the JSON keep the exclusive end.
  { en: 'periodLastDay', zh: '期间止', value: (e) => (e.periodEnd ? lastDay(e.periodEnd) : undefined) },
  // Fen as a bigint: csv-stringify formats it (below) and, being a number, never escapes its minus sign.
  { en: 'amount', zh: '金额', value: (e) => e.amount },
  {
    en: 'channel',
    zh: '渠道',
    value: (e, _u, zh) => (zh && e.channel ? channelName(e.channel) : e.channel),
  },
  { en: 'actor', zh: '经办人', value: (e) => e.actor },
];

export function csvHeader(lang: CsvLang): string[] {
  return CSV_COLUMNS.map((c) => c[lang]);
}

export function csvRow(e: LedgerEntry, units: UnitDirectory, lang: CsvLang): Cell[] {
  const zh = lang === 'zh';
  return CSV_COLUMNS.map((c) => c.value(e, units, zh));
}

/**
 * - CRLF after every record; a field holding CR or LF is quoted (csv-stringify quotes only its
 *   own record delimiter unless told).
 * - `escape_formulas`: a text cell a spreadsheet would run as a formula (=, +, -, @, tab, CR, or
 *   their full-width forms first) gets a leading apostrophe. Building, room and the actor's name
 *   are typed by people. Amounts are numbers and keep their sign.
 */
const CSV_OPTIONS = {
  record_delimiter: 'windows',
  quoted_match: /[\r\n]/,
  escape_formulas: true,
  cast: { bigint: (fen: bigint) => formatFen(fen) },
} as const;

/** Rows as CSV text; `start` adds the BOM and the header line. */
export function formatCsv(rows: Cell[][], lang: CsvLang, start: boolean): string {
  if (!start) return rows.length ? stringify(rows, CSV_OPTIONS) : '';
  return stringify(rows, { ...CSV_OPTIONS, bom: true, header: true, columns: csvHeader(lang) });
}

/** What a Lambda may answer is capped at 6 MB; a part stays under this with room for headers. */
export const MAX_PART_BYTES = 5 * 1024 * 1024;
export const DEFAULT_PART_ROWS = 10_000;
export const MAX_PART_ROWS = 10_000;

/**
 * Bytes a line adds to the Lambda response, which carries the body inside JSON: CRLF becomes
 * `\r\n` (4 bytes) and every quote or backslash gains an escape.
 */
function envelopeBytes(line: string): number {
  let escapes = 2;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 34 || c === 92) escapes++;
  }
  return Buffer.byteLength(line) + escapes;
}

export interface CsvPart {
  body: string;
  rows: number;
  nextCursor?: string;
}

/** One part of the range's CSV: at most `limit` rows and `maxBytes` bytes, BOM and header included. */
export async function csvPart(
  db: Db,
  range: LedgerRange,
  opts: { cursor?: string; limit?: number; lang: CsvLang; maxBytes?: number },
): Promise<CsvPart> {
  const maxBytes = opts.maxBytes ?? MAX_PART_BYTES;
  const page = await readEntries(db, range, {
    limit: opts.limit ?? DEFAULT_PART_ROWS,
    ...(opts.cursor ? { cursor: opts.cursor } : {}),
  });
  const units = new UnitDirectory(db);
  await units.load(page.entries.map((e) => e.unitId));
  const head = formatCsv([], opts.lang, true);
  let bytes = envelopeBytes(head);
  const lines: string[] = [head];
  let taken = 0;
  for (const e of page.entries) {
    const line = formatCsv([csvRow(e, units, opts.lang)], opts.lang, false);
    const size = envelopeBytes(line);
    // At least one row per part, or a pathological row could never be fetched.
    if (taken > 0 && bytes + size > maxBytes) break;
    bytes += size;
    lines.push(line);
    taken++;
  }
  const cut = taken < page.entries.length;
  const nextCursor = cut ? encodeCursor(range, page.entries[taken - 1]!.sk) : page.nextCursor;
  return { body: lines.join(''), rows: taken, ...(nextCursor ? { nextCursor } : {}) };
}

export interface ExportProgress {
  rows: number;
  /** Business date of the last row written. */
  lastDate?: string;
}

/**
 * Entries per read while exporting. DynamoDB's own pages (1 MB, ~2,500 entries) make a heap of
 * short-lived objects twice that size with the next page in flight; 500 keeps an export of any
 * length well inside 150 MB at no cost in rows per second (measured: test/bench/ledger.bench.ts).
 */
export const EXPORT_PAGE_ITEMS = 500;

export interface ExportResult {
  rows: number;
  /** Sum of the amount column, in fen. */
  amount: bigint;
}

/**
 * The whole range into `out`, page by page, honouring back-pressure. Memory stays flat however
 * many rows: one page in hand, the next one in flight, and the unit labels.
 */
export async function exportCsv(
  db: Db,
  range: LedgerRange,
  out: Writable,
  opts: { lang: CsvLang; onProgress?: (p: ExportProgress) => void; pageItems?: number },
): Promise<ExportResult> {
  const units = new UnitDirectory(db);
  const write = async (text: string) => {
    if (text !== '' && !out.write(text)) await once(out, 'drain');
  };
  await write(formatCsv([], opts.lang, true));
  let rows = 0;
  let amount = 0n;
  for await (const entries of entryPages(db, range, { pageItems: opts.pageItems ?? EXPORT_PAGE_ITEMS })) {
    await units.load(entries.map((e) => e.unitId));
    const page: Cell[][] = [];
    for (const e of entries) {
      page.push(csvRow(e, units, opts.lang));
      amount += e.amount;
    }
    await write(formatCsv(page, opts.lang, false));
    rows += entries.length;
    opts.onProgress?.({ rows, lastDate: entries[entries.length - 1]!.businessDate });
  }
  return { rows, amount };
}
