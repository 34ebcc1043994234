/**
 * 日结 / 交班 on the wire: two cashiers' day, a credit note, the drawer count and its difference;
 * a cashier reads only their own day; the slip as CSV and XLSX.
 */
import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Unit } from '../../lib/billing/records.js';
import { type ApiHarness, apiHarness } from '../support/api.js';

let h: ApiHarness;
let li: string;
let wang: string;
let accountant: string;
let units: Unit[];
const DAY = '2026-03-02';

async function issueAndPay(token: string, unitId: string, pay: Record<string, string>) {
  const inv = await h.call('POST', '/v1/invoices', {
    token,
    body: { unitId, items: [{ type: 'PROPERTY_FEE' }] },
    headers: { 'Idempotency-Key': randomUUID() },
  });
  expect(inv.status, inv.text).toBe(201);
  const r = await h.call('POST', `/v1/invoices/${inv.json.invoiceId}/payments`, {
    token,
    body: { amount: inv.json.total, ...pay },
    headers: { 'Idempotency-Key': randomUUID() },
  });
  expect(r.status, r.text).toBe(201);
  return { invoice: inv.json, receipt: r.json };
}

beforeAll(async () => {
  h = await apiHarness();
  h.clock.set(`${DAY}T09:00:00+08:00`);
  units = await h.seedDemo();
  li = await h.token('cashier', { sub: 'li' });
  wang = await h.token('cashier', { sub: 'wang' });
  accountant = await h.token('accountant');
  await issueAndPay(li, units[0]!.unitId, { channel: 'CASH', tendered: '5000.00' });
  const credited = await issueAndPay(li, units[1]!.unitId, { channel: 'TRANSFER', reference: 'BANK-1' });
  await issueAndPay(wang, units[2]!.unitId, { channel: 'CASH' });
  const note = await h.call('POST', `/v1/invoices/${credited.invoice.invoiceId}/credit-notes`, {
    token: li,
    body: { reason: '重复收费' },
    headers: { 'Idempotency-Key': randomUUID() },
  });
  expect(note.status, note.text).toBe(201);
});

afterAll(() => h?.close());

const get = (token: string, query: Record<string, string>, path = '/v1/reports/cashup') =>
  h.call('GET', path, { token, query: { estateId: 'DEMO', date: DAY, ...query } });

describe('GET /v1/reports/cashup', () => {
  it("gives a cashier their own day: cash, transfer, the credit note and the drawer's cash", async () => {
    const r = await get(li, {});
    expect(r.status, r.text).toBe(200);
    expect(r.json.cashier).toBe('li');
    const cash = r.json.byChannel.find((c: { channel: string }) => c.channel === 'CASH');
    const transfer = r.json.byChannel.find((c: { channel: string }) => c.channel === 'TRANSFER');
    expect(cash.count).toBe(1);
    expect(transfer.count).toBe(1);
    expect(r.json.creditNotes).toEqual({ count: 1, total: transfer.total });
    expect(r.json.cashExpected).toBe(cash.total);
    expect(r.json.byCashier.map((c: { cashier: string }) => c.cashier)).toEqual(['li']);
    expect(r.json.numberRanges.map((x: { series: string }) => x.series)).toEqual(['RECEIPT', 'CREDIT_NOTE']);
  });

  it("refuses a cashier another cashier's day, and lets an accountant read anyone's", async () => {
    const refused = await get(li, { cashier: 'wang' });
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('OWN_CASHUP_ONLY');
    const all = await get(accountant, {});
    expect(all.status, all.text).toBe(200);
    expect(all.json.cashier).toBeNull();
    expect(all.json.byCashier.map((c: { cashier: string }) => c.cashier)).toEqual(['li', 'wang']);
    const sum = all.json.byCashier.reduce(
      (a: bigint, c: { cashExpected: string }) => a + BigInt(c.cashExpected.replace('.', '')),
      0n,
    );
    expect(BigInt(all.json.cashExpected.replace('.', ''))).toBe(sum);
  });

  it('names a bad date', async () => {
    const r = await get(li, { date: '2026-02-30' });
    expect(r.status).toBe(400);
    expect(r.json.error.details[0].field).toBe('date');
  });
});

describe('POST /v1/estates/{estateId}/cashups (交班)', () => {
  it('records the count and its difference, audited, replayed under its key, and shows it on the slip', async () => {
    const expected = (await get(li, {})).json.cashExpected as string;
    const key = randomUUID();
    const count = () =>
      h.call('POST', '/v1/estates/DEMO/cashups', {
        token: li,
        body: { date: DAY, counted: '100.00', note: '少一百' },
        headers: { 'Idempotency-Key': key },
      });
    const r = await count();
    expect(r.status, r.text).toBe(201);
    expect(r.json).toMatchObject({ cashier: 'li', counted: '100.00', cashExpected: expected });
    const diff = BigInt('10000') - BigInt(expected.replace('.', ''));
    expect(BigInt(r.json.difference.replace('.', ''))).toBe(diff);
    const audits = (await h.scan()).filter((i) => i['action']?.S === 'DRAWER_COUNTED');
    expect(audits.map((a) => [a['actor']?.S, a['reason']?.S])).toEqual([['li', '少一百']]);
    const again = await count();
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const day = await get(li, {});
    expect(day.json.counts).toHaveLength(1);
    expect(day.json.counts[0].difference).toBe(r.json.difference);

    const csv = await get(li, {}, '/v1/reports/cashup.csv');
    expect(csv.status).toBe(200);
    expect(csv.text).toContain('应有现金');
    expect(csv.text).toContain(`实点现金,,100.00`);

    const file = await fetch(new URL(`/v1/reports/cashup.xlsx?estateId=DEMO&date=${DAY}`, h.url), {
      headers: { authorization: `Bearer ${accountant}` },
    });
    expect(file.headers.get('content-type')).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await file.arrayBuffer());
    const ws = wb.worksheets[0]!;
    expect(ws.getRow(1).values).toEqual([undefined, '收款员', '项目', '笔数', '金额']);
    const diffRow = ws.getRows(2, ws.rowCount - 1)!.find((row) => row.getCell(2).value === '差额')!;
    expect(diffRow.getCell(4).numFmt).toBe('0.00');
    expect(diffRow.getCell(4).value).toBe(Number(diff) / 100);
  });

  it('refuses a day that has not begun, naming date, and writes nothing', async () => {
    const before = await h.scan();
    const r = await h.call('POST', '/v1/estates/DEMO/cashups', {
      token: wang,
      body: { date: '2026-03-03', counted: '1.00' },
      headers: { 'Idempotency-Key': randomUUID() },
    });
    expect(r.status).toBe(400);
    expect(r.json.error.details[0].field).toBe('date');
    const after = (await h.scan()).filter((i) => !String(i['PK']?.S ?? '').startsWith('IDEMP#'));
    expect(after).toEqual(before.filter((i) => !String(i['PK']?.S ?? '').startsWith('IDEMP#')));
  });
});
