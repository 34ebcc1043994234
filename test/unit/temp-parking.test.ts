// 临时停车 (SPEC.md §4.2): whole minutes, upper-inclusive bands, 10.00 per full 24 h plus the bands again.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quote } from '../../lib/fees/quote.js';
import {
  MAX_STAY_MINUTES,
  splitStayCharge,
  stayMinutes,
  tempParkingCharge,
  tempParkingFee,
} from '../../lib/fees/temp-parking.js';
import { formatFen } from '../../lib/money.js';
import { seedTariff, type TariffVersion } from '../../lib/tariffs/catalog.js';
import { addDays, addMonths, businessDayStart, parseInstant } from '../../lib/time.js';
import { expectValidation } from './expect-validation.js';

const tariff = seedTariff('T1');
const ENTRY = '2025-03-01T08:00:00+08:00';

function fee(entryAt: string, exitAt: string, t: TariffVersion = tariff) {
  return tempParkingFee({
    entryMs: parseInstant(entryAt, 'entryAt'),
    exitMs: parseInstant(exitAt, 'exitAt'),
    tariff: t,
  });
}

describe('the boundary table (minutes → yuan)', () => {
  it.each([
    [0, '2025-03-01T08:00:00+08:00', '0.00'],
    [119, '2025-03-01T09:59:00+08:00', '0.00'],
    [120, '2025-03-01T10:00:00+08:00', '0.00'],
    [121, '2025-03-01T10:01:00+08:00', '2.00'],
    [240, '2025-03-01T12:00:00+08:00', '2.00'],
    [241, '2025-03-01T12:01:00+08:00', '5.00'],
    [480, '2025-03-01T16:00:00+08:00', '5.00'],
    [481, '2025-03-01T16:01:00+08:00', '10.00'],
    [1440, '2025-03-02T08:00:00+08:00', '10.00'],
    [1441, '2025-03-02T08:01:00+08:00', '10.00'],
    [1560, '2025-03-02T10:00:00+08:00', '10.00'],
    [1561, '2025-03-02T10:01:00+08:00', '12.00'],
    [2880, '2025-03-03T08:00:00+08:00', '20.00'],
    [2881, '2025-03-03T08:01:00+08:00', '20.00'],
    [4325, '2025-03-04T08:05:00+08:00', '30.00'],
  ])('%i min (exit %s) → %s', (minutes, exitAt, yuan) => {
    const line = fee(ENTRY, exitAt);
    expect(formatFen(line.amount)).toBe(yuan);
    expect(line.trace.inputs['minutes']).toBe(minutes);
    expect(line.type).toBe('TEMP_PARKING');
    expect(line.unitPrice).toBe(String(Number(yuan)));
    expect(line.trace['rounded']).toBe(yuan);
  });

  it('drops seconds in the driver’s favour: 2 h 00 min 59 s → 0.00, 2 h 01 min 00 s → 2.00', () => {
    expect(formatFen(fee(ENTRY, '2025-03-01T10:00:59+08:00').amount)).toBe('0.00');
    expect(formatFen(fee(ENTRY, '2025-03-01T10:00:59.999+08:00').amount)).toBe('0.00');
    expect(formatFen(fee(ENTRY, '2025-03-01T10:01:00+08:00').amount)).toBe('2.00');
    expect(formatFen(fee('2025-03-01T08:00:30+08:00', '2025-03-01T10:01:29+08:00').amount)).toBe('0.00');
    expect(formatFen(fee('2025-03-01T08:00:30+08:00', '2025-03-01T10:01:30+08:00').amount)).toBe('2.00');
  });

  it('measures the stay between instants, whatever offsets the gates send', () => {
    // 08:00 Shanghai is 00:00 UTC: a 4 h 01 min stay
    expect(formatFen(fee(ENTRY, '2025-03-01T04:01:00Z').amount)).toBe('5.00');
    // over midnight is one stay, not two calendar days
    expect(formatFen(fee('2025-03-01T22:00:00+08:00', '2025-03-02T01:00:00+08:00').amount)).toBe('2.00');
  });

  it('explains itself in the trace', () => {
    const line = fee(ENTRY, '2025-03-02T10:01:30Z');
    // 1 day + 10 h 01 min: the remainder of 601 min falls in the 481-1440 band
    expect(line.description).toBe('临时停车费 34小时1分钟');
    expect(line.trace).toMatchObject({
      inputs: { entryAt: '2025-03-01T08:00:00+08:00', exitAt: '2025-03-02T18:01:30+08:00', minutes: 2041 },
      fullDays: 1,
      remainderMinutes: 601,
      bandUpToMinutes: 1440,
      bandAmount: '10.00',
      exact: '20',
      rounded: '20.00',
    });
    expect(line.tariffVersion).toBe('T1@2000-01-01');
    expect(line.quantity).toBe('1');
    expect(line.unit).toBe('次');
    expect(line.months).toBeNull();
  });

  it('reports band 0 for a remainder of 0 minutes', () => {
    expect(tempParkingCharge(2880, tariff)).toEqual({
      amount: 2000n,
      minutes: 2880,
      fullDays: 2,
      bandUpTo: 0,
      bandAmount: 0n,
    });
  });
});

describe('stays too long or backwards', () => {
  it('rejects an exit before the entry', () => {
    expectValidation(() => fee(ENTRY, '2025-03-01T07:59:59+08:00'), 'exitAt', 'EXIT_BEFORE_ENTRY');
    expectValidation(() => stayMinutes(1_000, 999), 'exitAt', 'EXIT_BEFORE_ENTRY');
  });

  it('allows exactly 90 days and rejects a minute more', () => {
    const line = fee(ENTRY, '2025-05-30T08:00:00+08:00');
    expect(line.trace.inputs['minutes']).toBe(MAX_STAY_MINUTES);
    expect(formatFen(line.amount)).toBe('900.00');
    expectValidation(() => fee(ENTRY, '2025-05-30T08:01:00+08:00'), 'exitAt', 'STAY_TOO_LONG');
    expectValidation(() => fee(ENTRY, '2026-03-01T08:00:00+08:00'), 'exitAt', 'STAY_TOO_LONG');
  });

  it('counts the 90 days in whole minutes too: 90 d 0 min 59 s is still 90 days', () => {
    expect(formatFen(fee(ENTRY, '2025-05-30T08:00:59+08:00').amount)).toBe('900.00');
  });

  it('rejects a time that is not a number', () => {
    expectValidation(() => stayMinutes(Number.NaN, 0), 'exitAt', 'INVALID_TIMESTAMP');
    expectValidation(() => stayMinutes(0, Number.POSITIVE_INFINITY), 'exitAt', 'INVALID_TIMESTAMP');
  });

  it('names the item in a quote', () => {
    const items = [
      { type: 'RENOVATION_DEPOSIT' as const },
      { type: 'TEMP_PARKING' as const, entryAt: ENTRY, exitAt: '2025-03-01T07:00:00+08:00' },
    ];
    expectValidation(() => quote(items, tariff), 'items[1].exitAt', 'EXIT_BEFORE_ENTRY');
    expectValidation(
      () => quote([{ type: 'TEMP_PARKING', entryAt: '2025-03-01T08:00:00', exitAt: ENTRY }], tariff),
      'items[0].entryAt',
      'INVALID_TIMESTAMP',
    );
  });
});

describe('an estate’s own bands', () => {
  const custom: TariffVersion = {
    ...seedTariff('T2'),
    tempParkingBands: [
      { upToMinutes: 30, amount: '0.00' },
      { upToMinutes: 180, amount: '3.50' },
      { upToMinutes: 1440, amount: '15.00' },
    ],
  };

  it.each([
    [30, 0n],
    [31, 350n],
    [180, 350n],
    [181, 1500n],
    [1440, 1500n],
    [1470, 1500n],
    [1471, 1850n],
    [2 * 1440 + 181, 4500n],
  ])('%i min → %i fen', (minutes, fen) => {
    expect(tempParkingCharge(minutes, custom).amount).toBe(fen);
  });

  it('refuses bands that do not cover a day', () => {
    const broken = { ...custom, tempParkingBands: [{ upToMinutes: 600, amount: '5.00' }] };
    expect(() => tempParkingCharge(10, broken)).toThrow(RangeError);
  });
});

describe('a stay partly covered by a rental (SPEC.md §4.2, last bullet)', () => {
  const ms = (iso: string) => parseInstant(iso, 'at');
  // A rental's months run from 00:00 Asia/Shanghai of its start date to 00:00 of its end date.
  const rental = (start: string, months: number) => ({
    fromMs: businessDayStart(start),
    toMs: businessDayStart(addMonths(start, months)),
  });
  const split = (entry: string, exit: string, spans = [rental('2025-03-01', 1)]) =>
    splitStayCharge(ms(entry), ms(exit), spans, tariff, 'at');

  it('charges the time before the rental starts: in at 21:00, rental from today, out at 10:00 → 3 h → 2.00', () => {
    const r = split('2025-02-28T21:00:00+08:00', '2025-03-01T10:00:00+08:00');
    expect(formatFen(r.amount)).toBe('2.00');
    expect(r.parts).toMatchObject([
      { fromMs: ms('2025-02-28T21:00:00+08:00'), toMs: ms('2025-03-01T00:00:00+08:00'), minutes: 180 },
      { covered: true, minutes: 600 },
    ]);
    expect(r.parts[0]!.charge).toMatchObject({ amount: 200n, bandUpTo: 240 });
    expect(r.parts[1]!.charge).toBeUndefined();
  });

  it('charges the time after the rental ends as another stay, with its own free two hours', () => {
    // 3 h before (2.00) + 1 h 59 min after (free) ; 5 h after would be 5.00 more.
    expect(formatFen(split('2025-02-28T21:00:00+08:00', '2025-04-01T01:59:00+08:00').amount)).toBe('2.00');
    const both = split('2025-02-28T21:00:00+08:00', '2025-04-01T05:00:00+08:00');
    expect(formatFen(both.amount)).toBe('7.00');
    expect(both.parts.map((p) => [p.covered, p.minutes, p.charge?.amount])).toEqual([
      [false, 180, 200n],
      [true, 31 * 1440, undefined],
      [false, 300, 500n],
    ]);
  });

  it('a stay inside the rental is free; a renewal starting where the last one ends leaves no seam', () => {
    expect(split('2025-03-02T08:00:00+08:00', '2025-03-20T08:00:00+08:00').amount).toBe(0n);
    const renewed = split('2025-03-31T20:00:00+08:00', '2025-04-01T06:00:00+08:00', [
      rental('2025-04-01', 1),
      rental('2025-03-01', 1),
    ]);
    expect(renewed).toMatchObject({ amount: 0n, parts: [{ covered: true, minutes: 600 }] });
  });

  it('a gap between two rentals is charged; each uncovered part is at most a temporary stay', () => {
    const gap = split('2025-03-15T08:00:00+08:00', '2025-04-03T08:00:00+08:00', [
      rental('2025-03-01', 1),
      rental('2025-04-02', 1),
    ]);
    expect(formatFen(gap.amount)).toBe('10.00'); // 2025-04-01 00:00 to 04-02 00:00, one full day
    expectValidation(
      () => split('2025-03-01T08:00:00+08:00', '2025-09-01T08:00:00+08:00', [rental('2025-03-01', 1)]),
      'at',
      'STAY_TOO_LONG',
    );
    expectValidation(() => split(ENTRY, '2025-03-01T07:00:00+08:00'), 'at', 'EXIT_BEFORE_ENTRY');
  });

  // Stays of up to 80 days around rentals of 1-3 months starting within 40 days of the entry.
  const BASE = ms('2025-01-01T00:00:00+08:00');
  const stay = fc.record({
    entryMinute: fc.integer({ min: 0, max: 60 * 1440 }),
    minutes: fc.integer({ min: 0, max: 80 * 1440 }),
    seconds: fc.integer({ min: 0, max: 59 }),
    rentals: fc.array(
      fc.record({ day: fc.integer({ min: 0, max: 100 }), months: fc.integer({ min: 1, max: 3 }) }),
      { maxLength: 2 },
    ),
    later: fc.integer({ min: 0, max: 3 * 1440 }),
  });
  const spansOf = (rentals: { day: number; months: number }[]) =>
    rentals.map((x) => rental(addDays('2025-01-01', x.day), x.months));

  it('never costs more than the same stay without the rental, and never less for a later exit', () => {
    fc.assert(
      fc.property(stay, ({ entryMinute, minutes, seconds, rentals, later }) => {
        const entryMs = BASE + entryMinute * 60_000 + seconds * 1000;
        const exitMs = entryMs + minutes * 60_000;
        const spans = spansOf(rentals);
        const withRental = splitStayCharge(entryMs, exitMs, spans, tariff).amount;
        expect(withRental).toBeLessThanOrEqual(tempParkingCharge(minutes, tariff).amount);
        const laterMs = exitMs + later * 60_000 + seconds * 1000;
        expect(splitStayCharge(entryMs, laterMs, spans, tariff).amount).toBeGreaterThanOrEqual(withRental);
      }),
      { numRuns: 2000 },
    );
  });

  it('without a rental it is the plain fee; its parts tile the stay', () => {
    fc.assert(
      fc.property(stay, ({ entryMinute, minutes, seconds, rentals }) => {
        const entryMs = BASE + entryMinute * 60_000 + seconds * 1000;
        const exitMs = entryMs + minutes * 60_000;
        expect(splitStayCharge(entryMs, exitMs, [], tariff).amount).toBe(
          tempParkingCharge(minutes, tariff).amount,
        );
        const parts = splitStayCharge(entryMs, exitMs, spansOf(rentals), tariff).parts;
        let cursor = entryMs;
        for (const p of parts) {
          expect(p.fromMs).toBe(cursor);
          expect(p.toMs).toBeGreaterThan(p.fromMs);
          cursor = p.toMs;
        }
        expect(cursor).toBe(exitMs);
      }),
      { numRuns: 1000 },
    );
  });
});
