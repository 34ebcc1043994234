/**
 * A report as a table: the columns every format shares. JSON is the report's own shape; CSV
 * (lib/exports/csv.ts) and XLSX (lib/exports/xlsx.ts) are written from these columns, so the
 * pages, the CSV and the spreadsheet say the same thing in the same words (SPEC.md §6, §10).
 */
import type { Fen } from '../money.js';

/**
 * - `text`: a string cell.
 * - `money`: fen (bigint); CSV writes `1934.50`, XLSX a number cell formatted `0.00`.
 * - `date`: an ISO business date `2026-05-31`; XLSX writes a real date cell.
 * - `int`: a count (number or bigint).
 * - `rate`: a ratio as a decimal string (`0.9231`); XLSX a number cell formatted `0.00%`.
 */
export type ColumnKind = 'text' | 'money' | 'date' | 'int' | 'rate';

export type CellValue = string | number | bigint | null | undefined;

export interface Column<R> {
  /** English header: the JSON field name. */
  key: string;
  /** Chinese header (the default for files people open). */
  zh: string;
  kind: ColumnKind;
  value: (row: R) => CellValue;
  /** XLSX column width in characters (a Chinese character counts two); a fit is guessed otherwise. */
  width?: number;
  /** Sum this column in the totals row (money and int columns). */
  total?: boolean;
}

export type Rows<R> = Iterable<R> | AsyncIterable<R>;

export type HeaderLang = 'zh' | 'en';

export function headers<R>(columns: readonly Column<R>[], lang: HeaderLang): string[] {
  return columns.map((c) => (lang === 'zh' ? c.zh : c.key));
}

/** Sums of the `total` columns, in fen or units, kept exact (bigint). */
export class Totals<R> {
  private readonly sums = new Map<number, bigint>();
  constructor(private readonly columns: readonly Column<R>[]) {}

  add(row: R): void {
    this.columns.forEach((c, i) => {
      if (!c.total) return;
      const v = c.value(row);
      if (v === null || v === undefined || v === '') return;
      const n = typeof v === 'bigint' ? v : BigInt(v);
      this.sums.set(i, (this.sums.get(i) ?? 0n) + n);
    });
  }

  /** The value of each column in the totals row: the label in the first column, sums elsewhere. */
  row(label: string): (Fen | string | undefined)[] {
    return this.columns.map((c, i) => (c.total ? (this.sums.get(i) ?? 0n) : i === 0 ? label : undefined));
  }
}

export async function* eachRow<R>(rows: Rows<R>): AsyncIterable<R> {
  for await (const r of rows) yield r;
}
