/**
 * The ledger for accountants (SPEC.md §6, docs/ledger.md): range queries in time order with
 * cursors, the summary's definitions on a hand-computed month, reconciliation against the
 * documents on a simulated year, the CSV (BOM, CRLF, quoting, Chinese headers, LibreOffice), parts
 * that stay under Lambda's cap, and a complete export of 20,000 entries in bounded memory.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creditInvoice } from '../../lib/billing/credit-notes.js';
import { createEstate } from '../../lib/billing/estates.js';
import { issueInvoice, voidInvoice } from '../../lib/billing/invoices.js';
import { payInvoice } from '../../lib/billing/payments.js';
import { createUnit } from '../../lib/billing/units.js';
import { ValidationError } from '../../lib/errors.js';
import { csvHeader, csvPart, exportCsv, KIND_NAMES_ZH } from '../../lib/ledger/csv.js';
import { entryPages, type LedgerEntry, type LedgerRange, readEntries } from '../../lib/ledger/query.js';
import { summarise } from '../../lib/ledger/summary.js';
import { presentSummary } from '../../lib/ledger/summary-present.js';
import type { Summary } from '../../lib/ledger/tally.js';
import { Dec, formatFen, parseMoney } from '../../lib/money.js';
import { payParking, recordEntry, recordExit } from '../../lib/parking/parking.js';
import { recordAcceptance, recordReinspection } from '../../lib/renovation/inspections.js';
import { refundDeposit } from '../../lib/renovation/refund.js';
import { registerRenovation } from '../../lib/renovation/registration.js';
import { cursor } from '../../lib/store/db.js';
import { billingHarness, type Harness } from '../support/billing.js';
import { testEndpoint } from '../support/dynamo.js';
import { runLedgerCli, simulateYear, writeSyntheticLedger } from '../support/ledger-fixtures.js';
import { estateDocuments, summaryFromDocuments } from '../support/ledger-reconcile.js';

let h: Harness;
const scratch = mkdtempSync(join(tmpdir(), 'ledger-test-'));

beforeAll(async () => {
  h = await billingHarness();
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function allEntries(range: LedgerRange): Promise<LedgerEntry[]> {
  const out: LedgerEntry[] = [];
  for await (const page of entryPages(h.db, range)) out.push(...page);
  return out;
}

/** A strict RFC 4180 reader: CRLF between records, quotes doubled inside quoted fields. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quote');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
    }
    const c = text[i];
    if (c === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else if (c === '\r' || c === '\n') {
      throw new Error(`bare line break at ${i}`);
    } else if (c === '"') {
      throw new Error(`quote inside an unquoted field at ${i}`);
    } else {
      field += c;
      i++;
    }
  }
  if (field !== '' || row.length) throw new Error('last record lacks its CRLF');
  return rows;
}

describe('the summary, by its definitions, on a hand-computed month', () => {
  const estateId = 'HAND';
  const ctx = (role: Parameters<Harness['ctx']>[0], iso: string) => {
    h.clock.set(iso);
    return h.ctx(role, { estates: [estateId] });
  };
  const range = (from: string, to: string): LedgerRange => ({ estateId, from, to });
  let summaries: Record<string, Summary>;
  let documents: Record<string, Summary>;

  beforeAll(async () => {
    await createEstate(ctx('admin', '2025-01-05T09:00:00+08:00'), { estateId, name: '手算小区' });
    const unit = (
      room: string,
      unitType: 'HIGH_RISE' | 'APARTMENT' | 'GARDEN_HOUSE',
      area: string,
      deliveryDate: string,
    ) =>
      createUnit(ctx('admin', '2025-01-05T09:00:00+08:00'), estateId, {
        building: '1栋',
        room,
        unitType,
        area,
        deliveryDate,
        ownerIds: ['o'],
      });
    const a = await unit('101', 'HIGH_RISE', '89.56', '2025-02-15');
    const b = await unit('102', 'APARTMENT', '45.33', '2025-02-20');
    const c = await unit('103', 'GARDEN_HOUSE', '135.27', '2025-02-20');
    const cash = { channel: 'CASH' as const };

    const invA = await issueInvoice(ctx('cashier', '2025-03-01T10:00:00+08:00'), {
      unitId: a.unitId,
      items: [{ type: 'PROPERTY_FEE' }],
    });
    await payInvoice(ctx('cashier', '2025-03-01T10:05:00+08:00'), invA.invoiceNo, {
      ...cash,
      amount: '1934.50',
    });
    const invB = await issueInvoice(ctx('cashier', '2025-03-02T10:00:00+08:00'), {
      unitId: b.unitId,
      items: [{ type: 'PROPERTY_FEE' }],
    });
    const invC = await issueInvoice(ctx('cashier', '2025-03-03T10:00:00+08:00'), {
      unitId: c.unitId,
      items: [{ type: 'PROPERTY_FEE' }],
    });
    await voidInvoice(ctx('cashier', '2025-03-04T10:00:00+08:00'), invC.invoiceNo, '面积有误');
    const invC2 = await issueInvoice(ctx('cashier', '2025-03-04T10:30:00+08:00'), {
      unitId: c.unitId,
      items: [{ type: 'PROPERTY_FEE' }],
    });
    await payInvoice(ctx('cashier', '2025-03-05T10:00:00+08:00'), invC2.invoiceNo, {
      channel: 'TRANSFER',
      amount: '2921.83',
    });
    const reno = await registerRenovation(ctx('cashier', '2025-03-10T10:00:00+08:00'), {
      unitId: a.unitId,
      cards: 5,
    });
    expect(formatFen(reno.invoice.total)).toBe('1497.80');
    await payInvoice(ctx('cashier', '2025-03-10T10:10:00+08:00'), reno.invoice.invoiceNo, {
      ...cash,
      amount: '1497.80',
    });
    // A visitor stays 3 h 30 min: 2.00, paid at the counter, no invoice.
    const { session } = await recordEntry(ctx('gate', '2025-03-15T08:00:00+08:00'), {
      estateId,
      plate: '粤A88888',
      gateId: 'E',
      at: '2025-03-15T08:00:00+08:00',
    });
    await payParking(ctx('cashier', '2025-03-15T11:25:00+08:00'), session.sessionId, {
      ...cash,
      amount: '2.00',
    });
    await recordExit(ctx('gate', '2025-03-15T11:30:00+08:00'), {
      estateId,
      plate: '粤A88888',
      gateId: 'W',
      at: '2025-03-15T11:30:00+08:00',
    });

    await creditInvoice(ctx('cashier', '2025-04-02T10:00:00+08:00'), invC2.invoiceNo, '业主退房');
    await payInvoice(ctx('cashier', '2025-04-03T10:00:00+08:00'), invB.invoiceNo, {
      ...cash,
      amount: '1196.71',
    });

    const caseId = reno.renovation.caseId;
    await recordAcceptance(ctx('cashier', '2025-04-10T10:00:00+08:00'), caseId, {
      date: '2025-04-10',
      passed: true,
    });
    await recordReinspection(ctx('cashier', '2025-06-12T10:00:00+08:00'), caseId, {
      date: '2025-06-12',
      passed: false,
      deductions: [{ amount: '200.00', reason: '外墙破损', evidenceRef: 'IMG-7' }],
    });
    await recordReinspection(ctx('cashier', '2025-06-20T10:00:00+08:00'), caseId, {
      date: '2025-06-20',
      passed: true,
    });
    await refundDeposit(ctx('cashier', '2025-06-22T10:00:00+08:00'), caseId, { channel: 'CASH' });

    const ranges = {
      march: range('2025-03-01', '2025-03-31'),
      april: range('2025-04-01', '2025-04-30'),
      spring: range('2025-03-01', '2025-04-30'),
      june: range('2025-06-01', '2025-06-30'),
    };
    const docs = await estateDocuments(h.db, estateId);
    summaries = {};
    documents = {};
    for (const [name, r] of Object.entries(ranges)) {
      summaries[name] = await summarise(h.db, r);
      documents[name] = summaryFromDocuments(docs, r);
    }
  });

  const fee = (name: string, code: string) =>
    presentSummary(summaries[name]!).byFeeCode.find((f) => f.feeCode === code)!;

  it('March: 应收 is what March billed net of its voids, 实收 what was paid of it, 欠费 the rest', () => {
    const march = presentSummary(summaries['march']!);
    expect(fee('march', 'PROPERTY_FEE')).toMatchObject({
      issued: '8974.87', // 1934.50 + 1196.71 + 2921.83 twice (voided, then reissued)
      voided: '-2921.83',
      receivable: '6053.04',
      received: '4856.33',
      outstanding: '1196.71',
      collectionRate: '0.8023',
      households: { billed: 3, paidInFull: 2, collectionRate: '0.6667' },
    });
    expect(fee('march', 'TEMP_PARKING')).toMatchObject({
      cashSales: '2.00',
      receivable: '2.00',
      received: '2.00',
      households: { billed: 0 },
    });
    expect(fee('march', 'RENOVATION_DEPOSIT')).toMatchObject({
      deposit: true,
      receivable: '1000.00',
      received: '1000.00',
    });
    // Totals are income only: the 1000.00 deposit is a liability.
    expect(march.totals).toMatchObject({
      receivable: '6552.84',
      received: '5356.13',
      outstanding: '1196.71',
      collectionRate: '0.8174',
      households: { billed: 3, paidInFull: 2, collectionRate: '0.6667' },
      earlierInvoices: { collected: '0.00', voided: '0.00', credited: '0.00' },
    });
    expect(march.deposits).toMatchObject({ heldAtStart: '0.00', received: '1000.00', heldAtEnd: '1000.00' });
    expect(march.byKind).toEqual([
      { kind: 'INVOICE_ISSUED', count: 7, amount: '10472.67' },
      { kind: 'INVOICE_VOIDED', count: 1, amount: '-2921.83' },
      { kind: 'PAYMENT_RECEIVED', count: 5, amount: '5356.13' },
      { kind: 'CREDIT_NOTE', count: 0, amount: '0.00' },
      { kind: 'DEPOSIT_RECEIVED', count: 1, amount: '1000.00' },
      { kind: 'DEPOSIT_DEDUCTED', count: 0, amount: '0.00' },
      { kind: 'DEPOSIT_REFUNDED', count: 0, amount: '0.00' },
      { kind: 'PAYMENT_UNAPPLIED', count: 0, amount: '0.00' },
    ]);
    expect(march.entries).toBe(14);
  });

  it('April: paying old arrears and crediting an old invoice are earlier invoices, not April billing', () => {
    expect(fee('april', 'PROPERTY_FEE')).toMatchObject({
      receivable: '0.00',
      received: '0.00',
      collectionRate: null,
      households: { billed: 0, paidInFull: 0, collectionRate: null },
      earlierInvoices: { collected: '1196.71', voided: '0.00', credited: '-2921.83' },
    });
    expect(presentSummary(summaries['april']!).deposits).toMatchObject({
      heldAtStart: '1000.00',
      heldAtEnd: '1000.00',
    });
  });

  it('March to April together: the credited invoice leaves 应收, everyone billed has paid', () => {
    expect(fee('spring', 'PROPERTY_FEE')).toMatchObject({
      receivable: '3131.21', // 1934.50 + 1196.71
      received: '3131.21',
      outstanding: '0.00',
      collectionRate: '1.0000',
      households: { billed: 2, paidInFull: 2, collectionRate: '1.0000' },
    });
  });

  it('June: a deduction becomes income and the rest is refunded; nothing is held after', () => {
    const june = presentSummary(summaries['june']!);
    expect(june.deposits).toMatchObject({
      heldAtStart: '1000.00',
      deducted: '200.00',
      refunded: '800.00',
      heldAtEnd: '0.00',
    });
    expect(june.byKind.filter((k) => k.count > 0)).toEqual([
      { kind: 'DEPOSIT_DEDUCTED', count: 1, amount: '200.00' },
      { kind: 'DEPOSIT_REFUNDED', count: 1, amount: '800.00' },
    ]);
  });

  it('the documents say the same as the ledger for every range', () => {
    for (const name of Object.keys(summaries)) {
      expect([name, presentSummary(documents[name]!)]).toEqual([name, presentSummary(summaries[name]!)]);
    }
  });
});

describe('a simulated year of a 100-unit estate', () => {
  const estateId = 'YEAR';
  const year: LedgerRange = { estateId, from: '2025-01-01', to: '2025-12-31' };
  let docs: Awaited<ReturnType<typeof estateDocuments>>;
  let entries: LedgerEntry[];
  let summary: Summary;

  beforeAll(async () => {
    const stats = await simulateYear(h.db, { estateId, year: 2025, units: 100, concurrency: 8 });
    console.info(
      `simulated ${stats.units} units, ${stats.operations} operations in ${(stats.ms / 1000).toFixed(1)} s`,
    );
    docs = await estateDocuments(h.db, estateId);
    entries = await allEntries(year);
    summary = await summarise(h.db, year);
  }, 180_000);

  it('has every kind of entry and every fee code', () => {
    const kinds = presentSummary(summary)
      .byKind.filter((k) => k.count === 0)
      .map((k) => k.kind);
    // Payment exceptions come from the providers' notifications: test/api/payment-refunds.test.ts.
    expect(kinds).toEqual(['PAYMENT_UNAPPLIED']);
    const codes = new Set(entries.map((e) => e.feeCode));
    expect([...codes].sort()).toEqual([
      'CARD_DEPOSIT',
      'PARKING_RENTAL',
      'PARKING_SPACE_FEE',
      'PROPERTY_FEE',
      'RENOVATION_CARDS',
      'RENOVATION_DEPOSIT',
      'RENOVATION_WASTE',
      'TEMP_PARKING',
    ]);
    // Some arrears remain, and the rate says so.
    const totals = presentSummary(summary).totals;
    expect(parseMoney(totals.outstanding, 'o')).toBeGreaterThan(0n);
    expect(Number(totals.collectionRate)).toBeLessThan(1);
  });

  it('comes back in time order, every entry once, inside the range', () => {
    expect(entries.length).toBe(summary.entries);
    expect(new Set(entries.map((e) => e.sk)).size).toBe(entries.length);
    for (let i = 1; i < entries.length; i++) {
      expect(entries[i - 1]!.sk < entries[i]!.sk).toBe(true);
      expect(Date.parse(entries[i - 1]!.at) <= Date.parse(entries[i]!.at)).toBe(true);
    }
    expect(entries.every((e) => e.businessDate >= year.from && e.businessDate <= year.to)).toBe(true);
  });

  it('pages of any size with cursors give the same entries, and the last page says so', async () => {
    const paged: LedgerEntry[] = [];
    let next: string | undefined;
    let pages = 0;
    do {
      const page = await readEntries(h.db, year, { limit: 137, ...(next ? { cursor: next } : {}) });
      expect(page.entries.length).toBe(page.nextCursor ? 137 : page.entries.length);
      expect(page.entries.length).toBeGreaterThan(0);
      paged.push(...page.entries);
      next = page.nextCursor;
      pages++;
    } while (next);
    expect(pages).toBe(Math.ceil(entries.length / 137));
    expect(paged.map((e) => e.sk)).toEqual(entries.map((e) => e.sk));
  });

  it('refuses cursors that are not this list’s', async () => {
    const first = await readEntries(h.db, year, { limit: 5 });
    const march: LedgerRange = { estateId, from: '2025-03-01', to: '2025-03-31' };
    const sk = (first.nextCursor &&
      JSON.parse(Buffer.from(first.nextCursor, 'base64url').toString()).SK) as string;
    const forged = [
      'not-base64-json',
      first.nextCursor!, // January's key, outside March
      cursor.encode({ PK: 'LEDGER#OTHER', SK: sk })!,
      cursor.encode({ PK: `LEDGER#${estateId}`, SK: sk, GSI1PK: 'x' })!,
      cursor.encode({ PK: `LEDGER#${estateId}` })!,
    ];
    for (const c of forged) {
      const err = await readEntries(h.db, march, { limit: 5, cursor: c }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).code).toBe('INVALID_CURSOR');
    }
  });

  it('equals what the invoices, receipts, credit notes, deductions and refunds say, and its entries sum to it, for any range', async () => {
    const ranges: [string, string][] = [
      ['2025-01-01', '2025-12-31'],
      ['2025-01-01', '2025-03-31'],
      ['2025-02-10', '2025-05-03'],
      ['2025-06-15', '2025-08-20'],
      ['2025-11-01', '2025-11-30'],
      ['2025-12-31', '2025-12-31'],
    ];
    for (const [from, to] of ranges) {
      const r: LedgerRange = { estateId, from, to };
      const s = presentSummary(await summarise(h.db, r));
      expect([from, to, s]).toEqual([from, to, presentSummary(summaryFromDocuments(docs, r))]);
      const inRange = entries.filter((e) => e.businessDate >= from && e.businessDate <= to);
      expect(s.byKind).toEqual(new LedgerSummariserCheck(inRange).byKind());
      // Every entry is counted once among the figures: billing of the range, or earlier invoices.
      const sum = (k: string) => inRange.filter((e) => e.kind === k).reduce((t, e) => t + e.amount, 0n);
      const codes = s.byFeeCode;
      const total = (f: (c: (typeof codes)[number]) => string) =>
        codes.reduce((t, c) => t + parseMoney(f(c), 'x', { allowNegative: true }), 0n);
      expect(sum('INVOICE_ISSUED')).toBe(total((c) => c.issued));
      expect(sum('INVOICE_VOIDED')).toBe(total((c) => c.voided) + total((c) => c.earlierInvoices.voided));
      expect(sum('CREDIT_NOTE')).toBe(total((c) => c.credited) + total((c) => c.earlierInvoices.credited));
      // Deductions are income too (DEPOSIT_DEDUCTION, billed and received at once).
      expect(sum('PAYMENT_RECEIVED') + sum('DEPOSIT_RECEIVED') + sum('DEPOSIT_DEDUCTED')).toBe(
        total((c) => c.received) - total((c) => c.credited) + total((c) => c.earlierInvoices.collected),
      );
      expect(sum('DEPOSIT_DEDUCTED')).toBe(parseMoney(s.deposits.deducted, 'd'));
      expect(sum('DEPOSIT_DEDUCTED')).toBe(
        parseMoney(codes.find((c) => c.feeCode === 'DEPOSIT_DEDUCTION')!.received, 'i'),
      );
      expect(sum('DEPOSIT_REFUNDED')).toBe(parseMoney(s.deposits.refunded, 'r'));
    }
  });

  it('consecutive ranges chain: what is held at the end of one is held at the start of the next', async () => {
    const q = [
      ['2025-01-01', '2025-03-31'],
      ['2025-04-01', '2025-06-30'],
      ['2025-07-01', '2025-09-30'],
      ['2025-10-01', '2025-12-31'],
    ].map(([from, to]) => summarise(h.db, { estateId, from: from!, to: to! }));
    const quarters = (await Promise.all(q)).map(presentSummary);
    for (let i = 1; i < 4; i++)
      expect(quarters[i]!.deposits.heldAtStart).toBe(quarters[i - 1]!.deposits.heldAtEnd);
    expect(quarters[3]!.deposits.heldAtEnd).toBe(presentSummary(summary).deposits.heldAtEnd);
    expect(parseMoney(quarters[3]!.deposits.heldAtEnd, 'h')).toBeGreaterThan(0n);
    const entriesByQuarter = quarters.reduce((n, s) => n + s.entries, 0);
    expect(entriesByQuarter).toBe(summary.entries);
  });

  it('exports a CSV Excel reads: BOM, CRLF, Chinese headers, every entry, totals equal to the summary', async () => {
    const file = join(scratch, 'year-zh.csv');
    const out = createWriteStream(file);
    const result = await exportCsv(h.db, year, out, { lang: 'zh' });
    out.end();
    await finished(out);
    const bytes = readFileSync(file);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8').slice(1);
    expect(text.replace(/\r\n/g, '').includes('\n')).toBe(false);
    const rows = parseCsv(text);
    expect(rows[0]).toEqual(csvHeader('zh'));
    expect(rows[0]).toEqual(
      expect.arrayContaining([
        '日期',
        '时间',
        '类型',
        '单据号',
        '账单号',
        '收据号',
        '房号',
        '车牌',
        '收费项目',
        '期间起',
        '期间止',
        '金额',
        '渠道',
        '经办人',
      ]),
    );
    const data = rows.slice(1);
    expect(data.length).toBe(summary.entries);
    expect(result.rows).toBe(summary.entries);
    const col = (name: string) => rows[0]!.indexOf(name);
    for (const k of presentSummary(summary).byKind) {
      const ofKind = data.filter((r) => r[col('类型')] === KIND_NAMES_ZH[k.kind]);
      const sum = ofKind.reduce(
        (t, r) => t + parseMoney(r[col('金额')]!, '金额', { allowNegative: true }),
        0n,
      );
      expect([k.kind, ofKind.length, formatFen(sum)]).toEqual([k.kind, k.count, k.amount]);
    }
    expect(data.every((r) => /^-?\d+\.\d{2}$/.test(r[col('金额')]!))).toBe(true);
    expect(data.filter((r) => r[col('房号')] !== '').length).toBeGreaterThan(data.length / 2);
  });

  it('opens in LibreOffice (headless conversion to xlsx and back) with Chinese headers and the same totals', async (t) => {
    const soffice = ['soffice', 'libreoffice'].find((b) => spawnSync('which', [b]).status === 0);
    if (!soffice) {
      t.skip('LibreOffice (soffice) is not installed here; the CSV checks above still ran');
      return;
    }
    const dir = mkdtempSync(join(scratch, 'lo-'));
    const csv = join(dir, 'ledger.csv');
    const out = createWriteStream(csv);
    await exportCsv(h.db, year, out, { lang: 'zh' });
    out.end();
    await finished(out);
    const profile = `-env:UserInstallation=file://${join(dir, 'profile')}`;
    // Headless conversion skips the import dialog, which is where LibreOffice reads the BOM; it
    // would take the system's 8-bit charset. The filter options say what the dialog would:
    // comma-separated, double quotes, UTF-8 (76), from line 1.
    execFileSync(
      soffice,
      [profile, '--headless', '--infilter=CSV:44,34,76,1', '--convert-to', 'xlsx', '--outdir', dir, csv],
      {
        timeout: 120_000,
      },
    );
    const back = join(dir, 'back');
    // What the spreadsheet holds, written back out as UTF-8 CSV.
    execFileSync(
      soffice,
      [
        profile,
        '--headless',
        '--convert-to',
        'csv:Text - txt - csv (StarCalc):44,34,76',
        '--outdir',
        back,
        join(dir, 'ledger.xlsx'),
      ],
      {
        timeout: 120_000,
      },
    );
    const rows = parseCsv(readFileSync(join(back, 'ledger.csv'), 'utf8').replace(/\r?\n/g, '\r\n'));
    expect(rows[0]).toEqual(csvHeader('zh'));
    expect(rows.length - 1).toBe(summary.entries);
    const amount = rows[0]!.indexOf('金额');
    // The spreadsheet holds numbers (1934.5, -100); summed as decimals they equal the ledger.
    const total = rows.slice(1).reduce((t, r) => t.plus(new Dec(r[amount]!)), new Dec(0));
    expect(total.toFixed(2)).toBe(formatFen(entries.reduce((t, e) => t + e.amount, 0n)));
    const kind = rows[0]!.indexOf('类型');
    expect(new Set(rows.slice(1).map((r) => r[kind]))).toEqual(new Set(Object.values(KIND_NAMES_ZH)));
  }, 300_000);

  it('CSV parts for the HTTP route stay under their byte budget and join into the full export', async () => {
    const march: LedgerRange = { estateId, from: '2025-03-01', to: '2025-03-31' };
    const full = (await csvPart(h.db, march, { lang: 'en', limit: 10_000 })).body;
    expect(full.startsWith('\uFEFFbusinessDate,time,kind,')).toBe(true);
    const maxBytes = 6_000;
    const parts: string[] = [];
    let next: string | undefined;
    do {
      const part = await csvPart(h.db, march, {
        lang: 'en',
        limit: 10_000,
        maxBytes,
        ...(next ? { cursor: next } : {}),
      });
      // Inside a Lambda answer the body is a JSON string: that is what must stay under the budget.
      expect(Buffer.byteLength(JSON.stringify(part.body))).toBeLessThanOrEqual(maxBytes + 2);
      parts.push(part.body);
      next = part.nextCursor;
    } while (next);
    expect(parts.length).toBeGreaterThan(2);
    const header = full.slice(0, full.indexOf('\r\n') + 2);
    expect(parts.every((p) => p.startsWith(header))).toBe(true);
    expect(header + parts.map((p) => p.slice(header.length)).join('')).toBe(full);
  });
});

describe('no row cap: a complete export in bounded memory', () => {
  it('exports 20,000 entries through the CLI with count and sum checked, under 150 MB peak RSS', async () => {
    const estateId = 'BULK';
    await createEstate(h.ctx('admin', { estates: [estateId] }), { estateId, name: '大批量' });
    const written = await writeSyntheticLedger(h.db, {
      estateId,
      entries: 20_000,
      from: '2025-01-01',
      days: 365,
    });
    const out = join(scratch, 'bulk.csv');
    const child = runLedgerCli(
      process.cwd(),
      ['--estate', estateId, '--from', '2025-01-01', '--to', '2025-12-31', '--out', out],
      { TABLE_NAME: h.table, DYNAMO_ENDPOINT: testEndpoint() },
    );
    expect(child.status, child.stderr).toBe(0);
    console.info(`CLI export of ${written.count} entries: peak RSS ${child.peakRssMb.toFixed(0)} MB`);
    expect(child.peakRssMb).toBeLessThan(150);
    const rows = parseCsv(readFileSync(out, 'utf8').slice(1));
    expect(rows.length - 1).toBe(written.count);
    const amount = rows[0]!.indexOf('amount');
    const sum = rows.slice(1).reduce((t, r) => t + parseMoney(r[amount]!, 'amount'), 0n);
    expect(sum).toBe(written.amount);
    expect(child.stderr).toContain(
      `Wrote ${written.count} rows (amounts sum to ${formatFen(written.amount)})`,
    );
  }, 180_000);
});

/** byKind straight from entries, for comparison with the summary. */
class LedgerSummariserCheck {
  constructor(private readonly entries: LedgerEntry[]) {}
  byKind() {
    const kinds = [
      'INVOICE_ISSUED',
      'INVOICE_VOIDED',
      'PAYMENT_RECEIVED',
      'CREDIT_NOTE',
      'DEPOSIT_RECEIVED',
      'DEPOSIT_DEDUCTED',
      'DEPOSIT_REFUNDED',
      'PAYMENT_UNAPPLIED',
    ];
    return kinds.map((kind) => {
      const of = this.entries.filter((e) => e.kind === kind);
      return { kind, count: of.length, amount: formatFen(of.reduce((t, e) => t + e.amount, 0n)) };
    });
  }
}
