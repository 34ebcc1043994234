/**
 * The month close (docs/accounting.md §2a): a month's revenue report and vouchers computed from the
 * stored close of the month before plus the month's rows equal the ones computed from the whole
 * history, month by month over a generated year (annual and quarterly advances, ragged periods,
 * late payers, immediate lines, deposits, credit notes of lines paid months earlier, a VAT rate
 * change mid-year); no close is ever stored for a month that has not ended.
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { closeEndedMonths } from '../../functions/scheduler.js';
import { type Ctx, type LedgerKind, ledgerItems } from '../../lib/billing/context.js';
import { Dec, roundToFen } from '../../lib/money.js';
import { changeSettings } from '../../lib/reports/accounting-settings.js';
import { closeMonths, loadMonth, monthRevenue, monthVoucherLines } from '../../lib/reports/month.js';
import {
  closePk,
  decodeClose,
  encodeClose,
  latestCloseBefore,
  storeClose,
} from '../../lib/reports/month-close.js';
import { addMonth, splitTax } from '../../lib/reports/recognition.js';
import type { Item } from '../../lib/store/db.js';
import { addDays, addMonths } from '../../lib/time.js';
import { billingHarness, type Harness } from '../support/billing.js';
import { prng } from '../support/ledger-fixtures.js';

const ESTATE = 'CLOSE1';
const MONTHS = Array.from({ length: 12 }, (_, i) => addMonth('2025-01', i));

let h: Harness;
let admin: (at: string) => Ctx;

/** A year of an estate's money, written as the services write ledger rows. */
async function writeYear(seed: number): Promise<number> {
  const rng = prng(seed);
  const items: Item[] = [];
  const paid: {
    kind: LedgerKind;
    feeCode: string;
    amount: bigint;
    invoiceNo: string;
    receiptNo: string;
    unitId: string;
    period?: { start: string; end: string };
  }[] = [];
  let n = 0;
  const at = (date: string, minute: number) =>
    Date.parse(`${date}T09:${String(minute % 60).padStart(2, '0')}:00+08:00`);
  const put = (ms: number, args: Parameters<typeof ledgerItems>[2]) => {
    for (const tx of ledgerItems(admin('2025-01-01'), ms, args)) if ('Put' in tx) items.push(tx.Put.Item);
  };
  for (let day = 0; day < 365; day += 1 + rng.int(0, 1)) {
    const date = addDays('2025-01-01', day);
    const unitId = `${ESTATE}-U${rng.int(1, 40)}`;
    n++;
    const invoiceNo = `${ESTATE}-2025-${String(n).padStart(6, '0')}`;
    const receiptNo = `${ESTATE}-R2025-${String(n).padStart(6, '0')}`;
    const pick = rng.int(0, 9);
    // Annual fees from the 1st or mid-month, some starting months before payment (late payers).
    const start =
      pick < 5
        ? addMonths(`${date.slice(0, 7)}-${pick % 2 ? '01' : '15'}`, rng.int(-3, 2))
        : addMonths(`${date.slice(0, 7)}-01`, rng.int(0, 1));
    const lines =
      pick < 5
        ? [
            {
              feeCode: 'PROPERTY_FEE',
              amount: BigInt(rng.int(50_000, 400_000)),
              period: { start, end: addMonths(start, 12) },
            },
          ]
        : pick < 8
          ? [
              {
                feeCode: 'PARKING_RENTAL',
                amount: BigInt(rng.int(30_000, 90_000)),
                period: { start, end: addMonths(start, 3) },
              },
              { feeCode: 'TEMP_PARKING', amount: BigInt(rng.int(500, 3_000)) },
            ]
          : [{ feeCode: 'RENOVATION_WASTE', amount: 44_780n }];
    const channel = ['CASH', 'TRANSFER', 'KIOSK_WECHAT'][rng.int(0, 2)]!;
    put(at(date, n), {
      estateId: ESTATE,
      kind: 'PAYMENT_RECEIVED',
      documentNo: receiptNo,
      invoiceNo,
      receiptNo,
      unitId,
      channel,
      lines,
    });
    for (const l of lines) paid.push({ kind: 'PAYMENT_RECEIVED', ...l, invoiceNo, receiptNo, unitId });
    if (pick === 9) {
      const dep = `${ESTATE}-R2025-D${n}`;
      put(at(date, n + 1), {
        estateId: ESTATE,
        kind: 'DEPOSIT_RECEIVED',
        documentNo: dep,
        receiptNo: dep,
        unitId,
        channel: 'TRANSFER',
        lines: [{ feeCode: 'RENOVATION_DEPOSIT', amount: 100_000n }],
      });
      put(at(date, n + 2), {
        estateId: ESTATE,
        kind: 'DEPOSIT_DEDUCTED',
        documentNo: `${dep}-X`,
        unitId,
        lines: [{ feeCode: 'RENOVATION_DEPOSIT', amount: 30_000n }],
      });
    }
    // Credit notes of lines paid any time before, often in an earlier month.
    if (rng.int(0, 5) === 0 && paid.length > 0) {
      const p = paid.splice(rng.int(0, paid.length - 1), 1)[0]!;
      const crn = `${ESTATE}-C2025-${String(n).padStart(6, '0')}`;
      put(at(date, n + 3), {
        estateId: ESTATE,
        kind: 'CREDIT_NOTE',
        documentNo: crn,
        creditNoteNo: crn,
        invoiceNo: p.invoiceNo,
        receiptNo: p.receiptNo,
        unitId: p.unitId,
        lines: [{ feeCode: p.feeCode, amount: -p.amount, ...(p.period ? { period: p.period } : {}) }],
      });
    }
  }
  for (let i = 0; i < items.length; i += 25) await h.db.batchPut(items.slice(i, i + 25));
  return items.length;
}

beforeAll(async () => {
  h = await billingHarness();
  admin = (date) => ({
    ...h.ctx('admin', { estates: [ESTATE] }),
    now: () => Date.parse(`${date}T12:00:00+08:00`),
  });
  // VAT on property services changes from July: earlier months keep 6%.
  await changeSettings(admin('2025-07-10'), ESTATE, { vatRates: { PROPERTY_FEE: '0.05' } });
  expect(await writeYear(2025)).toBeGreaterThan(250);
});

describe('month close', () => {
  it('refuses to close the current month, and closes only ended months', async () => {
    const july = admin('2025-07-31');
    await expect(closeMonths(july, ESTATE, '2025-07')).rejects.toThrow(/not ended/);
    await expect(
      storeClose(july, { estateId: ESTATE, month: '2025-07', lines: [], channels: new Map() }),
    ).rejects.toThrow(/not ended/);
    // The scheduler's default: every ended month, none after.
    expect(await closeMonths(july, ESTATE)).toEqual(MONTHS.slice(0, 6));
    const stored = await h.db.queryAll({
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': closePk(ESTATE) },
    });
    expect(new Set(stored.map((i) => i['month']))).toEqual(new Set(MONTHS.slice(0, 6)));
    expect((await latestCloseBefore(h.db, ESTATE, '2025-08'))?.month).toBe('2025-06');
    // Idempotent: a second run closes nothing and rewrites nothing.
    expect(await closeMonths(admin('2025-07-31'), ESTATE)).toEqual([]);
  });

  it('answers every month of the year from the stored close exactly as from the history', async () => {
    // The second half is closed from the first half's last close, as the scheduler would.
    expect(await closeMonths(admin('2026-01-02'), ESTATE)).toEqual(MONTHS.slice(6));
    let creditsAcrossMonths = 0;
    let advance = 0n;
    let previous = new Map<string, bigint>();
    for (const month of MONTHS) {
      const fromClose = await loadMonth(h, ESTATE, month);
      const fromHistory = await loadMonth(h, ESTATE, month, { fromHistory: true });
      expect(fromClose.close?.month ?? null).toBe(month === '2025-01' ? null : addMonth(month, -1));
      // From the close, only the month's own rows are read, and only their flows are built: the
      // open lines come in as the close's carry.
      expect(fromClose.entries.every((e) => e.businessDate.startsWith(month))).toBe(true);
      if (month !== '2025-01') {
        expect(fromClose.carried?.length).toBeGreaterThan(0);
        expect(fromClose.flows.every((f) => f.receivedIn === month)).toBe(true);
      }
      const revenue = monthRevenue(ESTATE, fromClose);
      expect(revenue).toEqual(monthRevenue(ESTATE, fromHistory));
      expect(revenue.rows.length).toBeGreaterThan(0);
      const vouchers = await monthVoucherLines(h, fromClose);
      expect(vouchers).toEqual(await monthVoucherLines(h, fromHistory));
      // Ties on the close's path: every voucher balances, each row rolls forward, each closing
      // opens the next month, and the advance-receipts account's balance is the report's closing.
      const accounts = fromClose.settings.at(month).accounts;
      const byVoucher = new Map<number, bigint>();
      for (const l of vouchers) {
        byVoucher.set(l.voucherNo, (byVoucher.get(l.voucherNo) ?? 0n) + l.debit - l.credit);
        if (l.accountCode === accounts.advanceReceipts) advance += l.credit - l.debit;
      }
      expect(
        [...byVoucher.values()].every((d) => d === 0n),
        `${month} balanced`,
      ).toBe(true);
      for (const r of revenue.rows) {
        expect(r.opening + r.received - r.recognised, `${month} ${r.feeCode}`).toBe(r.closing);
        expect(r.opening, `${month} ${r.feeCode} opening`).toBe(previous.get(r.feeCode) ?? 0n);
      }
      previous = new Map(revenue.rows.map((r) => [r.feeCode, r.closing]));
      expect(advance, `${month} advance receipts`).toBe(revenue.totals.closing);
      creditsAcrossMonths += fromClose.entries.filter(
        (e) => e.kind === 'CREDIT_NOTE' && fromClose.close?.lines.some((l) => l.receiptNo === e.receiptNo),
      ).length;
    }
    // The year exercised what the close is for: credit notes of lines received before the close.
    expect(creditsAcrossMonths).toBeGreaterThan(3);
  });

  it('falls back to an older close when the previous month has none', async () => {
    const fromClose = await loadMonth(h, ESTATE, '2026-03');
    expect(fromClose.close?.month).toBe('2025-12');
    const fromHistory = await loadMonth(h, ESTATE, '2026-03', { fromHistory: true });
    expect(monthRevenue(ESTATE, fromClose)).toEqual(monthRevenue(ESTATE, fromHistory));
    expect(monthRevenue(ESTATE, fromClose).totals.opening).toBeGreaterThan(0n);
  });

  it("is the scheduler's step: each estate's ended months, a failure named and the others closed", async () => {
    const other = 'CLOSE2';
    for (const tx of ledgerItems(admin('2025-02-03'), Date.parse('2025-02-03T09:00:00+08:00'), {
      estateId: other,
      kind: 'PAYMENT_RECEIVED',
      documentNo: 'CLOSE2-R1',
      receiptNo: 'CLOSE2-R1',
      invoiceNo: 'CLOSE2-2025-1',
      channel: 'CASH',
      lines: [
        { feeCode: 'PROPERTY_FEE', amount: 120_000n, period: { start: '2025-02-01', end: '2026-02-01' } },
      ],
    }))
      if ('Put' in tx) await h.db.batchPut([tx.Put.Item]);
    const logged: string[] = [];
    const log = { info: (m: string) => logged.push(m), error: (m: string) => logged.push(m) };
    const deps = { db: h.db, now: () => Date.parse('2025-04-01T02:00:00+08:00') };
    // A bad stored close of one estate fails it alone.
    await h.db.put({
      PK: closePk('BROKEN'),
      SK: '2025-01#00',
      month: '2025-01',
      parts: 2,
      data: new Uint8Array(1),
    });
    const failed = await closeEndedMonths(deps, ['BROKEN', other], log);
    expect(failed.map((f) => f.estateId)).toEqual(['BROKEN']);
    expect((await latestCloseBefore(h.db, other, '2025-04'))?.month).toBe('2025-03');
    const march = await loadMonth(h, other, '2025-03');
    expect(march.close?.month).toBe('2025-02');
    expect(monthRevenue(other, march).totals).toMatchObject({ opening: 110_000n, recognised: 10_000n });
    expect(logged).toEqual(['month close failed', 'months closed']);
  });
});

describe('the close of format 2', () => {
  it('splits what it carries at the rate set after it was written, and reverses its lines then', async () => {
    const close = await latestCloseBefore(h.db, ESTATE, '2026-01');
    expect(close?.month).toBe('2025-12');
    expect(close?.carry?.some((c) => c.pieces.length > 0)).toBe(true);
    // A property line still earning in January, reversed by a credit note in January.
    const line = close!.lines.find(
      (l) => l.feeCode === 'PROPERTY_FEE' && l.periodEnd !== undefined && l.periodEnd > '2026-02-01',
    )!;
    for (const tx of ledgerItems(admin('2026-01-12'), Date.parse('2026-01-12T10:00:00+08:00'), {
      estateId: ESTATE,
      kind: 'CREDIT_NOTE',
      documentNo: `${ESTATE}-C2026-000001`,
      creditNoteNo: `${ESTATE}-C2026-000001`,
      ...(line.invoiceNo ? { invoiceNo: line.invoiceNo } : {}),
      ...(line.receiptNo ? { receiptNo: line.receiptNo } : {}),
      lines: [
        {
          feeCode: line.feeCode,
          amount: -line.amount,
          period: { start: line.periodStart!, end: line.periodEnd! },
        },
      ],
    }))
      if ('Put' in tx) await h.db.batchPut([tx.Put.Item]);
    // The rate changes in January, after December's close was written.
    await changeSettings(admin('2026-01-10'), ESTATE, { vatRates: { PROPERTY_FEE: '0.03' } });
    const fromClose = await loadMonth(h, ESTATE, '2026-01');
    const fromHistory = await loadMonth(h, ESTATE, '2026-01', { fromHistory: true });
    expect(fromClose.carried).toBeDefined();
    const revenue = monthRevenue(ESTATE, fromClose);
    expect(revenue).toEqual(monthRevenue(ESTATE, fromHistory));
    const property = revenue.rows.find((r) => r.feeCode === 'PROPERTY_FEE')!;
    expect(property.received).toBe(-line.amount);
    // Each piece split at 3% (the pieces' splits summed, never a split of the sum).
    expect(property.recognisedTax).toBeGreaterThan(0n);
    expect(property.recognisedTax * 100n).toBeLessThan(property.recognised * 4n);
    const vouchers = await monthVoucherLines(h, fromClose);
    expect(vouchers).toEqual(await monthVoucherLines(h, fromHistory));
    // The credit note pays back by the channel of the receipt, which only the close knows.
    const back = vouchers.filter((l) => l.summary.includes('C2026-000001') && l.credit > 0n);
    expect(back.map((l) => l.credit)).toEqual([line.amount]);
  });

  it('reads a close of format 1 (lines only) and computes the month after from its lines', () => {
    const lines = [['2025-03', 'INV-1', 'R-1', 'PROPERTY_FEE', '2025-03-01', '2026-03-01', '120000']];
    const data = gzipSync(JSON.stringify({ v: 1, lines, channels: [['R-1', 'CASH']] }));
    const close = decodeClose(ESTATE, '2025-03', data);
    expect(close.carry).toBeUndefined();
    expect(close.lines.map((l) => [l.receiptNo, l.amount, l.periodEnd])).toEqual([
      ['R-1', 120_000n, '2026-03-01'],
    ]);
    expect(close.channels.get('R-1')).toBe('CASH');
    // And a close of format 2 round-trips its lines, channels and carry.
    const again = decodeClose(
      ESTATE,
      '2025-03',
      encodeClose({
        ...close,
        carry: [{ feeCode: 'PROPERTY_FEE', opening: 110_000n, pieces: [[10_000n, 1]] }],
      }),
    );
    expect(again.lines).toEqual(close.lines);
    expect([...again.channels]).toEqual([['R-1', 'CASH']]);
    expect(again.carry).toEqual([{ feeCode: 'PROPERTY_FEE', opening: 110_000n, pieces: [[10_000n, 1]] }]);
    expect(again.linesByKey?.('INV-1|PROPERTY_FEE|2025-03-01').map((l) => l.entry.amount)).toEqual([
      120_000n,
    ]);
  });
});

describe('tax split in bigint', () => {
  it('rounds every amount at every rate as the 40-digit Decimal division does, ties away from zero', () => {
    const rates = fc.oneof(
      fc.constantFrom('0', '0.06', '0.09', '0.13', '0.05', '0.0325', '0.9999'),
      fc.integer({ min: 0, max: 9999 }).map((n) => `0.${String(n).padStart(4, '0')}`),
    );
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), rates, (gross, rate) => {
        const net = roundToFen(new Dec(gross.toString()).dividedBy(new Dec(1).plus(rate).times(100)));
        expect(splitTax(gross, rate)).toEqual({ gross, net, tax: gross - net });
      }),
      { numRuns: 5000 },
    );
    // A tie: 0.04 ÷ 1.6 = 0.025 yuan, half a fen, rounds away from zero.
    expect(splitTax(4n, '0.6').net).toBe(3n);
    expect(splitTax(-4n, '0.6').net).toBe(-3n);
  });
});
