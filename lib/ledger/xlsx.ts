/**
 * The ledger as XLSX (SPEC.md §10): the CSV's columns (./csv.ts) as typed cells (money `0.00`,
 * dates as date cells, the period's last covered day), Chinese headers, frozen header row.
 *
 * - `exportXlsx`: a whole range into a stream with exceljs's streaming writer, page by page, so
 *   100,000 rows never sit in memory (the CLI, `npm run ledger -- --format xlsx`).
 * - `xlsxPart`: one bounded part for the HTTP route (a Lambda answer is capped at 6 MB, and a
 *   binary answer travels base64), the next part a cursor away, like ledger.csv.
 */
import type { Writable } from 'node:stream';
import { ValidationError } from '../errors.js';
import type { Column } from '../exports/table.js';
import { writeXlsx, xlsxTable } from '../exports/xlsx.js';
import { channelName, feeName } from '../fee-types/catalog.js';
import { addDays } from '../time.js';
import { EXPORT_PAGE_ITEMS, type ExportProgress, type ExportResult, KIND_NAMES_ZH } from './csv.js';
import { entryPages, type LedgerEntry, type LedgerRange, readEntries } from './query.js';
import { UnitDirectory } from './units.js';

interface Row {
  e: LedgerEntry;
  units: UnitDirectory;
}

export const LEDGER_XLSX_COLUMNS: readonly Column<Row>[] = [
  { key: 'businessDate', zh: '日期', kind: 'date', value: ({ e }) => e.businessDate },
  { key: 'time', zh: '时间', kind: 'text', value: ({ e }) => e.at.slice(11, 19), width: 10 },
  { key: 'kind', zh: '类型', kind: 'text', value: ({ e }) => KIND_NAMES_ZH[e.kind], width: 10 },
  { key: 'documentNo', zh: '单据号', kind: 'text', value: ({ e }) => e.documentNo, width: 22 },
  { key: 'invoiceNo', zh: '账单号', kind: 'text', value: ({ e }) => e.invoiceNo, width: 18 },
  { key: 'receiptNo', zh: '收据号', kind: 'text', value: ({ e }) => e.receiptNo, width: 18 },
  { key: 'creditNoteNo', zh: '红冲单号', kind: 'text', value: ({ e }) => e.creditNoteNo, width: 18 },
  { key: 'building', zh: '楼栋', kind: 'text', value: ({ e, units }) => units.label(e.unitId)?.building },
  { key: 'entrance', zh: '单元', kind: 'text', value: ({ e, units }) => units.label(e.unitId)?.entrance },
  { key: 'room', zh: '房号', kind: 'text', value: ({ e, units }) => units.label(e.unitId)?.room },
  { key: 'plate', zh: '车牌', kind: 'text', value: ({ e }) => e.plate },
  { key: 'feeCode', zh: '收费项目', kind: 'text', value: ({ e }) => feeName(e.feeCode), width: 22 },
  { key: 'periodStart', zh: '期间起', kind: 'date', value: ({ e }) => e.periodStart },
  // People read the last covered day (SPEC.md §5); the ledger keeps the half-open end.
  {
    key: 'periodLastDay',
    zh: '期间止',
    kind: 'date',
    value: ({ e }) => (e.periodEnd ? addDays(e.periodEnd, -1) : undefined),
  },
  { key: 'amount', zh: '金额', kind: 'money', value: ({ e }) => e.amount, total: true },
  {
    key: 'channel',
    zh: '渠道',
    kind: 'text',
    value: ({ e }) => (e.channel ? channelName(e.channel) : undefined),
  },
  { key: 'actor', zh: '经办人', kind: 'text', value: ({ e }) => e.actor },
];

/** The whole range into `out`, page by page (constant memory however many rows). */
export async function exportXlsx(
  db: Parameters<typeof entryPages>[0],
  range: LedgerRange,
  out: Writable,
  opts: { onProgress?: (p: ExportProgress) => void; pageItems?: number } = {},
): Promise<ExportResult> {
  const units = new UnitDirectory(db);
  let rows = 0;
  let amount = 0n;
  async function* each(): AsyncIterable<Row> {
    for await (const entries of entryPages(db, range, { pageItems: opts.pageItems ?? EXPORT_PAGE_ITEMS })) {
      await units.load(entries.map((e) => e.unitId));
      for (const e of entries) {
        amount += e.amount;
        yield { e, units };
      }
      rows += entries.length;
      opts.onProgress?.({ rows, lastDate: entries[entries.length - 1]!.businessDate });
    }
  }
  await writeXlsx(out, LEDGER_XLSX_COLUMNS, each(), { sheet: `台账 ${range.from} 至 ${range.to}` });
  return { rows, amount };
}

export const DEFAULT_XLSX_PART_ROWS = 10_000;
export const MAX_XLSX_PART_ROWS = 20_000;
/** A binary answer is sent base64 (4/3 larger) inside a 6 MB Lambda answer. */
export const MAX_XLSX_PART_BYTES = 4 * 1024 * 1024;

export async function xlsxPart(
  db: Parameters<typeof readEntries>[0],
  range: LedgerRange,
  opts: { cursor?: string; limit?: number },
): Promise<{ body: Buffer; rows: number; nextCursor?: string }> {
  const page = await readEntries(db, range, {
    limit: opts.limit ?? DEFAULT_XLSX_PART_ROWS,
    ...(opts.cursor ? { cursor: opts.cursor } : {}),
  });
  const units = new UnitDirectory(db);
  await units.load(page.entries.map((e) => e.unitId));
  const body = await xlsxTable(
    LEDGER_XLSX_COLUMNS,
    page.entries.map((e) => ({ e, units })),
    { sheet: `台账 ${range.from} 至 ${range.to}` },
  );
  if (body.length > MAX_XLSX_PART_BYTES)
    throw ValidationError.of(
      'limit',
      'PART_TOO_LARGE',
      `${page.entries.length} rows make a ${body.length}-byte file, over what one answer carries; ask for fewer rows per part`,
    );
  return { body, rows: page.entries.length, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
}
