/**
 * Issue 22: the accountant's month as pure functions of ledger rows. A generated year of payments,
 * credit notes and deposit movements goes through the revenue report and the vouchers of every
 * month; the identities that must hold are checked on it, not figures written down by hand.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LedgerKind } from '../../lib/billing/context.js';
import type { ValidationError } from '../../lib/errors.js';
import type { LedgerEntry } from '../../lib/ledger/query.js';
import {
  defaultSettings,
  SettingsHistory,
  type SettingsVersion,
  validateChange,
} from '../../lib/reports/accounting-settings.js';
import {
  addMonth,
  monthOf,
  quarterOf,
  recognitionSchedule,
  splitTax,
} from '../../lib/reports/recognition.js';
import { type Flow, revenueFlows, revenueReport } from '../../lib/reports/revenue.js';
import { monthVouchers } from '../../lib/reports/vouchers.js';
import { addMonths } from '../../lib/time.js';

let seq = 0;
function entry(
  kind: LedgerKind,
  date: string,
  fields: Partial<LedgerEntry> & { feeCode: string; amount: bigint },
): LedgerEntry {
  seq++;
  return {
    sk: `${date}#${String(seq).padStart(8, '0')}#${kind}`,
    kind,
    businessDate: date,
    at: `${date}T10:00:00+08:00`,
    documentNo: fields.receiptNo ?? fields.creditNoteNo ?? `DOC${seq}`,
    actor: 'cashier',
    ...fields,
  };
}

const history = (versions: Omit<SettingsVersion, 'estateId'>[] = []) =>
  new SettingsHistory(
    'EST',
    versions.map((v) => ({ ...v, estateId: 'EST' })),
  );

describe('recognition and tax split (SPEC.md §10)', () => {
  it('earns 1934.50 a year as eleven 161.20 and one 161.30, the remainder last', () => {
    const pieces = recognitionSchedule(193450n, '2026-06-01', '2027-06-01');
    expect(pieces.map((p) => p.gross)).toEqual([...Array(11).fill(16120n), 16130n]);
    expect(pieces[0]!.month).toBe('2026-06');
    expect(pieces[11]!.month).toBe('2027-05');
  });

  it('spreads any amount over any whole-month period so the months sum exactly to the line', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 9n }), fc.integer({ min: 1, max: 36 }), (fen, months) => {
        const pieces = recognitionSchedule(fen, '2025-01-31', addMonths('2025-01-31', months));
        expect(pieces).toHaveLength(months);
        expect(pieces.reduce((s, p) => s + p.gross, 0n)).toBe(fen);
        const each = pieces[0]!.gross;
        expect(pieces.slice(0, -1).every((p) => p.gross === each)).toBe(true);
        expect(pieces[months - 1]!.gross - each).toBeLessThan(BigInt(months));
      }),
    );
  });

  it('splits 1934.50 at 6% into 1825.00 + 109.50, and net + tax is always the gross', () => {
    expect(splitTax(193450n, '0.06')).toEqual({ gross: 193450n, net: 182500n, tax: 10950n });
    expect(splitTax(1000n, '0.09')).toEqual({ gross: 1000n, net: 917n, tax: 83n });
    expect(splitTax(100000n, null)).toEqual({ gross: 100000n, net: 100000n, tax: 0n });
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 9n), max: 10n ** 9n }),
        fc.constantFrom('0.06', '0.09', '0.13', '0.0325'),
        (g, r) => {
          const s = splitTax(g, r);
          expect(s.net + s.tax).toBe(g);
        },
      ),
    );
  });

  it('dates the quarterly disclosure on the 20th of the month after the quarter', () => {
    expect(quarterOf('2026Q3')).toEqual({ from: '2026-07-01', to: '2026-09-30', dueDate: '2026-10-20' });
    expect(quarterOf('2026Q4')?.dueDate).toBe('2027-01-20');
    expect(quarterOf('2026Q1')).toEqual({ from: '2026-01-01', to: '2026-03-31', dueDate: '2026-04-20' });
    expect(quarterOf('2026Q5')).toBeUndefined();
  });
});

describe('collected opening arrears (期初欠费)', () => {
  it('clear the old books’ receivable: no revenue in the report, 1122 credited on the voucher', () => {
    const settings = history();
    const arrears = entry('PAYMENT_RECEIVED', '2026-06-20', {
      feeCode: 'OPENING_ARREARS',
      amount: 300010n,
      invoiceNo: 'EST-2026-000002',
      receiptNo: 'EST-R2026-000002',
      channel: 'CASH',
    });
    const parking = entry('PAYMENT_RECEIVED', '2026-06-20', {
      feeCode: 'TEMP_PARKING',
      amount: 500n,
      receiptNo: 'EST-R2026-000003',
      channel: 'CASH',
    });
    const flows = revenueFlows([arrears, parking], settings);
    const june = revenueReport('EST', '2026-06', flows);
    expect(june.rows.map((r) => r.feeCode)).toEqual(['TEMP_PARKING']);
    expect(june.totals.recognised).toBe(500n);
    const v = monthVouchers({
      month: '2026-06',
      entries: [arrears, parking],
      flows,
      accounts: settings.at('2026-06').accounts,
      auxiliary: () => '',
    });
    const credit = (code: string) =>
      v.filter((l) => l.accountCode === code).reduce((a, l) => a + l.credit, 0n);
    expect(credit('1122')).toBe(300010n);
    expect(credit('6001') + credit('22210106')).toBe(500n);
    expect(v.reduce((a, l) => a + l.debit - l.credit, 0n)).toBe(0n);
  });
});

describe('a rate change applies from its month', () => {
  it('reports July at 6% and August at 5% after a change made in August', () => {
    const d = defaultSettings();
    const settings = history([
      { ...validateChange({ vatRates: { PROPERTY_FEE: '0.05' } }, d), effectiveFrom: '2026-08' },
    ]);
    const pay = entry('PAYMENT_RECEIVED', '2026-06-20', {
      feeCode: 'PROPERTY_FEE',
      amount: 193450n,
      invoiceNo: 'EST-2026-000001',
      receiptNo: 'EST-R2026-000001',
      channel: 'CASH',
      periodStart: '2026-07-01',
      periodEnd: '2027-07-01',
    });
    const flows = revenueFlows([pay], settings);
    const july = revenueReport('EST', '2026-07', flows).rows[0]!;
    const august = revenueReport('EST', '2026-08', flows).rows[0]!;
    expect(july.recognised).toBe(16120n);
    expect(july.recognisedNet).toBe(splitTax(16120n, '0.06').net);
    expect(august.recognisedNet).toBe(splitTax(16120n, '0.05').net);
    expect(august.recognisedNet).not.toBe(july.recognisedNet);
    // Received in June, split at June's rate; June is before the change.
    expect(revenueReport('EST', '2026-06', flows).rows[0]!.receivedTax).toBe(10950n);
  });

  it('refuses unknown fee codes, rates outside [0, 1) or with five places, and account codes that are not digits', () => {
    const d = defaultSettings();
    const fields = (change: Parameters<typeof validateChange>[0]) => {
      try {
        validateChange(change, d);
        return [];
      } catch (e) {
        return (e as ValidationError).problems.map((x) => x.field);
      }
    };
    expect(fields({ vatRates: { NOPE: '0.06' } })).toEqual(['vatRates.NOPE']);
    expect(fields({ vatRates: { PROPERTY_FEE: '1' } })).toEqual(['vatRates.PROPERTY_FEE']);
    expect(fields({ vatRates: { PROPERTY_FEE: '0.06001' } })).toEqual(['vatRates.PROPERTY_FEE']);
    expect(fields({ accounts: { advanceReceipts: '22O3' } })).toEqual(['accounts.advanceReceipts']);
    expect(fields({ accounts: { feeCodes: { PROPERTY_FEE: '6051' } } })).toEqual([
      'accounts.feeCodes.PROPERTY_FEE',
    ]);
    expect(
      fields({ accounts: { feeCodes: { PROPERTY_FEE: '6051' }, names: { '6051': '其他业务收入' } } }),
    ).toEqual([]);
    expect(fields({ vatRates: { PROPERTY_FEE: '0.0325', DEPOSIT_DEDUCTION: '0.06' } })).toEqual([]);
  });
});

/** A year of business for a small estate, from a seed: every kind of entry the month reads. */
function generatedYear(seed: number): LedgerEntry[] {
  // mulberry32: a small seeded generator, so a failure replays.
  let x = seed >>> 0;
  const rnd = (n: number) => {
    x = (x + 0x6d2b79f5) >>> 0;
    let t = x;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  const out: LedgerEntry[] = [];
  const paid: LedgerEntry[] = [];
  for (let day = 0; day < 365; day++) {
    const date = addDaysIso('2026-01-01', day);
    for (let k = rnd(4); k > 0; k--) {
      const n = out.length;
      const start = addMonths(
        `${addMonth(monthOf(date), rnd(5) - 2)}-${String(1 + rnd(28)).padStart(2, '0')}`,
        0,
      );
      const months = [12, 12, 12, 3, 6, 1][rnd(6)]!;
      const feeCode = months === 12 ? (rnd(3) ? 'PROPERTY_FEE' : 'PARKING_SPACE_FEE') : 'PARKING_RENTAL';
      const pay = entry('PAYMENT_RECEIVED', date, {
        feeCode,
        amount: BigInt(10000 + rnd(400000)),
        invoiceNo: `EST-2026-${n}`,
        receiptNo: `EST-R2026-${n}`,
        channel: ['CASH', 'TRANSFER', 'KIOSK_WECHAT'][rnd(3)]!,
        unitId: `EST-U${rnd(50)}`,
        periodStart: start,
        periodEnd: addMonths(start, months),
      });
      out.push(pay);
      paid.push(pay);
    }
    if (rnd(2))
      out.push(
        entry('PAYMENT_RECEIVED', date, {
          feeCode: 'TEMP_PARKING',
          amount: BigInt(200 + rnd(800)),
          receiptNo: `T${out.length}`,
          channel: 'CASH',
          plate: '粤B12345',
        }),
      );
    if (rnd(10) === 0) {
      const n = out.length;
      out.push(
        entry('DEPOSIT_RECEIVED', date, {
          feeCode: 'RENOVATION_DEPOSIT',
          amount: 100000n,
          receiptNo: `EST-R2026-D${n}`,
          invoiceNo: `EST-2026-D${n}`,
          channel: 'TRANSFER',
          unitId: 'EST-U1',
        }),
      );
      out.push(
        entry('PAYMENT_RECEIVED', date, {
          feeCode: 'RENOVATION_WASTE',
          amount: 44780n,
          receiptNo: `EST-R2026-D${n}`,
          invoiceNo: `EST-2026-D${n}`,
          channel: 'TRANSFER',
          unitId: 'EST-U1',
        }),
      );
      if (rnd(2))
        out.push(
          entry('DEPOSIT_DEDUCTED', date, {
            feeCode: 'RENOVATION_DEPOSIT',
            amount: 30000n,
            unitId: 'EST-U1',
          }),
        );
      out.push(
        entry('DEPOSIT_REFUNDED', date, {
          feeCode: 'RENOVATION_DEPOSIT',
          amount: 50000n,
          channel: 'CASH',
          unitId: 'EST-U1',
        }),
      );
    }
    if (rnd(9) === 0 && paid.length > 0) {
      const p = paid.splice(rnd(paid.length), 1)[0]!;
      out.push(
        entry('CREDIT_NOTE', date, {
          feeCode: p.feeCode,
          amount: -p.amount,
          invoiceNo: p.invoiceNo,
          receiptNo: p.receiptNo,
          creditNoteNo: `EST-C2026-${out.length}`,
          unitId: p.unitId,
          periodStart: p.periodStart,
          periodEnd: p.periodEnd,
        }),
      );
    }
  }
  return out;
}

function addDaysIso(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

const MONTHS_2026 = Array.from({ length: 12 }, (_, i) => addMonth('2026-01', i));
/** Far enough for every generated period (starts up to 2027-02, a year long) to be earned. */
const MONTHS_TO_END = Array.from({ length: 30 }, (_, i) => addMonth('2026-01', i));

describe('a generated year', () => {
  for (const seed of [7, 2026, 99991]) {
    const entries = generatedYear(seed);
    const settings = history();
    const flows: Flow[] = revenueFlows(entries, settings);

    it(`seed ${seed}: opening + received − recognised = closing per fee code, and each closing opens the next month`, () => {
      let previous = new Map<string, bigint>();
      for (const month of MONTHS_TO_END) {
        const report = revenueReport('EST', month, flows);
        for (const r of report.rows) {
          expect(r.opening + r.received - r.recognised, `${month} ${r.feeCode}`).toBe(r.closing);
          expect(r.opening, `${month} ${r.feeCode} opening`).toBe(previous.get(r.feeCode) ?? 0n);
          expect(r.receivedNet + r.receivedTax).toBe(r.received);
          expect(r.recognisedNet + r.recognisedTax).toBe(r.recognised);
        }
        previous = new Map(report.rows.map((r) => [r.feeCode, r.closing]));
      }
      expect(
        [...previous.values()].every((c) => c === 0n),
        'everything received is earned in the end',
      ).toBe(true);
    });

    it(`seed ${seed}: twelve monthly reports add up to the ledger's received totals per fee code`, () => {
      const ledger = new Map<string, bigint>();
      for (const e of entries) {
        const code =
          e.kind === 'DEPOSIT_DEDUCTED'
            ? 'DEPOSIT_DEDUCTION'
            : e.kind === 'PAYMENT_RECEIVED' || e.kind === 'CREDIT_NOTE'
              ? e.feeCode
              : undefined;
        if (code) ledger.set(code, (ledger.get(code) ?? 0n) + e.amount);
      }
      const months = new Map<string, bigint>();
      for (const month of MONTHS_2026)
        for (const r of revenueReport('EST', month, flows).rows)
          months.set(r.feeCode, (months.get(r.feeCode) ?? 0n) + r.received);
      expect(Object.fromEntries(months)).toEqual(Object.fromEntries(ledger));
      expect(ledger.size).toBeGreaterThanOrEqual(5);
    });

    it(`seed ${seed}: every voucher of every month balances, and advance receipts tie to the report`, () => {
      const accounts = settings.at('2026-01').accounts;
      let advance = 0n;
      let lines = 0;
      for (const month of MONTHS_TO_END) {
        const v = monthVouchers({
          month,
          entries,
          flows,
          accounts,
          auxiliary: (e) => e.unitId ?? e.plate ?? '',
        });
        lines += v.length;
        const byVoucher = new Map<number, bigint>();
        for (const l of v) {
          expect(l.debit >= 0n && l.credit >= 0n, `${month} ${l.summary}`).toBe(true);
          byVoucher.set(l.voucherNo, (byVoucher.get(l.voucherNo) ?? 0n) + l.debit - l.credit);
          if (l.accountCode === accounts.advanceReceipts) advance += l.credit - l.debit;
        }
        for (const [no, diff] of byVoucher) expect(diff, `${month} voucher ${no}`).toBe(0n);
        const closing = revenueReport('EST', month, flows).totals.closing;
        expect(advance, `${month}: 2203 balance = closing advance receipts`).toBe(closing);
      }
      expect(lines).toBeGreaterThan(500);
    });
  }
});
