/**
 * Reading a roster file as Excel or WPS saved it: XLSX (exceljs), or CSV in UTF-8 (with or without
 * BOM) or GB18030 (Excel's default on Chinese Windows). The result is the header row and every data
 * row as cells keyed by roster field, each with the spreadsheet's own row number (header = row 1).
 * exceljs and csv-parse are loaded on first use, never at a Lambda's cold start.
 */
import { PayloadTooLargeError, ValidationError } from '../errors.js';
import { fieldOfHeader, type RosterField } from './columns.js';

/** A cell as the file holds it: text as written, or a real date cell (already a YYYY-MM-DD day). */
export type Cell = { text: string } | { date: string };

export interface HeaderCell {
  /** The header as written in the file. */
  text: string;
  field?: RosterField;
}

export interface SheetRow {
  row: number;
  cells: Partial<Record<RosterField, Cell>>;
}

export interface ParsedSheet {
  format: 'xlsx' | 'csv';
  headers: HeaderCell[];
  /** Non-blank data rows only; blank rows keep their numbers out of the count. */
  rows: SheetRow[];
}

export const MAX_ROWS = 20_000;
export const MAX_FILE_BYTES = 6 * 1024 * 1024;
export const SPLIT_ADVICE =
  'split the roster into files of at most 20,000 rows and 6 MB (for example one file per building) and import them one after another';

/** The text of a CSV file: a BOM or valid UTF-8 is UTF-8, anything else is read as GB18030. */
export function decodeCsv(bytes: Uint8Array): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return new TextDecoder('utf-8').decode(bytes.subarray(3));
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

const isZip = (b: Uint8Array) => b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

export async function parseRoster(bytes: Uint8Array): Promise<ParsedSheet> {
  if (bytes.length > MAX_FILE_BYTES) {
    throw new PayloadTooLargeError(`the file is ${bytes.length} bytes; ${SPLIT_ADVICE}`);
  }
  const table = isZip(bytes) ? await readXlsx(bytes) : await readCsv(bytes);
  return toSheet(isZip(bytes) ? 'xlsx' : 'csv', table);
}

type RawRow = { row: number; values: (Cell | undefined)[] };

function toSheet(format: 'xlsx' | 'csv', table: RawRow[]): ParsedSheet {
  const head = table[0];
  if (head?.row !== 1) {
    throw ValidationError.of('body', 'NO_HEADER', 'the first row of the file must hold the column headers');
  }
  const headers: HeaderCell[] = Array.from(head.values, (c) => {
    const text = c === undefined ? '' : 'text' in c ? c.text.trim() : c.date;
    const field = fieldOfHeader(text);
    return field ? { text, field } : { text };
  });
  const rows: SheetRow[] = [];
  for (const r of table.slice(1)) {
    const cells: SheetRow['cells'] = {};
    let blank = true;
    r.values.forEach((c, i) => {
      if (c === undefined || ('text' in c && c.text.trim() === '')) return;
      blank = false;
      const field = headers[i]?.field;
      // The first column of a field wins; a second one is reported with the headers.
      if (field && cells[field] === undefined) cells[field] = c;
    });
    if (blank) continue;
    rows.push({ row: r.row, cells });
    if (rows.length > MAX_ROWS) {
      throw new PayloadTooLargeError(`the file has more than ${MAX_ROWS} rows; ${SPLIT_ADVICE}`);
    }
  }
  return { format, headers, rows };
}

async function readCsv(bytes: Uint8Array): Promise<RawRow[]> {
  const { parse } = await import('csv-parse/sync');
  let records: string[][];
  try {
    records = parse(decodeCsv(bytes), {
      relax_column_count: true,
      skip_empty_lines: false,
      bom: true,
    }) as string[][];
  } catch (e) {
    throw ValidationError.of('body', 'INVALID_CSV', `the CSV file cannot be read: ${(e as Error).message}`);
  }
  // Excel numbers a CSV record as one row, even when a quoted cell holds a line break.
  return records.map((values, i) => ({ row: i + 1, values: values.map((text) => ({ text })) }));
}

/** An Excel date cell is a day at UTC midnight (exceljs converts the serial number in UTC). */
function dayOf(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function cellOf(value: unknown): Cell | undefined {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return { date: dayOf(value) };
  if (typeof value === 'number' || typeof value === 'boolean') return { text: String(value) };
  if (typeof value === 'string') return { text: value };
  if (typeof value === 'object') {
    const v = value as { richText?: { text: string }[]; result?: unknown; text?: unknown; error?: string };
    if (v.richText) return { text: v.richText.map((t) => t.text).join('') };
    if ('result' in v) return cellOf(v.result);
    if (typeof v.text === 'string') return { text: v.text };
    if (v.error) return { text: v.error };
  }
  return { text: String(value) };
}

async function readXlsx(bytes: Uint8Array): Promise<RawRow[]> {
  const ExcelJS = (await import('exceljs')).default;
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (e) {
    throw ValidationError.of('body', 'INVALID_XLSX', `the XLSX file cannot be read: ${(e as Error).message}`);
  }
  const sheet = wb.worksheets[0];
  if (!sheet) throw ValidationError.of('body', 'INVALID_XLSX', 'the XLSX file has no worksheet');
  const out: RawRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const values: (Cell | undefined)[] = [];
    row.eachCell({ includeEmpty: false }, (cell, col) => {
      values[col - 1] = cellOf(cell.value);
    });
    out.push({ row: rowNumber, values });
    if (out.length > MAX_ROWS + 1) {
      throw new PayloadTooLargeError(`the file has more than ${MAX_ROWS} rows; ${SPLIT_ADVICE}`);
    }
  });
  return out;
}
