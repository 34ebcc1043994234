// Business time (SPEC.md §2): Asia/Shanghai dates whatever the process zone, clamped month arithmetic,
// the working-day calendar with 调休.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  addYears,
  businessDate,
  businessYear,
  compareDates,
  dayOfWeek,
  expandRanges,
  formatInstant,
  type HolidaySchedule,
  inPeriod,
  OFFICIAL_SCHEDULES,
  parseBizDate,
  parseInstant,
  WorkingCalendar,
} from '../../lib/time.js';
import { expectValidation } from './expect-validation.js';

describe('month and year arithmetic clamps to the month end', () => {
  it.each([
    ['2024-01-31', 1, '2024-02-29'],
    ['2024-12-31', 2, '2025-02-28'],
    ['2025-01-31', 1, '2025-02-28'],
    ['2024-03-31', 1, '2024-04-30'],
    ['2024-03-31', -1, '2024-02-29'],
    ['2025-03-31', -1, '2025-02-28'],
    ['2024-01-15', 1, '2024-02-15'],
    ['2024-11-30', 3, '2025-02-28'],
    ['2024-08-31', 12, '2025-08-31'],
  ])('%s + %i months = %s', (date, months, expected) => {
    expect(addMonths(date, months)).toBe(expected);
  });

  it.each([
    ['2024-02-29', 1, '2025-02-28'],
    ['2024-02-29', 4, '2028-02-29'],
    ['2024-02-28', 1, '2025-02-28'],
    ['2023-03-01', 1, '2024-03-01'],
  ])('%s + %i years = %s', (date, years, expected) => {
    expect(addYears(date, years)).toBe(expected);
  });

  it('adds days across month and year ends', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-02-28', 1)).toBe('2025-03-01');
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(addDays('2025-01-01', -1)).toBe('2024-12-31');
  });
});

describe('business dates of instants (Asia/Shanghai)', () => {
  it.each([
    ['2025-01-01T07:30+08:00', '2025-01-01', 2025],
    ['2024-12-31T23:30:00Z', '2025-01-01', 2025],
    ['2024-12-31T15:59:59.999Z', '2024-12-31', 2024],
    ['2024-12-31T16:00:00Z', '2025-01-01', 2025],
    ['2024-12-31T10:30:00-05:00', '2024-12-31', 2024],
    ['2024-12-31T11:00:00-05:00', '2025-01-01', 2025],
    ['2025-06-30T23:59:59+08:00', '2025-06-30', 2025],
  ])('%s → %s (fiscal year %i)', (iso, date, year) => {
    const ms = parseInstant(iso, 'at');
    expect(businessDate(ms)).toBe(date);
    expect(businessYear(ms)).toBe(year);
  });

  it('formats an instant in +08:00', () => {
    expect(formatInstant(Date.parse('2024-12-31T23:30:00Z'))).toBe('2025-01-01T07:30:00+08:00');
    // Whole seconds, always: one width for every time the API shows (issue 17, item 12).
    expect(formatInstant(Date.parse('2025-03-01T08:00:00.250+08:00'))).toBe('2025-03-01T08:00:00+08:00');
    expect(formatInstant(Date.parse('2025-03-01T08:00:00.999+08:00'))).toBe('2025-03-01T08:00:00+08:00');
  });

  it('does not depend on the process time zone (a child process in New York agrees)', () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const code = [
      "const t = await import('./lib/time.ts');",
      "const ms = t.parseInstant('2024-12-31T23:30:00Z', 'at');",
      "const early = t.parseInstant('2025-01-01T07:30+08:00', 'at');",
      'console.log(JSON.stringify({',
      '  zone: Intl.DateTimeFormat().resolvedOptions().timeZone,',
      '  localDay: new Date(ms).getDate(),',
      '  date: t.businessDate(ms),',
      '  early: t.businessDate(early),',
      '  year: t.businessYear(ms),',
      '  shown: t.formatInstant(ms),',
      '}));',
    ].join('\n');
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      cwd: root,
      env: { ...process.env, TZ: 'America/New_York' },
      encoding: 'utf8',
    });
    const got = JSON.parse(out.trim().split('\n').pop() ?? '{}');
    // The child really runs in New York: a naive Date still sees December 31 …
    expect(got.zone).toBe('America/New_York');
    expect(got.localDay).toBe(31);
    // … while business time is Shanghai's.
    expect(got).toMatchObject({
      date: '2025-01-01',
      early: '2025-01-01',
      year: 2025,
      shown: '2025-01-01T07:30:00+08:00',
    });
  });
});

describe('parsing dates and instants', () => {
  it('accepts real dates and instants with an offset', () => {
    expect(parseBizDate('2024-02-29', 'date')).toBe('2024-02-29');
    expect(parseInstant('2025-03-01T08:00:00+08:00', 'at')).toBe(Date.UTC(2025, 2, 1, 0, 0, 0));
    expect(parseInstant('2025-03-01T00:00Z', 'at')).toBe(Date.UTC(2025, 2, 1));
    expect(parseInstant('2025-03-01T08:00:00.123456789+08:00', 'at')).toBe(Date.UTC(2025, 2, 1) + 123);
  });

  it.each([
    ['2025-02-29', 'INVALID_DATE'],
    ['2025-13-01', 'INVALID_DATE'],
    ['2025-1-1', 'INVALID_DATE'],
    ['20250101', 'INVALID_DATE'],
    ['', 'INVALID_DATE'],
  ])('rejects the date %s', (value, code) => {
    expectValidation(() => parseBizDate(value, 'deliveryDate'), 'deliveryDate', code);
  });

  it.each([
    ['without an offset', '2025-03-01T08:00:00'],
    ['a date only', '2025-03-01'],
    ['epoch milliseconds', 1740787200000],
    ['an impossible day', '2025-02-30T08:00:00+08:00'],
    ['hour 25', '2025-03-01T25:00:00+08:00'],
    ['a space instead of T', '2025-03-01 08:00:00+08:00'],
  ])('rejects an instant %s', (_what, value) => {
    expectValidation(() => parseInstant(value, 'entryAt'), 'entryAt', 'INVALID_TIMESTAMP');
  });
});

describe('parseInstant and formatInstant agree with Temporal (the fast paths change no result)', () => {
  const temporalFormat = (ms: number) =>
    Temporal.Instant.fromEpochMilliseconds(ms)
      .toZonedDateTimeISO('Asia/Shanghai')
      .toString({ timeZoneName: 'never', fractionalSecondDigits: 0, roundingMode: 'floor' });
  const temporalParse = (text: string) => {
    try {
      return Temporal.Instant.from(text).epochMilliseconds;
    } catch {
      return 'rejected';
    }
  };
  const ours = (text: string) => {
    try {
      return parseInstant(text, 'at');
    } catch (e) {
      expect(e).toMatchObject({ field: 'at', code: 'INVALID_TIMESTAMP' });
      return 'rejected';
    }
  };

  it.each([
    // China kept daylight saving time 1986-1991: those instants show +09:00 in summer
    ['1988-06-01T00:00:00Z', '1988-06-01T09:00:00+09:00'],
    ['1991-09-14T16:59:59.999Z', '1991-09-15T01:59:59+09:00'],
    ['1991-12-31T15:59:59.999Z', '1991-12-31T23:59:59+08:00'],
    ['1991-12-31T16:00:00Z', '1992-01-01T00:00:00+08:00'],
    ['2025-03-01T00:00:00.100Z', '2025-03-01T08:00:00+08:00'],
    ['2025-03-01T00:00:00.010Z', '2025-03-01T08:00:00+08:00'],
    ['9999-12-31T15:59:59.999Z', '9999-12-31T23:59:59+08:00'],
    ['9999-12-31T16:00:00Z', '+010000-01-01T00:00:00+08:00'],
  ])('formats %s as %s', (iso, shown) => {
    const ms = Date.parse(iso);
    expect(formatInstant(ms)).toBe(shown);
    expect(temporalFormat(ms)).toBe(shown);
  });

  it('formats any instant as Temporal does', () => {
    const instants = fc.oneof(
      fc.integer({ min: Date.UTC(1985, 0, 1), max: Date.UTC(1993, 0, 1) }),
      fc
        .date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true })
        .map((d) => d.getTime()),
      fc.date({ noInvalidDate: true }).map((d) => d.getTime()),
    );
    fc.assert(
      fc.property(instants, (ms) => {
        expect(formatInstant(ms)).toBe(temporalFormat(ms));
      }),
      { numRuns: 2000 },
    );
  });

  it('parses any instant text as Temporal does, and rejects what it rejects', () => {
    const two = (min: number, max: number) => fc.integer({ min, max }).map((n) => String(n).padStart(2, '0'));
    const text = fc
      .record({
        year: fc.oneof(fc.integer({ min: 1985, max: 2100 }), fc.integer({ min: 0, max: 9999 })),
        month: two(0, 13),
        day: fc.oneof(two(1, 28), two(0, 32)),
        hour: fc.oneof(two(0, 23), two(0, 25)),
        minute: two(0, 60),
        second: fc.option(two(0, 61)),
        fraction: fc.option(fc.stringMatching(/^\d{1,9}$/)),
        offset: fc.oneof(
          fc.constant('Z'),
          fc.tuple(fc.constantFrom('+', '-'), two(0, 25), two(0, 60)).map(([s, h, m]) => `${s}${h}:${m}`),
        ),
      })
      .map((p) => {
        const seconds = p.second === null ? '' : `:${p.second}${p.fraction === null ? '' : `.${p.fraction}`}`;
        return `${String(p.year).padStart(4, '0')}-${p.month}-${p.day}T${p.hour}:${p.minute}${seconds}${p.offset}`;
      });
    fc.assert(
      fc.property(text, (t) => {
        expect(ours(t)).toBe(temporalParse(t));
      }),
      { numRuns: 5000 },
    );
  });

  it.each([
    '2025-03-01T08:00:00-00:00',
    '2024-02-29T23:59:59.999999999+08:00',
    '2025-02-29T00:00:00Z',
    '2025-12-31T23:59:60Z',
    '2025-03-01T24:00:00+08:00',
    '2025-03-01T08:00:00+24:00',
    '0999-12-31T23:59:59Z',
    '0050-06-15T12:00:00+08:00',
    '1970-01-01T07:59:59.9995+08:00',
  ])('agrees on %s', (t) => {
    expect(ours(t)).toBe(temporalParse(t));
  });
});

describe('periods and comparisons', () => {
  it('half-open periods contain the start, not the end', () => {
    const p = { start: '2025-02-28', end: '2026-02-28' };
    expect(inPeriod('2025-02-28', p)).toBe(true);
    expect(inPeriod('2026-02-27', p)).toBe(true);
    expect(inPeriod('2026-02-28', p)).toBe(false);
    expect(inPeriod('2025-02-27', p)).toBe(false);
  });

  it('compares dates and names weekdays', () => {
    expect(compareDates('2025-01-09', '2025-01-10')).toBe(-1);
    expect(compareDates('2025-10-01', '2025-09-30')).toBe(1);
    expect(compareDates('2025-10-01', '2025-10-01')).toBe(0);
    expect(dayOfWeek('2025-01-26')).toBe(7);
    expect(dayOfWeek('2025-01-27')).toBe(1);
  });
});

describe('working days (工作日) with the official calendars', () => {
  const cal = new WorkingCalendar([OFFICIAL_SCHEDULES[2025]!, OFFICIAL_SCHEDULES[2026]!]);

  it('refund within 5 working days of 2025-01-24 is due 2025-02-07 (make-up Sunday counted, Spring Festival skipped)', () => {
    expect(cal.addWorkingDays('2025-01-24', 5)).toBe('2025-02-07');
    expect(cal.addWorkingDays('2025-01-24', 1)).toBe('2025-01-26');
    expect(cal.addWorkingDays('2025-01-24', 2)).toBe('2025-01-27');
    expect(cal.addWorkingDays('2025-01-24', 3)).toBe('2025-02-05');
  });

  it.each([
    // counting starts the day after the event, even when the event is on a working day
    ['2025-03-03', 1, '2025-03-04'],
    ['2025-03-07', 1, '2025-03-10'],
    ['2025-04-03', 1, '2025-04-07'],
    ['2025-04-25', 1, '2025-04-27'],
    ['2025-09-26', 1, '2025-09-28'],
    ['2025-09-30', 1, '2025-10-09'],
    ['2025-09-30', 3, '2025-10-11'],
    ['2025-12-31', 1, '2026-01-04'],
    ['2026-02-13', 1, '2026-02-14'],
    ['2026-02-13', 2, '2026-02-24'],
    ['2026-02-27', 1, '2026-02-28'],
    ['2026-04-30', 3, '2026-05-08'],
    ['2026-06-18', 1, '2026-06-22'],
    ['2026-09-24', 1, '2026-09-28'],
    ['2026-09-30', 3, '2026-10-10'],
  ])('%s + %i working days → %s', (date, n, expected) => {
    expect(cal.addWorkingDays(date, n)).toBe(expected);
  });

  it.each([
    ['2025-01-01', false],
    ['2025-01-26', true],
    ['2025-02-04', false],
    ['2025-02-05', true],
    ['2025-02-08', true],
    ['2025-02-09', false],
    ['2025-10-08', false],
    ['2025-10-11', true],
    ['2026-01-02', false],
    ['2026-01-04', true],
    ['2026-02-23', false],
    ['2026-05-09', true],
    ['2026-10-07', false],
    ['2026-10-10', true],
  ])('%s is a working day: %s', (date, working) => {
    expect(cal.isWorkingDay(date)).toBe(working);
  });

  it('ships the days the State Council announced', () => {
    expect(OFFICIAL_SCHEDULES[2025]!.holidays).toHaveLength(1 + 8 + 3 + 5 + 3 + 8);
    expect(OFFICIAL_SCHEDULES[2026]!.holidays).toHaveLength(3 + 9 + 3 + 5 + 3 + 3 + 7);
    expect(OFFICIAL_SCHEDULES[2026]!.workdays).toEqual([
      '2026-01-04',
      '2026-02-14',
      '2026-02-28',
      '2026-05-09',
      '2026-09-20',
      '2026-10-10',
    ]);
  });

  it('without a calendar, only weekends are off', () => {
    const plain = new WorkingCalendar([]);
    expect(plain.isWorkingDay('2025-01-01')).toBe(true);
    expect(plain.addWorkingDays('2025-01-24', 5)).toBe('2025-01-31');
  });
});

describe('working days with a fixture calendar', () => {
  // A made-up year: Wednesday 2030-05-01 to Friday 05-03 off, Saturday 05-04 worked instead.
  const fixture: HolidaySchedule = {
    holidays: expandRanges([['2030-05-01', '2030-05-03'], '2030-05-06']),
    workdays: ['2030-05-04'],
  };
  const cal = new WorkingCalendar([fixture]);

  it('expands inclusive ranges', () => {
    expect(fixture.holidays).toEqual(['2030-05-01', '2030-05-02', '2030-05-03', '2030-05-06']);
    expect(expandRanges([['2030-12-30', '2031-01-02']])).toEqual([
      '2030-12-30',
      '2030-12-31',
      '2031-01-01',
      '2031-01-02',
    ]);
  });

  it.each([
    ['2030-04-30', 1, '2030-05-04'],
    ['2030-04-30', 2, '2030-05-07'],
    ['2030-04-29', 3, '2030-05-07'],
    ['2030-05-04', 1, '2030-05-07'],
    ['2030-05-07', 3, '2030-05-10'],
  ])('%s + %i → %s', (date, n, expected) => {
    expect(cal.addWorkingDays(date, n)).toBe(expected);
  });

  it('a make-up day wins over a weekend; a holiday over a weekday', () => {
    expect(cal.isWorkingDay('2030-05-04')).toBe(true);
    expect(cal.isWorkingDay('2030-05-05')).toBe(false);
    expect(cal.isWorkingDay('2030-05-06')).toBe(false);
    expect(cal.isWorkingDay('2030-05-07')).toBe(true);
  });

  it('refuses a count that is not a positive whole number', () => {
    expect(() => cal.addWorkingDays('2030-05-01', 0)).toThrow(RangeError);
    expect(() => cal.addWorkingDays('2030-05-01', 1.5)).toThrow(RangeError);
  });

  it('stops on a calendar without working days instead of looping', () => {
    const allOff = new WorkingCalendar([
      { holidays: expandRanges([['2030-01-01', '2045-12-31']]), workdays: [] },
    ]);
    expect(() => allOff.addWorkingDays('2030-01-01', 1)).toThrow(RangeError);
  });
});
