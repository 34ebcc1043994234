/**
 * XLSX that an accountant opens and sums without fixing anything (SPEC.md §10): money as number
 * cells formatted `0.00`, dates as date cells, Chinese headers, a frozen header row, widths that
 * fit, and optionally a 合计 row. Written with exceljs's streaming writer, row by row, so a report
 * of any length never sits in memory as a workbook.
 *
 * exceljs is loaded on first use (dynamic import): a function that never writes a spreadsheet
 * never pays for it at cold start.
 */
import { PassThrough, type Writable } from 'node:stream';
import {
  type CellValue,
  type Column,
  eachRow,
  type HeaderLang,
  headers,
  type Rows,
  Totals,
} from './table.js';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const NUM_FMT: Partial<Record<Column<unknown>['kind'], string>> = {
  money: '0.00',
  date: 'yyyy-mm-dd',
  int: '0',
  rate: '0.00%',
};

/** Display width of a header or value: a CJK character takes two columns. */
function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += ch.codePointAt(0)! > 0x2e80 ? 2 : 1;
  return w;
}

function defaultWidth(c: Column<unknown>, header: string): number {
  const byKind = { money: 14, date: 12, int: 8, rate: 10, text: 12 }[c.kind];
  return Math.max(byKind, displayWidth(header) + 2);
}

/**
 * A cell value as exceljs wants it. A spreadsheet's number cell is an IEEE double by definition;
 * this is the one place where fen become one (fen / 100, exact to the fen for any plausible
 * amount, and shown through the `0.00` format).
 */
function cell(kind: Column<unknown>['kind'], v: CellValue): string | number | Date | null {
  if (v === null || v === undefined || v === '') return null;
  switch (kind) {
    case 'money': {
      const fen = typeof v === 'bigint' ? v : BigInt(v);
      return Number(fen) / 100;
    }
    case 'int':
      return typeof v === 'bigint' ? Number(v) : Number(v);
    case 'rate':
      return Number(String(v));
    case 'date': {
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(v));
      return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : String(v);
    }
    default:
      return String(v);
  }
}

export interface XlsxOptions {
  /** The worksheet's name (at most 31 characters; Excel's rule). */
  sheet: string;
  lang?: HeaderLang;
  totals?: boolean;
}

/** Writes the table into `out` as an XLSX file, row by row. Resolves when the file is complete. */
export async function writeXlsx<R>(
  out: Writable,
  columns: readonly Column<R>[],
  rows: Rows<R>,
  opts: XlsxOptions,
): Promise<{ rows: number }> {
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
  });
  const ws = wb.addWorksheet(opts.sheet.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
  const names = headers(columns, opts.lang ?? 'zh');
  ws.columns = columns.map((c, i) => ({
    header: names[i]!,
    key: c.key,
    width: c.width ?? defaultWidth(c as Column<unknown>, names[i]!),
    ...(NUM_FMT[c.kind] ? { style: { numFmt: NUM_FMT[c.kind]! } } : {}),
  }));
  ws.getRow(1).font = { bold: true };
  const totals = new Totals(columns);
  let n = 0;
  for await (const r of eachRow(rows)) {
    ws.addRow(columns.map((c) => cell(c.kind, c.value(r)))).commit();
    if (opts.totals) totals.add(r);
    n++;
  }
  if (opts.totals) {
    const sums = totals.row((opts.lang ?? 'zh') === 'zh' ? '合计' : 'Total');
    const row = ws.addRow(sums.map((v, i) => cell(i === 0 ? 'text' : columns[i]!.kind, v)));
    row.font = { bold: true };
    row.commit();
  }
  ws.commit();
  await wb.commit();
  return { rows: n };
}

/** The table as one XLSX file in memory (an HTTP answer; files are small next to their rows). */
export async function xlsxTable<R>(
  columns: readonly Column<R>[],
  rows: Rows<R>,
  opts: XlsxOptions,
): Promise<Buffer> {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    sink.on('end', resolve);
    sink.on('error', reject);
  });
  await writeXlsx(sink, columns, rows, opts);
  await done;
  return Buffer.concat(chunks as unknown as Uint8Array[]);
}
