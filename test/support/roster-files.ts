/**
 * Roster files as offices send them, built in the test: XLSX written by exceljs with real date and
 * number cells, CSV in UTF-8 with or without BOM, and CSV in GB18030 (Node has a GB18030 decoder but
 * no encoder: the table below is built by decoding every two-byte code once).
 */

let gbTable: Map<string, number[]> | undefined;

/** Encodes text as GB18030 (ASCII plus the two-byte GBK range, which covers every roster character). */
export function encodeGb18030(text: string): Uint8Array {
  if (!gbTable) {
    gbTable = new Map();
    const dec = new TextDecoder('gb18030');
    for (let lead = 0x81; lead <= 0xfe; lead++) {
      for (let trail = 0x40; trail <= 0xfe; trail++) {
        if (trail === 0x7f) continue;
        const ch = dec.decode(new Uint8Array([lead, trail]));
        if (ch.length === 1 && ch !== '\ufffd' && !gbTable.has(ch)) gbTable.set(ch, [lead, trail]);
      }
    }
  }
  const out: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x80) out.push(code);
    else {
      const bytes = gbTable.get(ch);
      if (!bytes) throw new Error(`no GB18030 two-byte code for ${ch}`);
      out.push(...bytes);
    }
  }
  return new Uint8Array(out);
}

const quote = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export function csvText(rows: readonly (readonly string[])[]): string {
  return `${rows.map((r) => r.map(quote).join(',')).join('\r\n')}\r\n`;
}

export function utf8Csv(rows: readonly (readonly string[])[], bom = true): Uint8Array {
  return new TextEncoder().encode((bom ? '\uFEFF' : '') + csvText(rows));
}

export function gbCsv(rows: readonly (readonly string[])[]): Uint8Array {
  return encodeGb18030(csvText(rows));
}

export type XlsxCell = string | number | Date | null;

/** An XLSX as Excel saves it: the cells keep their types (Date → a date cell with a date format). */
export async function xlsxFile(rows: readonly (readonly XlsxCell[])[]): Promise<Uint8Array> {
  const ExcelJS = (await import('exceljs')).default;
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('房屋清单');
  for (const r of rows) {
    const row = ws.addRow([...r]);
    row.eachCell((c) => {
      if (c.value instanceof Date) c.numFmt = 'yyyy/m/d';
    });
  }
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

/** A day as an Excel date cell holds it (UTC midnight). */
export const excelDay = (iso: string) => new Date(`${iso}T00:00:00Z`);

export const ZH_HEADER = [
  '楼栋',
  '单元',
  '房号',
  '类型',
  '建筑面积',
  '交付日期',
  '已缴至',
  '期初欠费',
  '业主',
  '电话',
  '车位',
  '车位类型',
  '车位已缴至',
  '车牌',
] as const;

export const EN_HEADER = [
  'building',
  'entrance',
  'room',
  'unitType',
  'area',
  'deliveryDate',
  'paidThrough',
  'openingArrears',
  'ownerName',
  'phone',
  'spaceNos',
  'spaceKind',
  'spacePaidThrough',
  'plates',
] as const;

/** A generated roster of `n` high-rise units (for the bench and the size tests). */
export function generatedRoster(n: number): string[][] {
  const rows: string[][] = [[...ZH_HEADER]];
  for (let i = 0; i < n; i++) {
    const building = `${1 + Math.floor(i / 400)}栋`;
    const entrance = `${1 + (Math.floor(i / 100) % 4)}单元`;
    const room = String(101 + (i % 100));
    rows.push([
      building,
      entrance,
      room,
      i % 7 === 0 ? '公寓' : '高层',
      `${80 + (i % 50)}.${String(i % 100).padStart(2, '0')}`,
      '2015-06-01',
      i % 3 === 0 ? '' : '2026-05-31',
      i % 10 === 0 ? '1934.50' : '',
      `业主${i}`,
      `138${String(i).padStart(8, '0')}`,
      '',
      '',
      '',
      '',
    ]);
  }
  return rows;
}
