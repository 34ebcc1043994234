/**
 * Roster import, import state, roster export and the unit search's `q`, through the HTTP server
 * `npm start` runs, with real tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditPk } from '../../lib/store/keys.js';
import { businessDate } from '../../lib/time.js';
import { type ApiHarness, apiHarness } from '../support/api.js';
import { excelDay, utf8Csv, xlsxFile, ZH_HEADER } from '../support/roster-files.js';

let h: ApiHarness;
let admin: string;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

beforeAll(async () => {
  h = await apiHarness();
  h.clock.set('2026-05-20T10:00:00+08:00');
  await h.seedDemo();
  admin = await h.token('admin');
});
afterAll(() => h?.close());

const upload = (file: Uint8Array, type: string, opts: { dryRun?: boolean; key?: string } = {}) =>
  h.call('POST', '/v1/estates/DEMO/imports', {
    token: admin,
    raw: file,
    headers: { 'content-type': type, ...(opts.key ? { 'idempotency-key': opts.key } : {}) },
    ...(opts.dryRun ? { query: { dryRun: 'true' } } : {}),
  });

const roster = [
  [...ZH_HEADER],
  [
    '10栋',
    '',
    '1001',
    '高层',
    '89.56',
    '2015-06-01',
    '2026-05-31',
    '',
    '陈一',
    '13812341234',
    '',
    '',
    '',
    '',
  ],
  [
    '2栋',
    '1单元',
    '101',
    '公寓',
    '45.33',
    '1998-01-01',
    '2025-12-31',
    '500.00',
    '林二',
    '13900001111',
    '',
    '',
    '',
    '',
  ],
  ['1栋', '', '1001', '高层', '100', '2016-01-01', '', '', '林三', '13700002222', '', '', '', ''],
  ['1栋', '', '101', '高层', '100', '2016-01-01', '', '', '周四', '13600003333', '', '', '', ''],
];

describe('roster import over HTTP', () => {
  it('dry run answers 200 with the report; a commit needs a key and answers 201; its state reads back', async () => {
    const file = await xlsxFile([
      [...ZH_HEADER],
      [
        '10栋',
        null,
        '1001',
        '高层',
        89.56,
        excelDay('2015-06-01'),
        excelDay('2026-05-31'),
        null,
        '陈一',
        13812341234,
        null,
        null,
        null,
        null,
      ],
    ]);
    const d = await upload(file, XLSX, { dryRun: true });
    expect(d.status, d.text).toBe(200);
    expect(d.json).toMatchObject({
      dryRun: true,
      counts: { rows: 1, created: 1 },
      rows: [{ row: 2, action: 'create' }],
    });
    const noKey = await upload(file, XLSX);
    expect(noKey.status).toBe(400);
    expect(noKey.json.error.details[0]).toMatchObject({ field: 'Idempotency-Key' });

    const c = await upload(utf8Csv(roster), 'text/csv', { key: 'roster-1' });
    expect(c.status, c.text).toBe(201);
    expect(c.json).toMatchObject({ state: 'DONE', counts: { rows: 4, created: 4, invalid: 0 } });
    const replay = await upload(utf8Csv(roster), 'text/csv', { key: 'roster-1' });
    expect(replay.status).toBe(201);
    expect(replay.json.importId).toBe(c.json.importId);
    const s = await h.call('GET', `/v1/estates/DEMO/imports/${c.json.importId}`, { token: admin });
    expect(s.status, s.text).toBe(200);
    expect(s.json).toMatchObject({ state: 'DONE', progress: { chunksDone: 1, chunks: 1 } });
    expect(s.json.rows).toHaveLength(4);
  });

  it('answers a bad file’s commit with 422 and the report in error.details, a too large one with 413', async () => {
    const bad = utf8Csv([
      [...ZH_HEADER],
      ['5栋', '', '501', '别墅', '89.56', '2020-01-01', '', '', '', '', '', '', '', ''],
    ]);
    const r = await upload(bad, 'text/csv', { key: 'bad-1' });
    expect(r.status, r.text).toBe(422);
    expect(r.json.error.code).toBe('INVALID_ROSTER');
    expect(r.json.error.details[0].problems).toMatchObject([
      { row: 2, column: '类型', code: 'INVALID_UNIT_TYPE' },
    ]);
    const big = await upload(new Uint8Array(6 * 1024 * 1024 + 1).fill(0x41), 'text/csv', { dryRun: true });
    expect(big.status).toBe(413);
    expect(big.json.error.message).toMatch(/split the roster/);
  });

  it('exports the roster masked (CSV, XLSX), full only on request and audited; export → import is a no-op', async () => {
    const csv = await h.call('GET', '/v1/estates/DEMO/roster.csv', { token: admin });
    expect(csv.status, csv.text).toBe(200);
    expect(csv.text).toContain('*******1234');
    expect(csv.text).not.toContain('13812341234');
    const xlsx = await h.call('GET', '/v1/estates/DEMO/roster.xlsx', { token: admin });
    expect(xlsx.status).toBe(200);
    for (const [bytes, type] of [
      [csv.bytes, 'text/csv'],
      [xlsx.bytes, XLSX],
    ] as const) {
      const d = await upload(bytes, type, { dryRun: true });
      expect(d.json.problems).toEqual([]);
      expect(d.json.counts.unchanged).toBe(d.json.counts.rows);
      expect(d.json.counts.rows).toBeGreaterThanOrEqual(9); // the demo's five units and the four imported
    }
    const before = await h.db.queryAll({
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': auditPk('DEMO', businessDate(h.clock.now)) },
    });
    const full = await h.call('GET', '/v1/estates/DEMO/roster', { token: admin, query: { full: 'true' } });
    expect(full.json.items.map((i: { phone?: string }) => i.phone)).toContain('13812341234');
    const after = await h.db.queryAll({
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': auditPk('DEMO', businessDate(h.clock.now)) },
    });
    expect(after.filter((a) => a['action'] === 'ROSTER_EXPORTED_FULL').length).toBe(
      before.filter((a) => a['action'] === 'ROSTER_EXPORTED_FULL').length + 1,
    );
  });
});

describe('finding units with q', () => {
  const find = async (query: Record<string, string>) => {
    const r = await h.call('GET', '/v1/estates/DEMO/units', { token: await h.token('cashier'), query });
    expect(r.status, r.text).toBe(200);
    return r.json as { items: { building: string; room: string; entrance?: string }[]; nextCursor?: string };
  };
  const addr = (j: { items: { building: string; room: string }[] }) =>
    j.items.map((u) => `${u.building}/${u.room}`);

  it('finds by owner name, phone tail (full-width digits too) and room, in natural order', async () => {
    expect(addr(await find({ q: '林' }))).toEqual(['1栋/1001', '2栋/101']);
    expect(addr(await find({ q: '１２３４' }))).toEqual(['10栋/1001']);
    expect(addr(await find({ q: '1001' }))).toEqual(['1栋/1001', '10栋/1001']);
    const all = addr(await find({ limit: '1000' }));
    const mine = all.filter((a) => ['1栋/101', '1栋/1001', '2栋/101', '10栋/1001'].includes(a));
    expect(mine).toEqual(['1栋/101', '1栋/1001', '2栋/101', '10栋/1001']);
  });

  it('pages with a cursor that belongs to its own list', async () => {
    const first = await find({ q: '1001', limit: '1' });
    expect(addr(first)).toEqual(['1栋/1001']);
    const second = await find({ q: '1001', limit: '1', cursor: first.nextCursor! });
    expect(addr(second)).toEqual(['10栋/1001']);
    expect(second.nextCursor).toBeUndefined();
    const other = await h.call('GET', '/v1/estates/DEMO/units', {
      token: await h.token('cashier'),
      query: { q: '林', cursor: first.nextCursor! },
    });
    expect(other.status).toBe(400);
  });
});
