/** The shared report writers: CSV as Excel reads it, XLSX with real number and date cells. */
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { reportFormat, tableAnswer, withFormats } from '../../lib/api/report-formats.js';
import { route } from '../../lib/api/route.js';
import { csvTable } from '../../lib/exports/csv.js';
import type { Column } from '../../lib/exports/table.js';
import { xlsxTable } from '../../lib/exports/xlsx.js';

interface Row {
  room: string;
  due: string;
  amount: bigint;
  units: number;
}

const columns: Column<Row>[] = [
  { key: 'room', zh: '房号', kind: 'text', value: (r) => r.room },
  { key: 'dueDate', zh: '到期日', kind: 'date', value: (r) => r.due },
  { key: 'amount', zh: '金额', kind: 'money', value: (r) => r.amount, total: true },
  { key: 'units', zh: '户数', kind: 'int', value: (r) => r.units, total: true },
];
const rows: Row[] = [
  { room: '1-101', due: '2026-05-31', amount: 193450n, units: 1 },
  { room: '1-102, "east"', due: '2026-06-01', amount: 7n, units: 2 },
];

async function* slowly<T>(items: T[]) {
  for (const i of items) yield i;
}

describe('csvTable', () => {
  it('writes a BOM, Chinese headers, CRLF, RFC 4180 quoting, money to the fen and a 合计 row', async () => {
    const text = await csvTable(columns, slowly(rows), { totals: true });
    expect(text.startsWith('\uFEFF房号,到期日,金额,户数\r\n')).toBe(true);
    expect(text).toContain('1-101,2026-05-31,1934.50,1\r\n');
    expect(text).toContain('"1-102, ""east""",2026-06-01,0.07,2\r\n');
    expect(text.endsWith('合计,,1934.57,3\r\n')).toBe(true);
  });

  it('writes English headers on request', async () => {
    const text = await csvTable(columns, rows, { lang: 'en' });
    expect(text.split('\r\n')[0]).toBe('\uFEFFroom,dueDate,amount,units');
  });
});

describe('xlsxTable', () => {
  it('writes number cells formatted 0.00, date cells, a frozen bold header and sums', async () => {
    const file = await xlsxTable(columns, slowly(rows), { sheet: '欠费', totals: true });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('欠费')!;
    expect(ws.getRow(1).values).toEqual([undefined, '房号', '到期日', '金额', '户数']);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    const amount = ws.getCell('C2');
    expect(amount.value).toBe(1934.5);
    expect(amount.numFmt).toBe('0.00');
    expect(ws.getCell('C3').value).toBe(0.07);
    const due = ws.getCell('B2').value as Date;
    expect(due).toBeInstanceOf(Date);
    expect(due.toISOString().slice(0, 10)).toBe('2026-05-31');
    expect(ws.getCell('A4').value).toBe('合计');
    expect(ws.getCell('C4').value).toBe(1934.57);
    expect(ws.getCell('D4').value).toBe(3);
    expect(ws.getColumn(3).width).toBeGreaterThanOrEqual(10);
  });
});

describe('report formats', () => {
  const def = route({
    method: 'GET',
    path: '/v1/reports/example',
    operationId: 'example',
    summary: 'example',
    group: 'ledger',
    access: 'RO',
    roles: ['accountant'],
    response: {} as never,
    status: 200,
    handler: async () => ({}),
  });

  it('reads the format from the path suffix first, then Accept', () => {
    expect(reportFormat({ path: '/v1/reports/x.csv', headers: { accept: 'application/json' } })).toBe('csv');
    expect(reportFormat({ path: '/v1/reports/x.xlsx', headers: {} })).toBe('xlsx');
    expect(reportFormat({ path: '/v1/reports/x', headers: { accept: 'text/csv' } })).toBe('csv');
    expect(
      reportFormat({
        path: '/v1/reports/x',
        headers: { accept: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
      }),
    ).toBe('xlsx');
    expect(reportFormat({ path: '/v1/reports/x', headers: {} })).toBe('json');
  });

  it('makes three routes of one, each with its own operation id and content type', () => {
    const [json, csv, xlsx] = withFormats(def);
    expect([json!.path, csv!.path, xlsx!.path]).toEqual([
      '/v1/reports/example',
      '/v1/reports/example.csv',
      '/v1/reports/example.xlsx',
    ]);
    expect(new Set([json!.operationId, csv!.operationId, xlsx!.operationId]).size).toBe(3);
    expect(xlsx!.produces).toContain('spreadsheetml');
  });

  it('answers a file as an attachment with its content type', async () => {
    const csv = await tableAnswer({ format: 'csv', file: 'x', sheet: 'x', columns, rows });
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="x.csv"');
    const xlsx = await tableAnswer({ format: 'xlsx', file: 'x', sheet: 'x', columns, rows });
    expect(xlsx.body).toBeInstanceOf(Uint8Array);
    expect(
      Buffer.from(xlsx.body as Uint8Array)
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');
  });
});
