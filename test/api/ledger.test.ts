/**
 * The accountant's routes on the wire (API.md `/v1/ledger`, `/v1/ledger.csv`, `/v1/reports/summary`)
 * through the server `npm start` runs, with real tokens: pages and cursors, CSV bytes and parts,
 * the summary as the documents tell it, and every bad parameter answered 4xx naming the field.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEstate } from '../../lib/billing/estates.js';
import { issueInvoice } from '../../lib/billing/invoices.js';
import { payInvoice } from '../../lib/billing/payments.js';
import type { Unit } from '../../lib/billing/records.js';
import { createUnit } from '../../lib/billing/units.js';
import { presentSummary } from '../../lib/ledger/summary-present.js';
import { formatFen } from '../../lib/money.js';
import { type ApiHarness, apiHarness, isErrorBody } from '../support/api.js';
import { importNeighbours } from '../support/entrances.js';
import { estateDocuments, summaryFromDocuments } from '../support/ledger-reconcile.js';

let h: ApiHarness;
let accountant: string;
let units: Unit[];
const range = { estateId: 'DEMO', from: '2025-01-01', to: '2025-12-31' };

beforeAll(async () => {
  h = await apiHarness();
  accountant = await h.token('accountant');
  units = await h.seedDemo();
  const at = (iso: string, role: 'cashier' | 'owner' | 'admin' = 'cashier') => {
    h.clock.set(iso);
    return h.ctx(role, role === 'owner' ? { units: units.map((u) => u.unitId) } : {});
  };
  // The commercial unit, delivered 2023-03-01, moves in late: three annual periods on one invoice.
  const late = await issueInvoice(at('2025-03-01T10:00:00+08:00'), {
    unitId: units[3]!.unitId,
    items: [{ type: 'PROPERTY_FEE' }],
  });
  await payInvoice(at('2025-03-01T10:05:00+08:00'), late.invoiceNo, {
    channel: 'CASH',
    amount: formatFen(late.total),
  });
  await issueInvoice(at('2025-03-02T11:00:00+08:00'), {
    unitId: units[2]!.unitId,
    items: [{ type: 'PROPERTY_FEE' }],
  });
  const withSpace = await issueInvoice(at('2025-06-05T09:00:00+08:00'), {
    unitId: units[0]!.unitId,
    items: [{ type: 'PROPERTY_FEE' }, { type: 'PARKING_SPACE_FEE' }],
  });
  await payInvoice(at('2025-06-05T20:30:00+08:00', 'owner'), withSpace.invoiceNo, {
    channel: 'KIOSK_WECHAT',
    amount: formatFen(withSpace.total),
    reference: 'WX-20250605-1',
  });
  // A room typed like a formula must reach a spreadsheet as text.
  const odd = await createUnit(at('2025-07-01T09:00:00+08:00', 'admin'), 'DEMO', {
    building: '3栋',
    room: '=1+1',
    unitType: 'HIGH_RISE',
    area: '100.00',
    deliveryDate: '2025-07-01',
    ownerIds: ['o'],
  });
  await issueInvoice(at('2025-07-01T10:00:00+08:00'), {
    unitId: odd.unitId,
    items: [{ type: 'PROPERTY_FEE' }],
  });
});

afterAll(() => h?.close());

const query = (extra: Record<string, string> = {}) => ({ ...range, ...extra });

/** The raw bytes of a CSV answer (fetch's text() would drop the BOM). */
async function rawGet(path: string, q: Record<string, string>, token = accountant) {
  const url = new URL(path, h.url);
  for (const [k, v] of Object.entries(q)) url.searchParams.set(k, v);
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  return {
    status: res.status,
    headers: Object.fromEntries(res.headers),
    bytes: Buffer.from(await res.arrayBuffer()),
  };
}

describe('GET /v1/ledger', () => {
  it('lists the range in time order with money as strings, unit labels and periods', async () => {
    const r = await h.call('GET', '/v1/ledger', { token: accountant, query: query() });
    expect(r.status, r.text).toBe(200);
    expect(r.json.nextCursor).toBeUndefined();
    const items = r.json.items as Record<string, unknown>[];
    expect(items.map((i) => [i['kind'], i['feeCode'], i['amount']])).toEqual([
      ['INVOICE_ISSUED', 'PROPERTY_FEE', '4338.00'],
      ['INVOICE_ISSUED', 'PROPERTY_FEE', '4338.00'],
      ['INVOICE_ISSUED', 'PROPERTY_FEE', '4338.00'],
      ['PAYMENT_RECEIVED', 'PROPERTY_FEE', '4338.00'],
      ['PAYMENT_RECEIVED', 'PROPERTY_FEE', '4338.00'],
      ['PAYMENT_RECEIVED', 'PROPERTY_FEE', '4338.00'],
      ['INVOICE_ISSUED', 'PROPERTY_FEE', '6300.00'],
      ['INVOICE_ISSUED', 'PROPERTY_FEE', '1934.50'],
      ['INVOICE_ISSUED', 'PARKING_SPACE_FEE', '360.00'],
      ['PAYMENT_RECEIVED', 'PROPERTY_FEE', '1934.50'],
      ['PAYMENT_RECEIVED', 'PARKING_SPACE_FEE', '360.00'],
      ['INVOICE_ISSUED', 'PROPERTY_FEE', '2160.00'],
    ]);
    expect(items[0]).toMatchObject({
      businessDate: '2025-03-01',
      at: '2025-03-01T10:00:00+08:00',
      unitId: units[3]!.unitId,
      building: '商业街',
      room: '12',
      period: { start: '2023-03-01', end: '2024-03-01', lastDay: '2024-02-29' },
      actor: 'cashier-test',
    });
    expect(items[9]).toMatchObject({
      kind: 'PAYMENT_RECEIVED',
      channel: 'KIOSK_WECHAT',
      actor: 'owner-test',
      businessDate: '2025-06-05',
    });
  });

  it('pages with an opaque cursor; the last page carries none', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const r = await h.call('GET', '/v1/ledger', {
        token: accountant,
        query: query({ limit: '5', ...(cursor ? { cursor } : {}) }),
      });
      expect(r.status, r.text).toBe(200);
      seen.push(
        ...r.json.items.map(
          (i: { documentNo: string; kind: string; feeCode: string; period?: { start: string } }) =>
            `${i.documentNo}/${i.kind}/${i.feeCode}/${i.period?.start}`,
        ),
      );
      cursor = r.json.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3); // 12 entries: 5, 5, 2
    expect(new Set(seen).size).toBe(12);
  });

  it('answers a narrower range with only its dates, and an empty one with no items', async () => {
    const june = await h.call('GET', '/v1/ledger', {
      token: accountant,
      query: query({ from: '2025-06-05', to: '2025-06-05' }),
    });
    expect(june.json.items).toHaveLength(4);
    const none = await h.call('GET', '/v1/ledger', {
      token: accountant,
      query: query({ from: '2024-01-01', to: '2024-12-31' }),
    });
    expect(none.json).toEqual({ items: [] });
  });

  it('refuses bad parameters with 400 naming the field', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ from: '2025-02-30' }, 'from'],
      [{ to: '2025-13-01' }, 'to'],
      [{ from: '2025-06-01', to: '2025-05-31' }, 'to'],
      [{ limit: '0' }, 'limit'],
      [{ limit: '1001' }, 'limit'],
      [{ limit: '1.5' }, 'limit'],
      [{ cursor: 'eyJQSyI6IkxFREdFUiNPVEhFUiJ9' }, 'cursor'],
      [{ cursor: '%%%' }, 'cursor'],
      [{ estateId: 'demo' }, 'estateId'],
      [{ sort: 'desc' }, 'query'],
    ];
    for (const [q, field] of cases) {
      const r = await h.call('GET', '/v1/ledger', { token: accountant, query: query(q) });
      expect([q, r.status], r.text).toEqual([q, 400]);
      expect(isErrorBody(r.json)).toBe(true);
      if (field !== 'query')
        expect(r.json.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    const missing = await h.call('GET', '/v1/ledger', {
      token: accountant,
      query: { estateId: 'DEMO', from: '2025-01-01' },
    });
    expect(missing.status).toBe(400);
    expect(missing.json.error.details[0].field).toBe('to');
  });

  it('is for accountants of the estate: others 403, an unknown estate 404', async () => {
    for (const role of ['cashier', 'admin', 'owner', 'kiosk', 'gate'] as const) {
      const r = await h.call('GET', '/v1/ledger', { token: await h.token(role), query: query() });
      expect([role, r.status]).toEqual([role, 403]);
    }
    const elsewhere = await h.call('GET', '/v1/ledger', {
      token: await h.token('accountant', { estates: ['OTHER'] }),
      query: query(),
    });
    expect([elsewhere.status, elsewhere.json.error.code]).toEqual([403, 'OUTSIDE_ESTATE']);
    const unknown = await h.call('GET', '/v1/ledger', {
      token: await h.token('accountant', { estates: ['NOPE'] }),
      query: query({ estateId: 'NOPE' }),
    });
    expect(unknown.status).toBe(404);
    expect((await h.call('GET', '/v1/ledger', { query: query() })).status).toBe(401);
  });
});

describe('GET /v1/ledger.csv', () => {
  it('is UTF-8 with a BOM, CRLF, Chinese headers on request, names and codes translated', async () => {
    const r = await rawGet('/v1/ledger.csv', query({ lang: 'zh' }));
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(r.headers['content-disposition']).toBe(
      'attachment; filename="ledger-DEMO-2025-01-01-2025-12-31.csv"',
    );
    expect(r.headers['x-next-cursor']).toBeUndefined();
    expect(r.headers['x-row-count']).toBe('12');
    expect([...r.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = r.bytes.toString('utf8').slice(1);
    const lines = text.split('\r\n');
    expect(lines.at(-1)).toBe('');
    expect(lines).toHaveLength(14);
    expect(text.replace(/\r\n/g, '').includes('\n')).toBe(false);
    expect(lines[0]).toBe(
      '日期,时间,类型,单据号,账单号,收据号,红冲单号,房屋编号,楼栋,单元,房号,车牌,收费项目,期间起,期间止,金额,渠道,经办人',
    );
    expect(lines[1]).toMatch(
      /^2025-03-01,10:00:00,开具账单,DEMO-2025-000001,DEMO-2025-000001,,,DEMO-U0004,商业街,,12,,物业服务费,2023-03-01,2024-02-29,4338\.00,,cashier-test$/,
    );
    expect(lines[11]).toContain(',收款,');
    expect(lines[11]).toContain(',车位物业服务费,');
    expect(lines[11]).toMatch(/,360\.00,自助机微信支付,owner-test$/);
    // The formula-like room is text, not a formula.
    expect(lines[12]).toContain(",3栋,,'=1+1,");
    const en = await rawGet('/v1/ledger.csv', query());
    expect(en.bytes.toString('utf8').split('\r\n')[0]).toBe(
      '\uFEFFbusinessDate,time,kind,documentNo,invoiceNo,receiptNo,creditNoteNo,unitId,building,entrance,room,plate,feeCode,periodStart,periodLastDay,amount,channel,actor',
    );
  });

  it('comes in parts: each a whole file, the next named by x-next-cursor and Link; together every row once', async () => {
    const rows: string[] = [];
    let cursor: string | undefined;
    let parts = 0;
    let header = '';
    do {
      const r = await rawGet(
        '/v1/ledger.csv',
        query({ limit: '5', lang: 'zh', ...(cursor ? { cursor } : {}) }),
      );
      expect(r.status).toBe(200);
      const lines = r.bytes.toString('utf8').split('\r\n').slice(0, -1);
      expect(lines[0]!.startsWith('\uFEFF日期,')).toBe(true);
      header ||= lines[0]!;
      expect(lines[0]).toBe(header);
      rows.push(...lines.slice(1));
      expect(r.headers['x-row-count']).toBe(String(lines.length - 1));
      cursor = r.headers['x-next-cursor'];
      if (cursor) {
        const link = /^<([^>]+)>; rel="next"$/.exec(r.headers['link']!)![1]!;
        const next = new URL(link, h.url);
        expect(next.pathname).toBe('/v1/ledger.csv');
        expect(Object.fromEntries(next.searchParams)).toEqual({
          ...query({ lang: 'zh', limit: '5' }),
          cursor,
        });
      } else {
        expect(r.headers['link']).toBeUndefined();
      }
      parts++;
    } while (cursor);
    expect(parts).toBe(3);
    const whole = (await rawGet('/v1/ledger.csv', query({ lang: 'zh' }))).bytes
      .toString('utf8')
      .split('\r\n')
      .slice(1, -1);
    expect(rows).toEqual(whole);
  });

  it('refuses a bad language, a part size over 10,000 and a cursor of another range', async () => {
    const first = await rawGet('/v1/ledger.csv', query({ limit: '2' }));
    const cursor = first.headers['x-next-cursor']!;
    const bad: Record<string, string>[] = [
      { lang: 'fr' },
      { limit: '10001' },
      { from: '2025-06-01', cursor },
    ];
    for (const q of bad) {
      const r = await h.call('GET', '/v1/ledger.csv', { token: accountant, query: query(q) });
      expect([q, r.status], r.text).toEqual([q, 400]);
    }
    expect(
      (await h.call('GET', '/v1/ledger.csv', { token: await h.token('cashier'), query: query() })).status,
    ).toBe(403);
  });
});

describe('the entrance (单元) of a high-rise address (SPEC.md §8)', () => {
  it('JSON, CSV and XLSX tell 3栋1单元1201 from 3栋2单元1201: 单元 is the column after 楼栋', async () => {
    const admin = h.ctx('admin', { estates: ['TOWER'] });
    h.clock.set('2025-04-01T09:00:00+08:00');
    await createEstate(admin, { estateId: 'TOWER', name: '高层小区' });
    const { one, two } = await importNeighbours(admin, 'TOWER');
    for (const unitId of [one, two]) {
      h.clock.set('2025-04-02T10:00:00+08:00');
      await issueInvoice(h.ctx('cashier', { estates: ['TOWER'] }), {
        unitId,
        items: [{ type: 'PROPERTY_FEE' }],
      });
    }
    const token = await h.token('accountant', { estates: ['TOWER'] });
    const q = { estateId: 'TOWER', from: '2025-04-02', to: '2025-04-02' };
    const json = await h.call('GET', '/v1/ledger', { token, query: q });
    expect(json.status, json.text).toBe(200);
    expect(
      (json.json.items as Record<string, string>[]).map((i) => [
        i['unitId'],
        i['building'],
        i['entrance'],
        i['room'],
      ]),
    ).toEqual([
      [one, '3栋', '1单元', '1201'],
      [two, '3栋', '2单元', '1201'],
    ]);

    const csv = (await rawGet('/v1/ledger.csv', { ...q, lang: 'zh' }, token)).bytes.toString('utf8');
    const lines = csv.split('\r\n');
    expect(lines[1]).toContain(`,${one},3栋,1单元,1201,`);
    expect(lines[2]).toContain(`,${two},3栋,2单元,1201,`);

    const xlsx = await rawGet('/v1/ledger.xlsx', q, token);
    expect(xlsx.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.bytes as never);
    const ws = wb.worksheets[0]!;
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    const at = (name: string) => header.indexOf(name) + 1;
    expect(at('单元')).toBe(at('楼栋') + 1);
    expect(at('房号')).toBe(at('单元') + 1);
    expect([2, 3].map((r) => ['楼栋', '单元', '房号'].map((c) => ws.getRow(r).getCell(at(c)).value))).toEqual(
      [
        ['3栋', '1单元', '1201'],
        ['3栋', '2单元', '1201'],
      ],
    );
  });
});

describe('GET /v1/reports/summary', () => {
  it('reports 应收, 实收, 欠费 and the rates, equal to what the documents say', async () => {
    const r = await h.call('GET', '/v1/reports/summary', { token: accountant, query: query() });
    expect(r.status, r.text).toBe(200);
    expect(r.json.totals).toMatchObject({
      receivable: '23768.50', // 4338 × 3 + 6300 + 1934.50 + 360 + 2160
      received: '15308.50', // 4338 × 3 + 1934.50 + 360
      outstanding: '8460.00', // 6300 + 2160
      collectionRate: '0.6441',
      households: { billed: 4, paidInFull: 2, collectionRate: '0.5000' },
    });
    expect(
      r.json.byFeeCode.find((f: { feeCode: string }) => f.feeCode === 'PARKING_SPACE_FEE'),
    ).toMatchObject({
      receivable: '360.00',
      received: '360.00',
      collectionRate: '1.0000',
      households: { billed: 1, paidInFull: 1 },
    });
    expect(r.json.deposits).toMatchObject({ heldAtStart: '0.00', heldAtEnd: '0.00' });
    const docs = presentSummary(summaryFromDocuments(await estateDocuments(h.db, 'DEMO'), range));
    expect(r.json).toEqual(docs);
    const openapi = await h.call('GET', '/openapi.json');
    expect(Object.keys(openapi.json.paths['/v1/ledger.csv'].get.responses['200'].content)).toEqual([
      'text/csv',
    ]);
    expect(openapi.json.paths['/v1/reports/summary'].get.tags).toEqual(['ledger']);
  });

  it('has no rate where nothing was billed, and refuses a reversed range', async () => {
    const empty = await h.call('GET', '/v1/reports/summary', {
      token: accountant,
      query: query({ from: '2024-01-01', to: '2024-12-31' }),
    });
    expect(empty.json.totals).toMatchObject({
      receivable: '0.00',
      collectionRate: null,
      households: { billed: 0, collectionRate: null },
    });
    const reversed = await h.call('GET', '/v1/reports/summary', {
      token: accountant,
      query: query({ from: '2025-12-31', to: '2025-01-01' }),
    });
    expect([reversed.status, reversed.json.error.details[0].field]).toEqual([400, 'to']);
  });
});
