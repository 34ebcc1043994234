/**
 * The sample roster and the template offices start from, checked in under test/fixtures/ (written
 * by `npx tsx test/support/roster-fixtures.ts`; test/store/onboarding.test.ts imports both).
 * The template's second sheet explains both header rows a file may use: Chinese or English.
 */
import { writeFileSync } from 'node:fs';
import { REQUIRED_FIELDS, ROSTER_FIELDS, ROSTER_ZH } from '../../lib/onboarding/columns.js';
import { utf8Csv, ZH_HEADER } from './roster-files.js';

export const SAMPLE_ROWS = [
  [
    '1栋',
    '',
    '101',
    '高层',
    '89.56',
    '2015-06-01',
    '2026-05-31',
    '',
    '张三',
    '13800001234',
    'B-001',
    '产权',
    '2026-05-31',
    '粤B12345',
  ],
  [
    '3栋',
    '2单元',
    '1201',
    '公寓',
    '45.33',
    '2016/3/15',
    '2025/12/31',
    '1196.71',
    '李四',
    '13900005678',
    '',
    '',
    '',
    '',
  ],
  ['10栋', '', '1001', '花园洋房', '135.27', '1998-08-08', '', '', '王五', '', '', '', '', ''],
];

const EXPLAIN: Record<string, string> = {
  building: '楼栋,如 1栋、3#楼',
  entrance: '单元(可空),如 2单元;填写后是地址的一部分',
  room: '房号,如 1201',
  unitType: '高层、花园洋房、双拼排屋、商业用房、公寓(或 HIGH_RISE 等代码)',
  area: '建筑面积(平方米),最多两位小数',
  deliveryDate: '交付日期,2026-05-31 或 2026/5/31 或 Excel 日期',
  paidThrough: '物业费已缴至(含当日);次日起计费',
  openingArrears: '期初欠费(元),导入后生成一张待缴账单',
  ownerName: '业主姓名',
  phone: '电话;导出时只显示后四位',
  spaceNos: '车位号,多个用 ; 分隔',
  spaceKind: '产权 或 使用权',
  spacePaidThrough: '车位服务费已缴至(含当日)',
  plates: '车牌,多个用 ; 分隔',
};

export async function templateXlsx(): Promise<Uint8Array> {
  const ExcelJS = (await import('exceljs')).default;
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('房屋清单').addRow([...ZH_HEADER]);
  const help = wb.addWorksheet('说明');
  help.addRow(['中文列名', 'English header', '必填', '说明']);
  for (const f of ROSTER_FIELDS) {
    help.addRow([ROSTER_ZH[f], f, REQUIRED_FIELDS.includes(f) ? '是' : '', EXPLAIN[f] ?? '']);
  }
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

export const sampleCsv = () => utf8Csv([[...ZH_HEADER], ...SAMPLE_ROWS]);

if (process.argv[1]?.endsWith('roster-fixtures.ts')) {
  const dir = new URL('../fixtures/', import.meta.url);
  writeFileSync(new URL('roster-sample.csv', dir), sampleCsv());
  writeFileSync(new URL('roster-template.xlsx', dir), await templateXlsx());
}
