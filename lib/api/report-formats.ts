/**
 * API.md: "Every report and export answers JSON by default, CSV with `Accept: text/csv` or a
 * `.csv` path, XLSX with `Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`
 * or a `.xlsx` path." One route definition becomes the three paths here; its handler asks
 * `reportFormat(req)` and answers JSON itself or `tableAnswer(...)` for the files.
 */
import { csvTable } from '../exports/csv.js';
import type { Column, HeaderLang, Rows } from '../exports/table.js';
import { XLSX_TYPE, xlsxTable } from '../exports/xlsx.js';
import { type AnyRoute, RawResponse } from './route.js';

export type ReportFormat = 'json' | 'csv' | 'xlsx';

/** The format a request asks for: the path's suffix first, then the Accept header. */
export function reportFormat(req: { path: string; headers: Record<string, string> }): ReportFormat {
  if (req.path.endsWith('.csv')) return 'csv';
  if (req.path.endsWith('.xlsx')) return 'xlsx';
  const accept = req.headers['accept'] ?? '';
  if (accept.includes(XLSX_TYPE)) return 'xlsx';
  if (accept.includes('text/csv')) return 'csv';
  return 'json';
}

/**
 * The route at `path`, `path.csv` and `path.xlsx` (operation ids suffixed `Csv`, `Xlsx`). The
 * handler is the same; the file variants document their content type.
 */
export function withFormats(def: AnyRoute): AnyRoute[] {
  return [
    def,
    { ...def, path: `${def.path}.csv`, operationId: `${def.operationId}Csv`, produces: 'text/csv' },
    { ...def, path: `${def.path}.xlsx`, operationId: `${def.operationId}Xlsx`, produces: XLSX_TYPE },
  ];
}

export interface TableAnswer<R> {
  format: Exclude<ReportFormat, 'json'>;
  /** File name without extension, ASCII (it goes in a header): `arrears-DEMO-2026-12-06`. */
  file: string;
  sheet: string;
  columns: readonly Column<R>[];
  rows: Rows<R>;
  totals?: boolean;
  lang?: HeaderLang;
}

/** The table as a CSV or XLSX attachment. */
export async function tableAnswer<R>(a: TableAnswer<R>): Promise<RawResponse> {
  const opts = { ...(a.totals ? { totals: true } : {}), ...(a.lang ? { lang: a.lang } : {}) };
  if (a.format === 'csv') {
    return new RawResponse(await csvTable(a.columns, a.rows, opts), {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${a.file}.csv"`,
    });
  }
  return new RawResponse(await xlsxTable(a.columns, a.rows, { ...opts, sheet: a.sheet }), {
    'content-type': XLSX_TYPE,
    'content-disposition': `attachment; filename="${a.file}.xlsx"`,
  });
}
