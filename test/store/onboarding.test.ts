/** Roster import (SPEC.md §8) against DynamoDB Local: real-looking files, opening balances, resume. */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEstate } from '../../lib/billing/estates.js';
import { issueInvoice, openInvoices } from '../../lib/billing/invoices.js';
import { searchUnits } from '../../lib/billing/unit-search.js';
import { getUnit, listSpaces } from '../../lib/billing/units.js';
import { UnprocessableError } from '../../lib/errors.js';
import { csvTable } from '../../lib/exports/csv.js';
import { xlsxTable } from '../../lib/exports/xlsx.js';
import { formatFen } from '../../lib/money.js';
import { chunksDone, getImport } from '../../lib/onboarding/commit.js';
import { type ImportReport, InvalidRosterError, runImport } from '../../lib/onboarding/import.js';
import { ROSTER_COLUMNS, readRoster } from '../../lib/onboarding/roster.js';
import { labelled, readArrearsBook } from '../../lib/reports/arrears-query.js';
import { ARREARS_COLUMNS, presentArrearsRow } from '../../lib/reports/arrears-table.js';
import { dunningNotice } from '../../lib/reports/dunning.js';
import { dunningHtml } from '../../lib/reports/dunning-html.js';
import { claimOwner, key } from '../../lib/store/keys.js';
import { billingHarness, type Harness } from '../support/billing.js';
import { EN_HEADER, excelDay, gbCsv, utf8Csv, xlsxFile, ZH_HEADER } from '../support/roster-files.js';

let h: Harness;
let estate = 0;
/** A fresh estate per test: imports of one test never see another's units. */
async function freshEstate(): Promise<string> {
  const estateId = `IM${++estate}`;
  await createEstate(h.ctx('admin', { estates: [estateId] }), { estateId, name: `导入小区${estate}` });
  return estateId;
}
const admin = (estateId: string) => h.ctx('admin', { estates: [estateId] });
const dry = (estateId: string, file: Uint8Array) =>
  runImport(admin(estateId), estateId, file, { dryRun: true });
const commit = (estateId: string, file: Uint8Array, idempotencyKey = `k-${Math.random()}`) =>
  runImport(admin(estateId), estateId, file, { dryRun: false, idempotencyKey });

async function unitAt(estateId: string, building: string, room: string, entrance?: string) {
  const guard = await h.db.get(key.unitNoGuard(estateId, building, room, entrance));
  if (!guard) return undefined;
  return getUnit(h, String(guard['unitId']));
}

const codes = (r: ImportReport) => r.problems.map((p) => `${p.row}:${p.column}:${p.code}`);

beforeAll(async () => {
  h = await billingHarness();
  h.clock.set('2026-05-20T10:00:00+08:00');
});

describe('roster files as Excel and WPS save them', () => {
  const rows = [
    [
      '3栋',
      '2单元',
      '1201',
      '高层',
      '89.56',
      '2015-06-01',
      '2026-05-31',
      '',
      '张三',
      '13800001234',
      '',
      '',
      '',
      '',
    ],
    ['1栋', '', '101', 'APARTMENT', '45.33', '2015/6/1', '', '', '李四', '', '', '', '', ''],
  ];

  it('reads the same values from an XLSX with date cells, GB18030, UTF-8 BOM and English-header CSV', async () => {
    const estateId = await freshEstate();
    const xlsx = await xlsxFile([
      [...ZH_HEADER],
      [
        '3栋',
        '2单元',
        1201,
        '高层',
        89.56,
        excelDay('2015-06-01'),
        excelDay('2026-05-31'),
        null,
        '张三',
        13800001234,
        null,
        null,
        null,
        null,
      ],
      [
        '1栋',
        null,
        '101',
        '公寓',
        '45.33',
        excelDay('2015-06-01'),
        null,
        null,
        '李四',
        null,
        null,
        null,
        null,
        null,
      ],
    ]);
    const files = {
      xlsx,
      gb: gbCsv([[...ZH_HEADER], ...rows]),
      bom: utf8Csv([[...ZH_HEADER], ...rows]),
      en: utf8Csv([[...EN_HEADER], ...rows], false),
    };
    const reports = await Promise.all(Object.values(files).map((f) => dry(estateId, f)));
    for (const r of reports) {
      expect(r.problems).toEqual([]);
      expect(r.counts).toEqual({ rows: 2, created: 2, updated: 0, unchanged: 0, invalid: 0 });
      expect(r.rows).toEqual([
        { row: 2, action: 'create' },
        { row: 3, action: 'create' },
      ]);
    }
    // A dry run writes nothing.
    expect(await unitAt(estateId, '3栋', '1201', '2单元')).toBeUndefined();
    // Committing the XLSX and then each CSV: the CSVs find the same units with the same values.
    await commit(estateId, files.xlsx);
    for (const f of [files.gb, files.bom, files.en]) {
      const again = await dry(estateId, f);
      expect(again.counts).toMatchObject({ created: 0, updated: 0, unchanged: 2, invalid: 0 });
    }
    const u = await unitAt(estateId, '3栋', '1201', '2单元');
    expect(u).toMatchObject({ entrance: '2单元', area: '89.56', phone: '13800001234', ownerName: '张三' });
  });

  it('reports unknown columns without dropping them silently, and still imports', async () => {
    const estateId = await freshEstate();
    const r = await dry(
      estateId,
      utf8Csv([
        [...ZH_HEADER, '备注'],
        [...rows[1]!, '老业主'],
      ]),
    );
    expect(r.problems).toMatchObject([
      { row: 1, column: '备注', code: 'UNKNOWN_COLUMN', severity: 'warning' },
    ]);
    expect(r.counts.invalid).toBe(0);
  });
});

describe('the checked-in sample roster and template (test/fixtures/)', () => {
  const fixture = (name: string) =>
    new Uint8Array(readFileSync(new URL(`../fixtures/${name}`, import.meta.url)));

  it('imports the sample as three new units and reads the template as an empty roster', async () => {
    const estateId = await freshEstate();
    const sample = await dry(estateId, fixture('roster-sample.csv'));
    expect(sample.problems).toEqual([]);
    expect(sample.counts).toEqual({ rows: 3, created: 3, updated: 0, unchanged: 0, invalid: 0 });
    const template = await dry(estateId, fixture('roster-template.xlsx'));
    expect(template.problems).toEqual([]);
    expect(template.counts.rows).toBe(0);
  });
});

describe('bad rows', () => {
  const good = ['1栋', '', '101', '高层', '89.56', '2015-06-01', '2026-05-31', '', '', '', '', '', '', ''];
  const bad = (patch: Record<number, string>) => good.map((v, i) => patch[i] ?? v);

  it('names the row as the spreadsheet shows it, the header as written, a code and both languages', async () => {
    const estateId = await freshEstate();
    const header: string[] = [...ZH_HEADER];
    header[4] = '建筑面积(㎡)';
    const file = utf8Csv([
      header,
      good,
      bad({ 0: '' }), // row 3: building missing
      bad({ 2: '102', 3: '别墅' }), // 4: unit type
      bad({ 2: '103', 4: '89.567' }), // 5: three decimals
      bad({ 2: '104', 4: '0' }), // 6: not above 0
      bad({ 2: '105', 5: '2015-02-30' }), // 7: no such day
      bad({ 2: '106', 6: '2014-12-31' }), // 8: paid through before delivery
      good, // 9: duplicate of row 2
      bad({ 2: '107', 10: 'A-01', 11: '产权', 13: '粤B12' }), // 10: plate
      bad({ 2: '108', 10: 'A-02', 11: '租用' }), // 11: space kind
      bad({ 2: '109', 7: '12.345' }), // 12: money
      [], // 13: blank row, skipped
      bad({ 2: '110', 13: '粤B12345' }), // 14: plate without a space
    ]);
    const r = await dry(estateId, file);
    expect(codes(r)).toEqual([
      '3:楼栋:REQUIRED',
      '4:类型:INVALID_UNIT_TYPE',
      '5:建筑面积(㎡):INVALID_AREA',
      '6:建筑面积(㎡):INVALID_AREA',
      '7:交付日期:INVALID_DATE',
      '8:已缴至:PAID_THROUGH_BEFORE_DELIVERY',
      '9:房号:DUPLICATE_UNIT',
      '10:车牌:INVALID_PLATE',
      '11:车位类型:INVALID_SPACE_KIND',
      '12:期初欠费:INVALID_MONEY',
      '14:车牌:NO_SPACE',
    ]);
    for (const p of r.problems) {
      expect(p.message.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(p.message.en).toMatch(/[a-z]/);
    }
    expect(r.counts).toEqual({ rows: 12, created: 1, updated: 0, unchanged: 0, invalid: 11 });
    // A commit of it writes nothing and answers the same report.
    const err = await commit(estateId, file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidRosterError);
    expect((err as InvalidRosterError).details).toEqual([
      { ...r, dryRun: false, importId: expect.any(String) },
    ]);
    expect(await unitAt(estateId, '1栋', '101')).toBeUndefined();
  });

  it('refuses a file without a required column as a whole', async () => {
    const estateId = await freshEstate();
    const r = await dry(
      estateId,
      utf8Csv([ZH_HEADER.filter((h) => h !== '建筑面积'), good.filter((_, i) => i !== 4)]),
    );
    expect(codes(r)).toContain('1:建筑面积:MISSING_COLUMN');
    expect(r.counts.invalid).toBe(1);
  });
});

describe('rows whose writes a commit could not make', () => {
  const row = (spaces: string, plates: string) => [
    '1栋',
    '',
    '101',
    '商业用房',
    '90',
    '2016-01-01',
    '',
    '',
    '',
    '',
    spaces,
    '产权',
    '',
    plates,
  ];

  it('takes a plate written twice in one cell as one plate (it used to make the commit throw)', async () => {
    const estateId = await freshEstate();
    const file = utf8Csv([[...ZH_HEADER], row('A-1', '粤B12345;粤b12345')]);
    expect((await dry(estateId, file)).counts).toMatchObject({ created: 1, invalid: 0 });
    const r = await commit(estateId, file);
    expect(r.state).toBe('DONE');
    const u = (await unitAt(estateId, '1栋', '101'))!;
    expect((await listSpaces(h, u.unitId)).map((s) => s.plates)).toEqual([['粤B12345']]);
  });

  it('refuses an implausible 期初欠费 (an ID number in the wrong column) as the API refuses such money', async () => {
    const estateId = await freshEstate();
    const arrears = (a: string) => [
      '1栋',
      '',
      '101',
      '高层',
      '90',
      '2016-01-01',
      '',
      a,
      '',
      '',
      '',
      '',
      '',
      '',
    ];
    for (const a of ['440301199001011234', '99999999999999999999999999999999999999999.00']) {
      const file = utf8Csv([[...ZH_HEADER], arrears(a)]);
      expect(codes(await dry(estateId, file))).toEqual(['2:期初欠费:INVALID_MONEY']);
      await expect(commit(estateId, file)).rejects.toBeInstanceOf(InvalidRosterError);
    }
    expect(await unitAt(estateId, '1栋', '101')).toBeUndefined();
  });

  it('refuses, in the dry run already, a row with more spaces and plates than one transaction holds', async () => {
    const estateId = await freshEstate();
    const spaces = Array.from({ length: 50 }, (_, i) => `S-${i + 1}`).join(';');
    const file = utf8Csv([[...ZH_HEADER], row(spaces, '')]);
    const d = await dry(estateId, file);
    expect(codes(d)).toEqual(['2:车位:TOO_MANY_SPACES']);
    expect(d.counts).toMatchObject({ created: 0, invalid: 1 });
    await expect(commit(estateId, file)).rejects.toBeInstanceOf(InvalidRosterError);
    expect(await unitAt(estateId, '1栋', '101')).toBeUndefined();
  });
});

describe('opening balances', () => {
  it('bills from the day after 已缴至, imports a 1998 delivery, and opens one OPENING_ARREARS invoice', async () => {
    const estateId = await freshEstate();
    const file = utf8Csv([
      [...ZH_HEADER],
      [
        '3栋',
        '2单元',
        '1201',
        '高层',
        '89.56',
        '2015-06-01',
        '2026-05-31',
        '',
        '',
        '',
        'B-001',
        '产权',
        '2026-05-31',
        '粤B12345',
      ],
      ['9栋', '', '101', '高层', '100', '1998-03-15', '', '3000.10', '', '', '', '', '', ''],
    ]);
    const r = await commit(estateId, file);
    expect(r.state).toBe('DONE');
    const paid = (await unitAt(estateId, '3栋', '1201', '2单元'))!;
    expect(paid).toMatchObject({ billingAnchor: '2026-06-01', paidThrough: '2026-06-01' });
    const ctx = h.ctx('cashier', { estates: [estateId] });
    const inv = await issueInvoice(
      ctx,
      { unitId: paid.unitId, items: [{ type: 'PROPERTY_FEE' }] },
      undefined,
    );
    expect(inv.lines.map((l) => l.period)).toEqual([{ start: '2026-06-01', end: '2027-06-01' }]);
    expect(inv.total).toBe(193450n);
    const [space] = await listSpaces(h, paid.unitId);
    expect(space).toMatchObject({
      spaceNo: 'B-001',
      kind: 'OWNED',
      billFrom: '2026-06-01',
      plates: ['粤B12345'],
    });

    const old = (await unitAt(estateId, '9栋', '101'))!;
    expect(old.deliveryDate).toBe('1998-03-15');
    const open = await openInvoices(h, claimOwner.unit(old.unitId));
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ status: 'OPEN', total: 300010n, dueDate: '2026-05-20' });
    expect(open[0]!.invoiceNo).toMatch(new RegExp(`^${estateId}-2026-\\d{6}$`));
    expect(open[0]!.lines).toMatchObject([{ type: 'OPENING_ARREARS', amount: 300010n }]);
    // Periods before 2000 price with the contract standard (the earliest version).
    const first = await issueInvoice(ctx, {
      unitId: old.unitId,
      items: [{ type: 'PROPERTY_FEE', periods: 1 }],
    });
    expect(first.lines[0]!.period).toEqual({ start: '1998-03-15', end: '1999-03-15' });
    expect(first.total).toBe(216000n);
  });
});

describe('imported units in the arrears report', () => {
  it('tells 3栋1单元1201 from 3栋2单元1201 in the report rows, its file and the dunning notice', async () => {
    const estateId = await freshEstate();
    const row = (entrance: string, arrears: string) => [
      '3栋',
      entrance,
      '1201',
      '高层',
      '89.56',
      '2015-06-01',
      '',
      arrears,
      '',
      '',
      '',
      '',
      '',
      '',
    ];
    await commit(estateId, utf8Csv([[...ZH_HEADER], row('1单元', '100.00'), row('2单元', '200.00')]));
    const asOf = '2026-06-30';
    const rows = (await readArrearsBook(h.db, estateId, asOf)).units(asOf);
    const labelledRows = [];
    for await (const r of labelled(h.db, rows)) labelledRows.push(r);
    expect(labelledRows.map((r) => [r.label?.entrance, formatFen(r.overdue)])).toEqual([
      ['2单元', '200.00'],
      ['1单元', '100.00'],
    ]);
    expect(presentArrearsRow(labelledRows[0]!)).toMatchObject({
      building: '3栋',
      entrance: '2单元',
      room: '1201',
    });
    const csv = await csvTable(ARREARS_COLUMNS(), labelledRows);
    expect(csv).toContain('3栋,2单元,1201');
    const notice = dunningNotice({ estateId, name: '小区' }, labelledRows[0]!.label!, labelledRows[0]!, asOf);
    expect(notice).toMatchObject({ building: '3栋', entrance: '2单元', room: '1201' });
    expect(dunningHtml([notice], 'A4')).toContain('3栋 2单元 1201');
  });
});

describe('finding imported units', () => {
  it('pages through rooms the natural order calls equal (0101 and 101) without losing one', async () => {
    const estateId = await freshEstate();
    const row = (room: string) => [
      '1栋',
      '',
      room,
      '高层',
      '89.56',
      '2015-06-01',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
    ];
    await commit(estateId, utf8Csv([[...ZH_HEADER], row('0101'), row('101'), row('102')]));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await searchUnits(h, estateId, {
        building: '1栋',
        limit: 1,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...page.items.map((u) => u.room));
      cursor = page.nextCursor;
    } while (cursor && seen.length < 10);
    expect(seen.sort()).toEqual(['0101', '101', '102']);
  });
});

describe('re-import and round trip', () => {
  const file = () =>
    utf8Csv([
      [...ZH_HEADER],
      [
        '1栋',
        '',
        '101',
        '高层',
        '120.50',
        '2015-06-01',
        '2026/5/31',
        '1934.50',
        '王五',
        '13900005678',
        'C-1;C-2',
        '使用权',
        '',
        '粤A11111',
      ],
      ['10栋', '', '1001', '公寓', '45.33', '2016-01-01', '', '', '', '', '', '', '', ''],
      ['2栋', '1单元', '101', '高层', '89.56', '2016-01-01', '', '', '赵六', '', '', '', '', ''],
    ]);

  it('changes nothing on the same file, updates only descriptive fields on a changed one', async () => {
    const estateId = await freshEstate();
    await commit(estateId, file());
    const again = await commit(estateId, file());
    expect(again.counts).toEqual({ rows: 3, created: 0, updated: 0, unchanged: 3, invalid: 0 });
    const u = (await unitAt(estateId, '1栋', '101'))!;
    expect(await openInvoices(h, claimOwner.unit(u.unitId))).toHaveLength(1);

    const changed = utf8Csv([
      [...ZH_HEADER],
      [
        '1栋',
        '',
        '101',
        '高层',
        '120.5',
        '2015-06-01',
        '2026-05-31',
        '1934.5',
        '王小五',
        '13900005678',
        'C-2;C-1',
        '使用权',
        '',
        '粤A11111;粤A22222',
      ],
    ]);
    const report = await commit(estateId, changed);
    const d = await dry(estateId, changed);
    expect(report.counts).toMatchObject({ updated: 1, created: 0 });
    expect(d.rows).toEqual([{ row: 2, action: 'unchanged' }]);
    const after = (await unitAt(estateId, '1栋', '101'))!;
    expect(after).toMatchObject({ ownerName: '王小五', area: '120.5' });
    const plates = (await listSpaces(h, u.unitId)).flatMap((s) => s.plates).sort();
    expect(plates).toEqual(['粤A11111', '粤A22222']);

    const billed = utf8Csv([
      [...ZH_HEADER],
      [
        '1栋',
        '',
        '101',
        '高层',
        '130',
        '2015-06-01',
        '2026-05-31',
        '1934.50',
        '王小五',
        '13900005678',
        'C-1;C-2',
        '使用权',
        '',
        '粤A11111;粤A22222',
      ],
    ]);
    const b = await dry(estateId, billed);
    expect(b.rows).toEqual([{ row: 2, action: 'unchanged', ignored: ['area'] }]);
    expect(b.problems).toMatchObject([
      { row: 2, column: '建筑面积', code: 'BILLED_FACT_KEPT', severity: 'warning' },
    ]);
  });

  it('exports the roster in the import layout: export → import is a no-op, masked phones included', async () => {
    const estateId = await freshEstate();
    await commit(estateId, file());
    const entries = await readRoster(admin(estateId), estateId, false);
    // Natural order: 1栋 < 2栋 < 10栋.
    expect(entries.map((e) => e.unit.building)).toEqual(['1栋', '2栋', '10栋']);
    const csv = await csvTable(ROSTER_COLUMNS, entries);
    expect(csv).toContain('*******5678');
    expect(csv).not.toContain('13900005678');
    const xlsx = await xlsxTable(ROSTER_COLUMNS, entries, { sheet: 'roster' });
    for (const f of [new TextEncoder().encode(csv), xlsx]) {
      const r = await dry(estateId, f);
      expect(r.problems).toEqual([]);
      expect(r.counts).toEqual({ rows: 3, created: 0, updated: 0, unchanged: 3, invalid: 0 });
    }
  });
});

describe('a commit cut off and resumed', () => {
  it('completes on retry with the same key, without duplicates', async () => {
    const estateId = await freshEstate();
    const rows: string[][] = [[...ZH_HEADER]];
    for (let i = 0; i < 120; i++) {
      rows.push([
        `${1 + Math.floor(i / 40)}栋`,
        '',
        String(101 + i),
        '高层',
        '90',
        '2016-01-01',
        '',
        i % 40 === 0 ? '10.00' : '',
        '',
        '',
        '',
        '',
        '',
        '',
      ]);
    }
    const file = utf8Csv(rows);
    let transacts = 0;
    const faulty = h.dbWith({
      maxAttempts: 1,
      faults: (op, phase) => {
        // The answer of the third chunk is lost after DynamoDB applied it, then the store goes away.
        if (op === 'transact' && phase === 'after' && ++transacts === 3) throw new Error('connection reset');
      },
    });
    const cut = await runImport(h.ctx('admin', { estates: [estateId], db: faulty }), estateId, file, {
      dryRun: false,
      idempotencyKey: 'resume-1',
    }).catch((e: unknown) => e);
    expect(cut).toBeInstanceOf(Error);
    const importId = (await dry(estateId, file)).importId; // any id: the record is looked up below
    expect(importId).toMatch(/^DRY-/);
    const done = await commit(estateId, file, 'resume-1');
    expect(done.state).toBe('DONE');
    expect(done.counts.created).toBe(120);
    const rec = (await getImport(h, estateId, done.importId))!;
    expect(await chunksDone(h, done.importId)).toBe(rec.chunks);
    const again = await dry(estateId, file);
    expect(again.counts).toMatchObject({ unchanged: 120, created: 0 });
    // One unit per address, one arrears invoice per unit with arrears.
    const u = (await unitAt(estateId, '1栋', '101'))!;
    expect(await openInvoices(h, claimOwner.unit(u.unitId))).toHaveLength(1);
    // The same key with another file is refused.
    await expect(commit(estateId, utf8Csv(rows.slice(0, 3)), 'resume-1')).rejects.toBeInstanceOf(
      UnprocessableError,
    );
  });
});
