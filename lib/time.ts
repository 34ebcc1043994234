/**
 * Business time (SPEC.md §2). Business dates are `YYYY-MM-DD` strings in Asia/Shanghai whatever the
 * process's zone (Lambda runs in UTC). Month arithmetic is Temporal's, which clamps to the month's
 * last day — our rule — so nothing here hand-rolls calendar maths on `Date`.
 */
import { Temporal } from 'temporal-polyfill';
import { ValidationError } from './errors.js';

export const BUSINESS_ZONE = 'Asia/Shanghai';

/** A calendar date `YYYY-MM-DD` in Asia/Shanghai. */
export type BizDate = string;

/** A half-open period `[start, end)` of business dates. */
export interface Period {
  start: BizDate;
  end: BizDate;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
// An instant must carry its offset (or Z): a bare local time is ambiguous for a gate in another zone.
const INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export function parseBizDate(value: unknown, field: string): BizDate {
  if (typeof value !== 'string' || !DATE_RE.test(value)) {
    throw ValidationError.of(field, 'INVALID_DATE', `${field} must be a date YYYY-MM-DD`);
  }
  try {
    return Temporal.PlainDate.from(value, { overflow: 'reject' }).toString();
  } catch {
    throw ValidationError.of(field, 'INVALID_DATE', `${field} is not a real calendar date`);
  }
}

/** Parses an ISO 8601 instant with an offset; returns epoch milliseconds. */
export function parseInstant(value: unknown, field: string): number {
  if (typeof value !== 'string' || !INSTANT_RE.test(value)) {
    throw ValidationError.of(
      field,
      'INVALID_TIMESTAMP',
      `${field} must be an ISO 8601 time with an offset, e.g. 2025-03-01T08:00:00+08:00`,
    );
  }
  const fast = plainInstantMs(value);
  if (fast !== undefined) return fast;
  try {
    return Temporal.Instant.from(value).epochMilliseconds;
  } catch {
    throw ValidationError.of(field, 'INVALID_TIMESTAMP', `${field} is not a real time`);
  }
}

// Fast paths (a gate sends thousands of these; Temporal's polyfill takes some 15-20 µs per parse or format).
// They give exactly Temporal's answers for ordinary input and return undefined for anything unusual
// (a leap second, a year before 1000, an out-of-range field), which then goes through Temporal.
const INSTANT_PARTS =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:Z|([+-])(\d{2}):(\d{2}))$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function plainInstantMs(value: string): number | undefined {
  const m = INSTANT_PARTS.exec(value);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const monthDays = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  if (year < 1000 || monthDays === undefined || day < 1 || day > monthDays) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const offsetHours = m[9] === undefined ? 0 : Number(m[9]);
  const offsetMinutes = m[10] === undefined ? 0 : Number(m[10]);
  if (offsetHours > 23 || offsetMinutes > 59) return undefined;
  // Sub-millisecond digits are dropped: the same floor as Temporal's epochMilliseconds.
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  const offsetMs = (m[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMs;
}

/** The Asia/Shanghai business date of an instant. */
export function businessDate(epochMs: number): BizDate {
  return Temporal.Instant.fromEpochMilliseconds(epochMs)
    .toZonedDateTimeISO(BUSINESS_ZONE)
    .toPlainDate()
    .toString();
}

// Asia/Shanghai has kept UTC+8 without daylight saving since 1991-09-15 (tzdb); from 1992 to year 9999
// an instant is formatted directly, earlier ones (China observed DST 1986-1991) go through Temporal.
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const FIXED_OFFSET_FROM = Date.UTC(1992, 0, 1);
const FIXED_OFFSET_UNTIL = Date.UTC(10000, 0, 1) - SHANGHAI_OFFSET_MS;

/**
 * An instant as the API shows times: RFC 3339 in Asia/Shanghai with its +08:00 offset and whole
 * seconds, always the same width (`2025-03-01T08:00:00+08:00`). Milliseconds are dropped (floor):
 * what computes keeps epoch milliseconds, and a deadline shown is never later than the real one.
 */
export function formatInstant(epochMs: number): string {
  const whole = Math.floor(epochMs / 1000) * 1000;
  if (Number.isInteger(whole) && whole >= FIXED_OFFSET_FROM && whole < FIXED_OFFSET_UNTIL) {
    const iso = new Date(whole + SHANGHAI_OFFSET_MS).toISOString(); // YYYY-MM-DDTHH:mm:ss.000Z
    return `${iso.slice(0, 19)}+08:00`;
  }
  return Temporal.Instant.fromEpochMilliseconds(whole)
    .toZonedDateTimeISO(BUSINESS_ZONE)
    .toString({ timeZoneName: 'never', fractionalSecondDigits: 0 });
}

const CANONICAL_INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/;

/** A stored or echoed time in the one shape `formatInstant` gives; anything that is not an instant is returned as it is. */
export function canonicalInstant(value: string): string {
  if (CANONICAL_INSTANT_RE.test(value) || !INSTANT_RE.test(value)) return value;
  try {
    return formatInstant(parseInstant(value, 'value'));
  } catch {
    return value;
  }
}

/** The fiscal year (calendar year in Asia/Shanghai) of an instant. */
export function businessYear(epochMs: number): number {
  return Number(businessDate(epochMs).slice(0, 4));
}

/** The instant a business date begins (00:00 in Asia/Shanghai): where a rented period starts or ends. */
export function businessDayStart(date: BizDate): number {
  return Temporal.PlainDate.from(date).toZonedDateTime({ timeZone: BUSINESS_ZONE }).epochMilliseconds;
}

export function addDays(date: BizDate, days: number): BizDate {
  return Temporal.PlainDate.from(date).add({ days }).toString();
}

/** Adds months, clamping to the month's last day: 2024-01-31 + 1 → 2024-02-29. */
export function addMonths(date: BizDate, months: number): BizDate {
  return Temporal.PlainDate.from(date).add({ months }, { overflow: 'constrain' }).toString();
}

/** Adds years, clamping: 2024-02-29 + 1 → 2025-02-28. */
export function addYears(date: BizDate, years: number): BizDate {
  return Temporal.PlainDate.from(date).add({ years }, { overflow: 'constrain' }).toString();
}

/** Business dates compare correctly as strings (fixed-width ISO). */
export function compareDates(a: BizDate, b: BizDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function inPeriod(date: BizDate, p: Period): boolean {
  return date >= p.start && date < p.end;
}

/** 1 = Monday … 7 = Sunday. */
export function dayOfWeek(date: BizDate): number {
  return Temporal.PlainDate.from(date).dayOfWeek;
}

/** Holidays (放假) and make-up working days (调休上班) of one or more years, as data. */
export interface HolidaySchedule {
  holidays: readonly BizDate[];
  workdays: readonly BizDate[];
}

/**
 * Working days (工作日): Monday to Friday, minus statutory holidays, plus make-up working days.
 */
export class WorkingCalendar {
  private readonly holidays: Set<BizDate>;
  private readonly workdays: Set<BizDate>;

  constructor(schedules: readonly HolidaySchedule[]) {
    this.holidays = new Set(schedules.flatMap((s) => s.holidays));
    this.workdays = new Set(schedules.flatMap((s) => s.workdays));
  }

  isWorkingDay(date: BizDate): boolean {
    if (this.workdays.has(date)) return true;
    if (this.holidays.has(date)) return false;
    return dayOfWeek(date) <= 5;
  }

  /**
   * The date by which something due "within N working days" of `date` must happen. Counting starts
   * on the day after the event (民法典 art. 201): 2025-01-24 + 5 → 2025-02-07 in the 2025 calendar.
   */
  addWorkingDays(date: BizDate, n: number): BizDate {
    if (!Number.isInteger(n) || n < 1) throw new RangeError('n must be a positive integer');
    let d = Temporal.PlainDate.from(date);
    let counted = 0;
    // A year of holidays cannot exceed a few dozen days; the guard only stops a corrupt calendar.
    for (let guard = 0; guard < 3660; guard++) {
      d = d.add({ days: 1 });
      if (this.isWorkingDay(d.toString()) && ++counted === n) return d.toString();
    }
    throw new RangeError('calendar has no working days');
  }
}

function range(from: BizDate, to: BizDate): BizDate[] {
  const out: BizDate[] = [];
  for (let d = Temporal.PlainDate.from(from); d.toString() <= to; d = d.add({ days: 1 }))
    out.push(d.toString());
  return out;
}

type Ranges = readonly (BizDate | readonly [BizDate, BizDate])[];

/** Expands `[from, to]` ranges (inclusive, as the State Council notices write them) to dates. */
export function expandRanges(ranges: Ranges): BizDate[] {
  return ranges.flatMap((r) => (typeof r === 'string' ? [r] : range(r[0], r[1])));
}

/**
 * A schedule whose holiday ranges are expanded on first read: expanding them walks Temporal's
 * polyfill day by day, which at import would cost every function's cold start (issue #16) though
 * only the working-day rules of renovation read them.
 */
function officialSchedule(holidays: Ranges, workdays: readonly BizDate[]): HolidaySchedule {
  let expanded: BizDate[] | undefined;
  return {
    get holidays() {
      expanded ??= expandRanges(holidays);
      return expanded;
    },
    workdays,
  };
}

/** The official schedules shipped with the service (SPEC.md §2); admins load later years. */
export const OFFICIAL_SCHEDULES: Readonly<Record<number, HolidaySchedule>> = {
  2025: officialSchedule(
    [
      '2025-01-01',
      ['2025-01-28', '2025-02-04'],
      ['2025-04-04', '2025-04-06'],
      ['2025-05-01', '2025-05-05'],
      ['2025-05-31', '2025-06-02'],
      ['2025-10-01', '2025-10-08'],
    ],
    ['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11'],
  ),
  2026: officialSchedule(
    [
      ['2026-01-01', '2026-01-03'],
      ['2026-02-15', '2026-02-23'],
      ['2026-04-04', '2026-04-06'],
      ['2026-05-01', '2026-05-05'],
      ['2026-06-19', '2026-06-21'],
      ['2026-09-25', '2026-09-27'],
      ['2026-10-01', '2026-10-07'],
    ],
    ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'],
  ),
};
