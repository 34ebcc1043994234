/**
 * Issue 20: arrears that are really due. Through the server `npm start` runs, with real tokens:
 * the summary's 欠费 counts only what is due by the range's end and deposit deductions are income;
 * the arrears report ages overdue bills from their due date (renewals: the period's first day;
 * opening arrears: the import date) as of any day, pages, and writes CSV/XLSX whose 合计 row is the
 * sum of the rows; the dunning notice and GET /v1/units/{unitId} say the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitInvoice, issueInvoice } from '../../lib/billing/invoices.js';
import { payInvoice } from '../../lib/billing/payments.js';
import type { Invoice, Unit } from '../../lib/billing/records.js';
import { runRenewals } from '../../lib/billing/renewals.js';
import { createUnit } from '../../lib/billing/units.js';
import { formatFen, parseMoney } from '../../lib/money.js';
import { recordAcceptance, recordReinspection } from '../../lib/renovation/inspections.js';
import { registerRenovation } from '../../lib/renovation/registration.js';
import { claimOwner } from '../../lib/store/keys.js';
import { addDays } from '../../lib/time.js';
import { type ApiHarness, apiHarness } from '../support/api.js';

let h: ApiHarness;
let accountant: string;
let cashier: string;
const u: Record<string, Unit> = {};
let ahead: Invoice;
let opening: Invoice;
let waste: Invoice;

const at = (iso: string, role: 'cashier' | 'admin' = 'cashier') => {
  h.clock.set(iso);
  return h.ctx(role);
};

async function unit(name: string, building: string, room: string, deliveryDate: string, area = '89.56') {
  u[name] = await createUnit(at('2025-01-02T09:00:00+08:00', 'admin'), 'DEMO', {
    building,
    room,
    unitType: 'HIGH_RISE',
    area,
    deliveryDate,
    ownerIds: ['owner-test'],
  });
}

beforeAll(async () => {
  h = await apiHarness();
  accountant = await h.token('accountant');
  cashier = await h.token('cashier');
  await h.seedDemo();
  await unit('ahead', '9栋', '101', '2025-06-01');
  await unit('opening', '9栋', '102', '2020-01-01', '50.00');
  await unit('renewed', '9栋', '103', '2024-07-01');
  // Issued ahead: delivered 2025-06-01, billed 2025-05-10, due on the period's first day.
  ahead = await issueInvoice(at('2025-05-10T10:00:00+08:00'), {
    unitId: u['ahead']!.unitId,
    items: [{ type: 'PROPERTY_FEE' }],
  });
  // Opening arrears as the roster import writes them: one line, due on the import date.
  opening = await commitInvoice(at('2025-03-15T09:00:00+08:00', 'admin'), {
    estateId: 'DEMO',
    billedTo: claimOwner.unit(u['opening']!.unitId),
    unitId: u['opening']!.unitId,
    lines: [
      {
        type: 'OPENING_ARREARS' as never,
        description: '期初欠费',
        quantity: '1',
        unit: '笔',
        unitPrice: '3000.00',
        months: null,
        amount: 300000n,
        tariffVersion: 'none',
        trace: {
          formula: 'as imported',
          inputs: {},
          exact: '3000.00',
          rounding: 'ROUND_HALF_UP to 0.01 yuan, once per line',
        },
      },
    ],
    dueDate: '2025-03-15',
    action: 'OPENING_ARREARS_IMPORTED',
  });
  // A paid year, then arrears of another kind, then the renewal job: arrears never block billing.
  const first = await issueInvoice(at('2025-01-05T10:00:00+08:00'), {
    unitId: u['renewed']!.unitId,
    items: [{ type: 'PROPERTY_FEE' }],
  });
  await payInvoice(at('2025-01-05T10:05:00+08:00'), first.invoiceNo, {
    channel: 'CASH',
    amount: formatFen(first.total),
  });
  waste = await issueInvoice(at('2025-05-20T10:00:00+08:00'), {
    unitId: u['renewed']!.unitId,
    items: [{ type: 'RENOVATION_WASTE' }],
  });
  const run = await runRenewals(at('2025-06-05T02:00:00+08:00'), 'DEMO', '2025-06-05');
  expect(run.failed).toEqual([]);
  expect(run.issued.length).toBeGreaterThanOrEqual(1);
});

afterAll(() => h?.close());

const report = (asOf: string, extra: Record<string, string> = {}, token = accountant) =>
  h.call('GET', '/v1/reports/arrears', { token, query: { estateId: 'DEMO', asOf, ...extra } });
const rowOf = (r: { json: { items: { unitId: string }[] } }, name: string) =>
  r.json.items.find((i) => i.unitId === u[name]!.unitId) as
    | {
        overdue: string;
        oldestDueDate: string;
        daysOverdue: number;
        buckets: Record<string, string>;
        notYetDue: string;
      }
    | undefined;

describe('what is due', () => {
  it('an invoice issued ahead is receivable, not arrears, until its period starts', async () => {
    expect(ahead.dueDate).toBe('2025-06-01');
    h.clock.set('2025-12-31T12:00:00+08:00');
    const before = await report('2025-05-31');
    expect(before.status).toBe(200);
    expect(rowOf(before, 'ahead')).toBeUndefined();
    const onDue = await report('2025-06-01');
    expect(rowOf(onDue, 'ahead')).toMatchObject({
      overdue: '1934.50',
      oldestDueDate: '2025-06-01',
      daysOverdue: 0,
      buckets: { days1to30: '1934.50', days31to90: '0.00' },
    });
    const may = await h.call('GET', '/v1/reports/summary', {
      token: accountant,
      query: { estateId: 'DEMO', from: '2025-05-01', to: '2025-05-31' },
    });
    const fee = may.json.byFeeCode.find((c: { feeCode: string }) => c.feeCode === 'PROPERTY_FEE');
    // The ahead invoice is May's only unpaid property fee: receivable, nothing outstanding.
    expect([fee.receivable, fee.outstanding, fee.notYetDue]).toEqual(['1934.50', '0.00', '1934.50']);
    const june = await h.call('GET', '/v1/reports/summary', {
      token: accountant,
      query: { estateId: 'DEMO', from: '2025-05-01', to: '2025-06-01' },
    });
    const feeJune = june.json.byFeeCode.find((c: { feeCode: string }) => c.feeCode === 'PROPERTY_FEE');
    expect([feeJune.outstanding, feeJune.notYetDue]).toEqual(['1934.50', '0.00']);
  });

  it('ages from the due date: 90 days sits in 31-90, 100 days in 91-180', async () => {
    expect(rowOf(await report(addDays('2025-06-01', 90)), 'ahead')!.buckets).toMatchObject({
      days31to90: '1934.50',
      days91to180: '0.00',
    });
    const r = rowOf(await report(addDays('2025-06-01', 100)), 'ahead')!;
    expect(r.daysOverdue).toBe(100);
    expect(r.buckets).toEqual({
      days1to30: '0.00',
      days31to90: '0.00',
      days91to180: '1934.50',
      days181to365: '0.00',
      over365: '0.00',
    });
  });

  it('opening arrears age from the import date', async () => {
    expect(opening.dueDate).toBe('2025-03-15');
    const r = rowOf(await report('2025-06-23'), 'opening')!;
    expect(r).toMatchObject({ overdue: '3000.00', oldestDueDate: '2025-03-15', daysOverdue: 100 });
    expect(r.buckets['days91to180']).toBe('3000.00');
  });

  it('a past asOf reproduces that day; payment after it does not change it', async () => {
    const before = await report('2025-09-09');
    await payInvoice(at('2025-10-01T10:00:00+08:00'), ahead.invoiceNo, {
      channel: 'CASH',
      amount: '1934.50',
    });
    h.clock.set('2025-12-31T12:00:00+08:00');
    expect((await report('2025-09-09')).json).toEqual(before.json);
    expect(rowOf(await report('2025-10-01'), 'ahead')).toBeUndefined();
  });

  it('the renewal run left a line an admin reads: issued, skipped, failed', async () => {
    const admin = await h.token('admin');
    const log = await h.call('GET', '/v1/estates/DEMO/renewals', {
      token: admin,
      query: { date: '2025-06-05' },
    });
    expect(log.status).toBe(200);
    expect(log.json.runs).toHaveLength(1);
    const line = log.json.runs[0];
    expect(line).toMatchObject({
      estateId: 'DEMO',
      asOf: '2025-06-05',
      actor: 'cashier-test',
      skipped: 0,
      failedCount: 0,
      failed: [],
    });
    expect(line.issuedCount).toBe(line.issued.length);
    const renewal = (
      await h.call('GET', `/v1/units/${u['renewed']!.unitId}`, { token: admin })
    ).json.openInvoices.find((i: { invoiceNo: string }) => i.invoiceNo !== waste.invoiceNo);
    expect(line.issued).toContain(renewal.invoiceNo);
    expect(
      (await h.call('GET', '/v1/estates/DEMO/renewals', { token: admin, query: { date: '2025-06-06' } })).json
        .runs,
    ).toEqual([]);
    expect((await h.call('GET', '/v1/estates/DEMO/renewals', { token: cashier })).status).toBe(403);
  });

  it('a unit with arrears still got its renewal, and the report shows both', async () => {
    const r = rowOf(await report('2025-06-10'), 'renewed')!;
    expect(r.overdue).toBe(formatFen(waste.total));
    expect(r.notYetDue).toBe('1934.50');
    expect(r.oldestDueDate).toBe('2025-05-20');
  });
});

describe('totals and files', () => {
  it('pages with a cursor, most overdue first, and the totals are the sums of the rows', async () => {
    const all = await report('2025-06-23', { limit: '1000' });
    const items: {
      overdue: string;
      buckets: Record<string, string>;
      byFeeCode: { feeCode: string; amount: string }[];
    }[] = [];
    let cursor: string | undefined;
    do {
      const p = await report('2025-06-23', { limit: '1', ...(cursor ? { cursor } : {}) });
      expect(p.status).toBe(200);
      expect(p.json.items.length).toBeLessThanOrEqual(1);
      items.push(...p.json.items);
      cursor = p.json.nextCursor;
    } while (cursor);
    expect(items).toEqual(all.json.items);
    expect(items.length).toBeGreaterThanOrEqual(3);
    const fen = (s: string) => parseMoney(s, 'x');
    const amounts = items.map((i) => fen(i.overdue));
    expect([...amounts].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0))).toEqual(amounts);
    const t = all.json.totals;
    expect(fen(t.overdue)).toBe(amounts.reduce((a, b) => a + b, 0n));
    for (const k of Object.keys(t.buckets))
      expect(fen(t.buckets[k]), k).toBe(items.reduce((s, i) => s + fen(i.buckets[k]!), 0n));
    for (const f of t.byFeeCode as { feeCode: string; overdue: string }[]) {
      const sum = items.reduce(
        (s, i) => s + fen(i.byFeeCode.find((b) => b.feeCode === f.feeCode)?.amount ?? '0.00'),
        0n,
      );
      expect(fen(f.overdue), f.feeCode).toBe(sum);
    }
  });

  it('CSV and XLSX: Chinese headers, money 0.00, frozen header, a 合计 row equal to the totals', async () => {
    const json = (await report('2025-06-23', { limit: '1000' })).json;
    const csv = await h.call('GET', '/v1/reports/arrears.csv', {
      token: accountant,
      query: { estateId: 'DEMO', asOf: '2025-06-23' },
    });
    expect(csv.status).toBe(200);
    const lines = csv.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    const head = lines[0]!.split(',');
    expect(head.slice(0, 9)).toEqual([
      '房屋编号',
      '楼栋',
      '单元',
      '房号',
      '业主',
      '电话',
      '欠费金额',
      '最早到期日',
      '逾期天数',
    ]);
    expect(lines.length).toBe(json.items.length + 2);
    const last = lines[lines.length - 1]!.split(',');
    expect(last[0]).toBe('合计');
    expect(last[head.indexOf('欠费金额')]).toBe(json.totals.overdue);
    expect(last[head.indexOf('91-180天')]).toBe(json.totals.buckets.days91to180);
    expect(last[head.indexOf('期初欠费')]).toBe(
      json.totals.byFeeCode.find((f: { feeCode: string }) => f.feeCode === 'OPENING_ARREARS').overdue,
    );

    const res = await fetch(new URL('/v1/reports/arrears.xlsx?estateId=DEMO&asOf=2025-06-23', h.url), {
      headers: { authorization: `Bearer ${accountant}` },
    });
    expect(res.status).toBe(200);
    const { default: ExcelJS } = await import('exceljs');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
    const ws = wb.worksheets[0]!;
    expect(ws.getRow(1).getCell(7).value).toBe('欠费金额');
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.getRow(2).getCell(7).numFmt).toBe('0.00');
    expect(typeof ws.getRow(2).getCell(7).value).toBe('number');
    const total = ws.getRow(json.items.length + 2);
    expect(total.getCell(1).value).toBe('合计');
    expect((total.getCell(7).value as number).toFixed(2)).toBe(json.totals.overdue);
  });
});

describe('deductions are income', () => {
  it('on the re-inspection date, even when entered later', async () => {
    const reno = await registerRenovation(at('2025-03-01T10:00:00+08:00'), {
      unitId: u['opening']!.unitId,
      cards: 1,
    });
    await payInvoice(at('2025-03-01T10:10:00+08:00'), reno.invoice.invoiceNo, {
      channel: 'CASH',
      amount: formatFen(reno.invoice.total),
    });
    await recordAcceptance(at('2025-04-01T10:00:00+08:00'), reno.renovation.caseId, {
      date: '2025-04-01',
      passed: true,
    });
    await recordReinspection(at('2025-07-10T10:00:00+08:00'), reno.renovation.caseId, {
      date: '2025-06-05',
      passed: false,
      deductions: [{ amount: '200.00', reason: '墙面损坏', evidenceRef: 'IMG-1' }],
    });
    h.clock.set('2025-12-31T12:00:00+08:00');
    const sum = async (from: string, to: string) =>
      (
        await h.call('GET', '/v1/reports/summary', {
          token: accountant,
          query: { estateId: 'DEMO', from, to },
        })
      ).json;
    const june = await sum('2025-06-01', '2025-06-30');
    const d = june.byFeeCode.find((c: { feeCode: string }) => c.feeCode === 'DEPOSIT_DEDUCTION');
    expect([d.receivable, d.received, d.outstanding, d.deposit]).toEqual(['200.00', '200.00', '0.00', false]);
    expect(june.deposits.deducted).toBe('200.00');
    const july = await sum('2025-07-01', '2025-07-31');
    expect(july.byFeeCode.find((c: { feeCode: string }) => c.feeCode === 'DEPOSIT_DEDUCTION').received).toBe(
      '0.00',
    );
    // Received in June includes the deduction: the totals are the sum of the income codes.
    const incomes = june.byFeeCode.filter((c: { deposit: boolean }) => !c.deposit);
    expect(parseMoney(june.totals.received, 'r')).toBe(
      incomes.reduce(
        (s: bigint, c: { received: string }) => s + parseMoney(c.received, 'x', { allowNegative: true }),
        0n,
      ),
    );
  });
});

describe('where people look', () => {
  it('GET /v1/units/{unitId} carries the same arrears as the report for today', async () => {
    h.clock.set('2025-06-23T12:00:00+08:00');
    const view = await h.call('GET', `/v1/units/${u['opening']!.unitId}`, { token: cashier });
    expect(view.status).toBe(200);
    const row = rowOf(await report('2025-06-23'), 'opening')!;
    expect(view.json.arrears).toEqual({
      amount: row.overdue,
      oldestDueDate: row.oldestDueDate,
      daysOverdue: row.daysOverdue,
      invoiceNos: [opening.invoiceNo],
    });
    const none = await h.call('GET', `/v1/units/${u['ahead']!.unitId}`, {
      token: await h.token('owner', { units: [u['ahead']!.unitId] }),
    });
    expect(none.json.arrears).toEqual({
      amount: '0.00',
      oldestDueDate: null,
      daysOverdue: null,
      invoiceNos: [],
    });
  });

  it('the dunning notice lists the overdue bills with the total in 大写 (JSON and printable HTML)', async () => {
    h.clock.set('2025-09-09T12:00:00+08:00');
    const path = `/v1/units/${u['renewed']!.unitId}/dunning-notice`;
    const json = await h.call('GET', path, { token: cashier, headers: { accept: 'application/json' } });
    expect(json.status).toBe(200);
    // The waste fee (due 2025-05-20) and the renewal (due 2025-07-01) are both overdue now.
    const total = waste.total + 193450n;
    expect(json.json).toMatchObject({
      estateId: 'DEMO',
      building: '9栋',
      room: '103',
      asOf: '2025-09-09',
      total: formatFen(total),
      totalInWords: '人民币贰仟叁佰捌拾贰元叁角整',
    });
    expect(formatFen(total)).toBe('2382.30');
    expect(json.json.bills.map((b: { dueDate: string }) => b.dueDate)).toEqual(['2025-05-20', '2025-07-01']);
    expect(json.json.bills[1]).toMatchObject({
      periodStart: '2025-07-01',
      periodLastDay: '2026-06-30',
      amount: '1934.50',
    });
    const html = await h.call('GET', path, { token: cashier });
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.text).toContain('催缴通知单');
    expect(html.text).toContain('人民币贰仟叁佰捌拾贰元叁角整');
    expect(html.text).toContain('2025-07-01 至 2026-06-30');
    expect(html.text).toContain('size: A4');
    const a5 = await h.call('GET', path, { token: cashier, query: { paper: 'A5' } });
    expect(a5.text).toContain('size: A5');
    const clear = await h.call('GET', `/v1/units/${u['ahead']!.unitId}/dunning-notice`, { token: cashier });
    expect([clear.status, clear.json.error.code]).toEqual([409, 'NO_ARREARS']);
  });

  it('the batch print holds one notice per unit over the threshold or at least as old as the bucket', async () => {
    h.clock.set('2025-12-31T12:00:00+08:00');
    const rows = (await report('2025-06-23', { limit: '1000' })).json.items as {
      unitId: string;
      overdue: string;
      daysOverdue: number;
    }[];
    const q = { estateId: 'DEMO', asOf: '2025-06-23' };
    const big = await h.call('GET', '/v1/reports/arrears/dunning-notices', {
      token: cashier,
      query: { ...q, minAmount: '2000.00' },
    });
    expect(big.status).toBe(200);
    const units = [...big.text.matchAll(/data-unit="([^"]+)"/g)].map((m) => m[1]);
    expect(units).toEqual(rows.filter((r) => parseMoney(r.overdue, 'x') >= 200000n).map((r) => r.unitId));
    expect(big.text.match(/<section class="notice"/g)!.length).toBe(units.length);
    const old = await h.call('GET', '/v1/reports/arrears/dunning-notices', {
      token: cashier,
      query: { ...q, bucket: 'days91to180' },
    });
    expect([...old.text.matchAll(/data-unit="([^"]+)"/g)].map((m) => m[1])).toEqual(
      rows.filter((r) => r.daysOverdue >= 91).map((r) => r.unitId),
    );
  });
});

describe('bad input', () => {
  it('answers 4xx naming the field: asOf not a date, more than a year ahead, an estate outside scope', async () => {
    h.clock.set('2025-12-31T12:00:00+08:00');
    const bad = await report('2025-13-01');
    expect([bad.status, bad.json.error.details[0].field]).toEqual([400, 'asOf']);
    const far = await report('2027-01-01');
    expect([far.status, far.json.error.details[0].code]).toEqual([400, 'AS_OF_TOO_FAR']);
    expect((await report('2026-12-31')).status).toBe(200);
    const other = await h.call('GET', '/v1/reports/arrears', {
      token: accountant,
      query: { estateId: 'ELSE', asOf: '2025-06-01' },
    });
    expect(other.status).toBe(403);
    const cursor = await report('2025-06-01', { cursor: 'bm9wZQ' });
    expect([cursor.status, cursor.json.error.details[0].field]).toEqual([400, 'cursor']);
    const owner = await h.call('GET', `/v1/units/${u['opening']!.unitId}/dunning-notice`, {
      token: await h.token('owner', { units: [u['opening']!.unitId] }),
    });
    expect(owner.status).toBe(403);
  });
});
