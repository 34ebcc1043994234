/**
 * CSV that Excel and WPS open correctly (SPEC.md §6): UTF-8 with a BOM, CRLF, RFC 4180 quoting,
 * money as two-decimal strings, Chinese headers by default. No row cap: the rows are written as
 * they come.
 */
import { stringify } from 'csv-stringify/sync';
import { formatFen } from '../money.js';
import {
  type CellValue,
  type Column,
  eachRow,
  type HeaderLang,
  headers,
  type Rows,
  Totals,
} from './table.js';

const BOM = '\uFEFF';

function text(kind: Column<unknown>['kind'], v: CellValue): string {
  if (v === null || v === undefined) return '';
  if (kind === 'money' && typeof v === 'bigint') return formatFen(v);
  return String(v);
}

function line(cells: string[]): string {
  return stringify([cells], { record_delimiter: '\r\n' });
}

export interface CsvOptions {
  lang?: HeaderLang;
  /** A last row with the sums of the `total` columns, labelled so (合计). */
  totals?: boolean;
}

/** The whole table as one CSV text (BOM, header row, rows, optional totals row). */
export async function csvTable<R>(columns: readonly Column<R>[], rows: Rows<R>, opts: CsvOptions = {}) {
  const lang = opts.lang ?? 'zh';
  const parts: string[] = [BOM, line(headers(columns, lang))];
  const totals = new Totals(columns);
  for await (const r of eachRow(rows)) {
    parts.push(line(columns.map((c) => text(c.kind, c.value(r)))));
    if (opts.totals) totals.add(r);
  }
  if (opts.totals) {
    const sums = totals.row(lang === 'zh' ? '合计' : 'Total');
    parts.push(line(sums.map((v, i) => text(columns[i]!.kind, v))));
  }
  return parts.join('');
}
