/** Validation of a new tariff version and the choice of the version in effect (SPEC.md §3). */
import { type FieldProblem, ValidationError } from '../errors.js';
import { feeCodes, feeType } from '../fee-types/catalog.js';
import { parseMoney, parseRate } from '../money.js';
import { addDays, type BizDate, parseBizDate } from '../time.js';
import type { TariffVersion, TariffVersionInput, TempParkingBand } from './catalog.js';

export const DEFAULT_NOTICE_LEAD_DAYS = 30;
/** The longest band must cover a whole day: longer stays repeat the bands per 24 h (SPEC.md §4.2). */
export const DAY_MINUTES = 1440;

function collect(problems: FieldProblem[], fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) problems.push(...e.problems);
    else throw e;
  }
}

function positiveRate(problems: FieldProblem[], value: unknown, field: string): void {
  collect(problems, () => {
    if (parseRate(value, field).lte(0))
      throw ValidationError.of(field, 'INVALID_RATE', `${field} must be greater than 0`);
  });
}

/** Bands must ascend with no gap or overlap from 0 to 1440 minutes, and never get cheaper. */
export function validateBands(bands: readonly TempParkingBand[], field = 'tempParkingBands'): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (bands.length === 0) {
    return [{ field, code: 'INVALID_BANDS', message: `${field} must list at least one band` }];
  }
  let previousUpTo = 0;
  let previousFen = -1n;
  bands.forEach((band, i) => {
    const f = `${field}[${i}]`;
    if (!Number.isInteger(band.upToMinutes) || band.upToMinutes <= previousUpTo) {
      problems.push({
        field: `${f}.upToMinutes`,
        code: 'INVALID_BANDS',
        message: `bands must ascend without overlap: ${band.upToMinutes} does not follow ${previousUpTo}`,
      });
    }
    previousUpTo = Math.max(
      previousUpTo,
      Number.isInteger(band.upToMinutes) ? band.upToMinutes : previousUpTo,
    );
    collect(problems, () => {
      const fen = parseMoney(band.amount, `${f}.amount`);
      if (fen < previousFen) {
        throw ValidationError.of(
          `${f}.amount`,
          'INVALID_BANDS',
          'a longer stay must not cost less than a shorter one',
        );
      }
      previousFen = fen;
    });
  });
  const last = bands[bands.length - 1];
  if (last && last.upToMinutes !== DAY_MINUTES) {
    problems.push({
      field: `${field}[${bands.length - 1}].upToMinutes`,
      code: 'INVALID_BANDS',
      message: `the last band must end at ${DAY_MINUTES} minutes (24 h) so that every stay is covered`,
    });
  }
  return problems;
}

/**
 * Checks a proposed version against the estate's existing ones. Versions are append-only in time:
 * a new one takes effect after the latest existing one, so a period already priced is never re-priced.
 */
export function validateTariffVersion(
  input: TariffVersionInput,
  existing: readonly TariffVersion[],
  noticeLeadDays = DEFAULT_NOTICE_LEAD_DAYS,
): void {
  const problems: FieldProblem[] = [];
  let effectiveFrom: BizDate | undefined;
  let noticeDate: BizDate | undefined;
  collect(problems, () => {
    effectiveFrom = parseBizDate(input.effectiveFrom, 'effectiveFrom');
  });
  collect(problems, () => {
    noticeDate = parseBizDate(input.noticeDate, 'noticeDate');
  });
  if (typeof input.approvalRef !== 'string' || input.approvalRef.trim() === '') {
    problems.push({
      field: 'approvalRef',
      code: 'REQUIRED',
      message: 'approvalRef (业主大会决议) is required',
    });
  }
  if (effectiveFrom && noticeDate && addDays(noticeDate, noticeLeadDays) > effectiveFrom) {
    problems.push({
      field: 'noticeDate',
      code: 'NOTICE_TOO_LATE',
      message: `owners must be told at least ${noticeLeadDays} days before ${effectiveFrom}; noticeDate ${noticeDate} is too late`,
    });
  }
  const latest =
    existing
      .map((v) => v.effectiveFrom)
      .sort()
      .at(-1) ?? '';
  if (effectiveFrom && latest && effectiveFrom <= latest) {
    problems.push({
      field: 'effectiveFrom',
      code: 'NOT_AFTER_LATEST_VERSION',
      message: `effectiveFrom must be after the latest version's ${latest}`,
    });
  }
  // One figure per fee type that has one in the registry, validated as its kind says.
  const rates = input.rates as unknown as Record<string, unknown>;
  for (const code of feeCodes()) {
    const figure = feeType(code)?.tariff;
    const value = Object.hasOwn(rates, code) ? rates[code] : undefined;
    const field = `rates.${code}`;
    if (figure?.kind === 'rate') positiveRate(problems, value, field);
    // Deposits are money amounts and may be zero (the source gives the pass deposit no amount).
    if (figure?.kind === 'money') collect(problems, () => parseMoney(value, field));
    if (figure?.kind === 'rateBy') {
      const byKind = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
      for (const k of Object.keys(figure.seed))
        positiveRate(problems, Object.hasOwn(byKind, k) ? byKind[k] : undefined, `${field}.${k}`);
    }
  }
  problems.push(...validateBands(input.tempParkingBands));
  if (problems.length > 0) throw new ValidationError(problems);
}

/** The version in effect on `date`: the latest whose effectiveFrom ≤ date. */
export function versionInEffect(
  versions: readonly TariffVersion[],
  date: BizDate,
): TariffVersion | undefined {
  let best: TariffVersion | undefined;
  for (const v of versions) {
    if (v.effectiveFrom <= date && (!best || v.effectiveFrom > best.effectiveFrom)) best = v;
  }
  return best;
}
