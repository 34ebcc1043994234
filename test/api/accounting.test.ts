/**
 * Issue 22 on the wire: accounting settings (audited, applying from their month), the revenue
 * report and vouchers from documents the services wrote, the quarterly disclosure, the price board
 * (a kiosk may read it), and the files: XLSX opened with exceljs has number cells formatted `0.00`.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creditInvoice } from '../../lib/billing/credit-notes.js';
import { createEstate } from '../../lib/billing/estates.js';
import { issueInvoice } from '../../lib/billing/invoices.js';
import { payInvoice } from '../../lib/billing/payments.js';
import type { Invoice, Unit } from '../../lib/billing/records.js';
import { formatFen } from '../../lib/money.js';
import { recognitionSchedule, splitTax } from '../../lib/reports/recognition.js';
import { auditPk } from '../../lib/store/keys.js';
import { type ApiHarness, apiHarness } from '../support/api.js';
import { importNeighbours } from '../support/entrances.js';

let h: ApiHarness;
let accountant: string;
let admin: string;
let units: Unit[];
let annual: Invoice;
let credited: Invoice;

const at = (iso: string, role: 'cashier' | 'admin' = 'cashier') => {
  h.clock.set(iso);
  return h.ctx(role);
};

beforeAll(async () => {
  h = await apiHarness();
  h.clock.set('2025-05-01T09:00:00+08:00');
  units = await h.seedDemo();
  accountant = await h.token('accountant');
  admin = await h.token('admin');
  // 1栋1801, 89.56 m² high-rise delivered 2025-06-01: 1934.50 for [2025-06-01, 2026-06-01), paid in May.
  annual = await issueInvoice(at('2025-05-20T10:00:00+08:00'), {
    unitId: units[0]!.unitId,
    items: [{ type: 'PROPERTY_FEE' }],
  });
  await payInvoice(at('2025-05-25T10:00:00+08:00'), annual.invoiceNo, {
    channel: 'CASH',
    amount: formatFen(annual.total),
    tendered: '2000.00',
  });
  // 5栋201 pays by transfer in May and has it reversed in August: three months earned, then reversed.
  credited = await issueInvoice(at('2025-05-20T11:00:00+08:00'), {
    unitId: units[1]!.unitId,
    items: [{ type: 'PROPERTY_FEE' }],
  });
  await payInvoice(at('2025-05-26T10:00:00+08:00'), credited.invoiceNo, {
    channel: 'TRANSFER',
    amount: formatFen(credited.total),
  });
  await creditInvoice(at('2025-08-15T10:00:00+08:00'), credited.invoiceNo, '业主出售房屋,退还预缴');
  h.clock.set('2025-12-01T09:00:00+08:00');
});
afterAll(() => h?.close());

const get = (path: string, query: Record<string, string>, token = accountant) =>
  h.call('GET', path, { token, query });

async function bytes(path: string, query: Record<string, string>, headers: Record<string, string> = {}) {
  const url = new URL(path, h.url);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const res = await fetch(url, { headers: { authorization: `Bearer ${accountant}`, ...headers } });
  return {
    status: res.status,
    headers: Object.fromEntries(res.headers),
    body: Buffer.from(await res.arrayBuffer()),
  };
}

describe('the 1934.50 year through the revenue report', () => {
  it('is received in May 2025 and earned as eleven 161.20 and one 161.30, June to May', async () => {
    expect(formatFen(annual.total)).toBe('1934.50');
    const may = await get('/v1/reports/revenue', { estateId: 'DEMO', month: '2025-05' });
    expect(may.status, may.text).toBe(200);
    const row = may.json.rows.find((r: { feeCode: string }) => r.feeCode === 'PROPERTY_FEE');
    const both = annual.total + credited.total;
    expect(row).toMatchObject({
      opening: '0.00',
      received: formatFen(both),
      recognised: '0.00',
      closing: formatFen(both),
    });
    expect(row.receivedTax).toBe(
      formatFen(splitTax(annual.total, '0.06').tax + splitTax(credited.total, '0.06').tax),
    );
    const earned: string[] = [];
    for (const month of ['2025-06', '2025-09', '2025-12', '2026-03', '2026-05']) {
      const r = await get('/v1/reports/revenue', { estateId: 'DEMO', month });
      const p = r.json.rows.find((x: { feeCode: string }) => x.feeCode === 'PROPERTY_FEE');
      earned.push(p.recognised);
      const fen = (x: string) => BigInt(x.replace('.', ''));
      expect(fen(p.recognisedNet) + fen(p.recognisedTax)).toBe(fen(p.recognised));
      // One line earning from September: its split is the row's (per line, then summed).
      if (month > '2025-08') expect(p.recognisedNet).toBe(formatFen(splitTax(fen(p.recognised), '0.06').net));
    }
    // From September on only 1801's year is being earned (5栋201's was reversed in August).
    expect(earned.slice(1)).toEqual(['161.20', '161.20', '161.20', '161.30']);
  });

  it('reverses the credited payment in August: what was earned before, and what was received', async () => {
    const aug = await get('/v1/reports/revenue', { estateId: 'DEMO', month: '2025-08' });
    const row = aug.json.rows.find((r: { feeCode: string }) => r.feeCode === 'PROPERTY_FEE');
    const earnedBefore = recognitionSchedule(credited.total, '2025-06-01', '2026-06-01')
      .slice(0, 2)
      .reduce((s, p) => s + p.gross, 0n);
    expect(row.received).toBe(formatFen(-credited.total));
    expect(row.recognised).toBe(formatFen(16120n - earnedBefore));
    const opening = BigInt(row.opening.replace('.', ''));
    expect(row.closing).toBe(formatFen(opening - credited.total - (16120n - earnedBefore)));
  });

  it('answers XLSX with number cells formatted 0.00, Chinese headers and a frozen header row', async () => {
    const r = await bytes('/v1/reports/revenue.xlsx', { estateId: 'DEMO', month: '2025-05' });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.body as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect(ws.getRow(1).getCell(1).value).toBe('收费项目');
    expect(ws.getRow(1).getCell(3).value).toBe('本月收款');
    const received = ws.getRow(2).getCell(3);
    expect(received.type).toBe(ExcelJS.ValueType.Number);
    expect(received.numFmt).toBe('0.00');
    expect(received.value).toBe(Number(formatFen(annual.total + credited.total)));
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
  });
});

describe('vouchers', () => {
  it('balance one by one, debit cash and bank for May receipts and credit advance receipts', async () => {
    const r = await get('/v1/reports/vouchers', { estateId: 'DEMO', month: '2025-05' });
    expect(r.status, r.text).toBe(200);
    const lines = r.json.lines as {
      voucherNo: number;
      accountCode: string;
      debit: string;
      credit: string;
      auxiliary: string;
      date: string;
    }[];
    expect(r.json.vouchers).toBe(2);
    for (let n = 1; n <= r.json.vouchers; n++) {
      const v = lines.filter((l) => l.voucherNo === n);
      const fen = (s: string) => BigInt(s.replace('.', ''));
      expect(
        v.reduce((s, l) => s + fen(l.debit) - fen(l.credit), 0n),
        `voucher ${n}`,
      ).toBe(0n);
    }
    expect(lines.find((l) => l.accountCode === '1001')?.debit).toBe('1934.50');
    expect(lines.find((l) => l.accountCode === '1002')?.debit).toBe(formatFen(credited.total));
    expect(lines.filter((l) => l.accountCode === '2203').map((l) => l.auxiliary)).toEqual([
      '1栋-1801',
      '5栋-201',
    ]);
  });

  it('post August: the credit note back to the bank, the month earned on its last day', async () => {
    const r = await get('/v1/reports/vouchers', { estateId: 'DEMO', month: '2025-08' });
    const lines = r.json.lines as {
      date: string;
      summary: string;
      accountCode: string;
      debit: string;
      credit: string;
    }[];
    const refund = lines.filter((l) => l.summary.startsWith('红冲'));
    expect(refund.find((l) => l.accountCode === '1002')?.credit).toBe(formatFen(credited.total));
    const monthEnd = lines.filter((l) => l.date === '2025-08-31');
    expect(monthEnd.map((l) => l.accountCode)).toEqual(['2203', '6001', '22210106']);
    expect(monthEnd[0]!.debit).toBe('161.20');
  });

  it('answers the 金蝶 and 用友 layouts as CSV', async () => {
    const k = await bytes('/v1/reports/vouchers.csv', { estateId: 'DEMO', month: '2025-05' });
    const text = k.body.toString('utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(text.split('\r\n')[0]).toBe(
      '\uFEFF日期,凭证字,凭证号,摘要,科目代码,科目名称,借方金额,贷方金额,核算项目',
    );
    const y = await bytes('/v1/reports/vouchers.csv', {
      estateId: 'DEMO',
      month: '2025-05',
      layout: 'yonyou',
    });
    expect(y.body.toString('utf8').split('\r\n')[0]).toContain('制单日期,凭证类别,凭证编号');
  });
});

describe('accounting settings', () => {
  it('apply from the month they are made in, audited; earlier months keep their rates', async () => {
    h.clock.set('2025-09-10T09:00:00+08:00');
    const put = await h.call('PUT', '/v1/estates/DEMO/accounting', {
      token: admin,
      body: {
        vatRates: { PROPERTY_FEE: '0.05' },
        accounts: { advanceReceipts: '2204', names: { '2204': '合同负债' } },
      },
    });
    expect(put.status, put.text).toBe(200);
    expect(put.json).toMatchObject({
      effectiveFrom: '2025-09',
      vatRates: { PROPERTY_FEE: '0.05', TEMP_PARKING: '0.09' },
    });
    const audit = await h.db.query({
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': auditPk('DEMO', '2025-09-10') },
    });
    expect(audit.items.map((i) => i['action'])).toContain('ACCOUNTING_SETTINGS_CHANGED');
    h.clock.set('2025-12-01T09:00:00+08:00');
    const now = await get('/v1/estates/DEMO/accounting', {});
    expect(now.json.accounts.advanceReceipts).toBe('2204');
    const aug = await get('/v1/estates/DEMO/accounting', { month: '2025-08' });
    expect(aug.json.vatRates.PROPERTY_FEE).toBe('0.06');

    const rev = async (month: string) =>
      (await get('/v1/reports/revenue', { estateId: 'DEMO', month })).json.rows.find(
        (r: { feeCode: string }) => r.feeCode === 'PROPERTY_FEE',
      );
    expect((await rev('2025-08')).recognisedTax).not.toBe(formatFen(splitTax(16120n, '0.05').tax));
    expect((await rev('2025-10')).recognisedNet).toBe(formatFen(splitTax(16120n, '0.05').net));
    const v = await get('/v1/reports/vouchers', { estateId: 'DEMO', month: '2025-10' });
    expect(v.json.lines.map((l: { accountCode: string }) => l.accountCode)).toContain('2204');
  });

  it('refuse bad input naming the field, and anyone but an admin', async () => {
    const bad = await h.call('PUT', '/v1/estates/DEMO/accounting', {
      token: admin,
      body: { vatRates: { PROPERTY_FEE: '1.2', NOPE: '0.06' }, accounts: { channels: { CASH: '10x1' } } },
    });
    expect(bad.status).toBe(400);
    const fields = bad.json.error.details.map((d: { field: string }) => d.field).sort();
    expect(fields).toEqual(['accounts.channels.CASH', 'vatRates.NOPE', 'vatRates.PROPERTY_FEE']);
    const denied = await h.call('PUT', '/v1/estates/DEMO/accounting', { token: accountant, body: {} });
    expect(denied.status).toBe(403);
  });
});

describe('quarterly disclosure and price board', () => {
  it('is due on the 20th after the quarter, with the quarter collections and a printable page', async () => {
    const q = await get('/v1/reports/disclosure', { estateId: 'DEMO', quarter: '2025Q2' });
    expect(q.status, q.text).toBe(200);
    expect(q.json).toMatchObject({
      quarter: '2025Q2',
      from: '2025-04-01',
      to: '2025-06-30',
      dueDate: '2025-07-20',
    });
    expect(q.json.collections).toEqual([
      {
        feeCode: 'PROPERTY_FEE',
        name: '物业服务费',
        amount: formatFen(annual.total + credited.total),
        paidService: false,
      },
    ]);
    const q4 = await get('/v1/reports/disclosure', { estateId: 'DEMO', quarter: '2026Q4' });
    expect(q4.json.dueDate).toBe('2027-01-20');
    const page = await bytes(
      '/v1/reports/disclosure',
      { estateId: 'DEMO', quarter: '2025Q2' },
      { accept: 'text/html' },
    );
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body.toString()).toContain('应于 2025-07-20 前公示');
    const bad = await get('/v1/reports/disclosure', { estateId: 'DEMO', quarter: '2025Q5' });
    expect(bad.status).toBe(400);
  });

  it('shows a kiosk the tariff in force with units of measure, and announced versions', async () => {
    const kiosk = await h.token('kiosk');
    const before = await get('/v1/estates/DEMO/price-board', {}, kiosk);
    expect(before.status, before.text).toBe(200);
    expect(before.json.approvalRef).toBeNull();
    expect(before.json.rates).toContainEqual(
      expect.objectContaining({
        feeCode: 'PROPERTY_FEE',
        unitType: 'HIGH_RISE',
        rate: '1.8',
        unit: '元/㎡/月',
      }),
    );
    const tariffs = await get('/v1/estates/DEMO/tariffs', {}, admin);
    const seed = tariffs.json.items[0];
    const added = await h.call('POST', '/v1/estates/DEMO/tariffs', {
      token: admin,
      body: {
        effectiveFrom: '2026-03-01',
        noticeDate: '2025-12-01',
        approvalRef: '2025年第2次业主大会决议',
        rates: { ...seed.rates, PROPERTY_FEE: { ...seed.rates.PROPERTY_FEE, HIGH_RISE: '2.0' } },
        tempParkingBands: seed.tempParkingBands,
      },
    });
    expect(added.status, added.text).toBe(201);
    const after = await get('/v1/estates/DEMO/price-board', {}, kiosk);
    expect(after.json.announced).toHaveLength(1);
    expect(after.json.announced[0]).toMatchObject({
      effectiveFrom: '2026-03-01',
      noticeDate: '2025-12-01',
      approvalRef: '2025年第2次业主大会决议',
    });
    h.clock.set('2026-03-02T09:00:00+08:00');
    const later = await get('/v1/estates/DEMO/price-board', {}, kiosk);
    expect(later.json).toMatchObject({
      effectiveFrom: '2026-03-01',
      approvalRef: '2025年第2次业主大会决议',
      announced: [],
    });
    const page = await bytes('/v1/estates/DEMO/price-board', {}, { accept: 'text/html' });
    expect(page.body.toString()).toContain('元/㎡/月');
    h.clock.set('2025-12-01T09:00:00+08:00');
  });
});

describe('ledger and summary files', () => {
  it('ledger.xlsx comes in parts with a cursor, money as 0.00 number cells and dates as date cells', async () => {
    const first = await bytes('/v1/ledger.xlsx', {
      estateId: 'DEMO',
      from: '2025-01-01',
      to: '2025-12-31',
      limit: '2',
    });
    expect(first.status).toBe(200);
    expect(first.headers['x-row-count']).toBe('2');
    expect(first.headers['x-next-cursor']).toBeTruthy();
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(first.body as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    const amount = ws.getRow(2).getCell(header.indexOf('金额') + 1);
    expect(amount.type).toBe(ExcelJS.ValueType.Number);
    expect(amount.numFmt).toBe('0.00');
    expect(ws.getRow(2).getCell(1).type).toBe(ExcelJS.ValueType.Date);
  });

  it('the summary answers CSV and XLSX too', async () => {
    const csv = await bytes('/v1/reports/summary.csv', {
      estateId: 'DEMO',
      from: '2025-05-01',
      to: '2025-05-31',
    });
    expect(csv.status).toBe(200);
    expect(csv.body.toString('utf8').split('\r\n')[0]).toContain('应收');
    const xlsx = await bytes(
      '/v1/reports/summary',
      { estateId: 'DEMO', from: '2025-05-01', to: '2025-05-31' },
      {
        accept: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      },
    );
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
  });
});

describe('the entrance (单元) in the vouchers (SPEC.md §8)', () => {
  it('核算项目 tells 3栋1单元1201 from 3栋2单元1201 (楼栋-单元-房号)', async () => {
    h.clock.set('2025-05-01T09:00:00+08:00');
    const admin = h.ctx('admin', { estates: ['TOWER'] });
    await createEstate(admin, { estateId: 'TOWER', name: '高层小区' });
    const { one, two } = await importNeighbours(admin, 'TOWER');
    const cashier = (iso: string) => {
      h.clock.set(iso);
      return h.ctx('cashier', { estates: ['TOWER'] });
    };
    for (const unitId of [one, two]) {
      const inv = await issueInvoice(cashier('2025-05-20T10:00:00+08:00'), {
        unitId,
        items: [{ type: 'PROPERTY_FEE' }],
      });
      await payInvoice(cashier('2025-05-21T10:00:00+08:00'), inv.invoiceNo, {
        channel: 'CASH',
        amount: formatFen(inv.total),
      });
    }
    h.clock.set('2025-12-01T09:00:00+08:00');
    const token = await h.token('accountant', { estates: ['TOWER'] });
    const r = await get('/v1/reports/vouchers', { estateId: 'TOWER', month: '2025-05' }, token);
    expect(r.status, r.text).toBe(200);
    const aux = (r.json.lines as { accountCode: string; auxiliary: string }[])
      .filter((l) => l.accountCode === '2203' && l.auxiliary !== '') // not the month's recognition
      .map((l) => l.auxiliary);
    expect(aux.sort()).toEqual(['3栋-1单元-1201', '3栋-2单元-1201']);
  });
});
