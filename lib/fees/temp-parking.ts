/**
 * 临时停车 per stay (SPEC.md §4.2): whole minutes with seconds dropped, upper-inclusive bands, and
 * for stays beyond a day the day's price per full 24 h plus the bands again on the remainder.
 */
import { ValidationError } from '../errors.js';
import { feeName } from '../fee-types/catalog.js';
import { type Fen, formatFen } from '../money.js';
import type { TariffVersion, TempParkingBand } from '../tariffs/catalog.js';
import { DAY_MINUTES } from '../tariffs/validate.js';
import { formatInstant } from '../time.js';
import { type FeeLine, fenFigure, ONE, pricedLine, tariffMoney } from './line.js';

export const MAX_STAY_MINUTES = 90 * DAY_MINUTES;
const MS_PER_MINUTE = 60_000;

function checkOrder(entryMs: number, exitMs: number, field: string): void {
  if (!Number.isFinite(entryMs) || !Number.isFinite(exitMs)) {
    throw ValidationError.of(field, 'INVALID_TIMESTAMP', `${field} is not a valid time`);
  }
  if (exitMs < entryMs)
    throw ValidationError.of(field, 'EXIT_BEFORE_ENTRY', `${field} is before the entry time`);
}

/** Whole minutes between entry and exit, seconds dropped in the driver's favour. */
export function stayMinutes(entryMs: number, exitMs: number, field = 'exitAt'): number {
  checkOrder(entryMs, exitMs, field);
  const minutes = Math.floor((exitMs - entryMs) / MS_PER_MINUTE);
  if (minutes > MAX_STAY_MINUTES) {
    throw ValidationError.of(field, 'STAY_TOO_LONG', `a stay of more than 90 days is not a temporary stay`);
  }
  return minutes;
}

export interface TempParkingCharge {
  amount: Fen;
  minutes: number;
  fullDays: number;
  /** The band that priced the remainder (upToMinutes), or 0 when the remainder is 0 minutes. */
  bandUpTo: number;
  bandAmount: Fen;
}

function bandFor(bands: readonly TempParkingBand[], minutes: number): TempParkingBand | undefined {
  if (minutes === 0) return undefined;
  return bands.find((b) => minutes <= b.upToMinutes);
}

/** fee = dayPrice × floor(d / 1440) + band(d mod 1440), band(0) = 0. */
export function tempParkingCharge(minutes: number, tariff: TariffVersion): TempParkingCharge {
  const bands = tariff.tempParkingBands;
  const dayBand = bands[bands.length - 1];
  if (!dayBand || dayBand.upToMinutes !== DAY_MINUTES)
    throw new RangeError('tariff bands do not cover a day');
  const dayFen = tariffMoney(dayBand.amount, 'tempParkingBands.amount').fen;
  const fullDays = Math.floor(minutes / DAY_MINUTES);
  const rest = minutes % DAY_MINUTES;
  const band = bandFor(bands, rest);
  const bandFen = band ? tariffMoney(band.amount, 'tempParkingBands.amount').fen : 0n;
  return {
    amount: dayFen * BigInt(fullDays) + bandFen,
    minutes,
    fullDays,
    bandUpTo: band?.upToMinutes ?? 0,
    bandAmount: bandFen,
  };
}

/** The quote line for one stay. */
export function tempParkingFee(args: { entryMs: number; exitMs: number; tariff: TariffVersion }): FeeLine {
  const minutes = stayMinutes(args.entryMs, args.exitMs);
  const charge = tempParkingCharge(minutes, args.tariff);
  const hours = Math.floor(minutes / 60);
  const amount = fenFigure(charge.amount);
  return pricedLine({
    type: 'TEMP_PARKING',
    description: `${feeName('TEMP_PARKING')} ${hours}小时${minutes % 60}分钟`,
    quantity: ONE,
    quantityText: '1',
    unit: '次',
    unitPrice: amount.value,
    unitPriceText: amount.text,
    months: null,
    tariff: args.tariff,
    formula: 'dayPrice × fullDays + band(remainder minutes)',
    inputs: {
      entryAt: formatInstant(args.entryMs),
      exitAt: formatInstant(args.exitMs),
      minutes,
    },
    extra: {
      fullDays: charge.fullDays,
      remainderMinutes: minutes % DAY_MINUTES,
      bandUpToMinutes: charge.bandUpTo,
      bandAmount: formatFen(charge.bandAmount),
    },
  });
}

// ---- stays partly covered by a rental ---------------------------------------------------------

/** A span `[fromMs, toMs)` in which the vehicle parks free: a paid rental's months. */
export interface FreeSpan {
  fromMs: number;
  toMs: number;
}

/** One part of a stay cut at the edges of its free spans. */
export interface StayPart {
  fromMs: number;
  toMs: number;
  /** Whole minutes of this part, seconds dropped. */
  minutes: number;
  /** Inside a free span: not charged. */
  covered: boolean;
  /** The part priced as a stay of its own; absent for a covered part. */
  charge?: TempParkingCharge;
}

export interface SplitStayCharge {
  amount: Fen;
  parts: StayPart[];
}

/** Free spans sorted and merged, so that a renewal starting where the last rental ends leaves no seam. */
function mergeSpans(spans: readonly FreeSpan[]): FreeSpan[] {
  const sorted = spans.filter((x) => x.toMs > x.fromMs).sort((a, b) => a.fromMs - b.fromMs);
  const merged: FreeSpan[] = [];
  for (const x of sorted) {
    const last = merged[merged.length - 1];
    if (last && x.fromMs <= last.toMs) last.toMs = Math.max(last.toMs, x.toMs);
    else merged.push({ ...x });
  }
  return merged;
}

/**
 * SPEC.md §4.2, a stay partly covered by a rental: the stay is cut at the rental's edges and each
 * uncovered part is charged by the bands as a stay of its own, as if the car had left when the
 * rental began and come back when it ended. So parking through a rental never costs more than
 * driving out and back in at its edges, and never more than the same stay without the rental.
 * Monotone in the exit time: a later exit only lengthens the last part or adds one.
 */
export function splitStayCharge(
  entryMs: number,
  exitMs: number,
  spans: readonly FreeSpan[],
  tariff: TariffVersion,
  field = 'exitAt',
): SplitStayCharge {
  checkOrder(entryMs, exitMs, field);
  const parts: StayPart[] = [];
  const part = (fromMs: number, toMs: number, covered: boolean) => {
    if (toMs <= fromMs) return;
    if (covered) {
      parts.push({ fromMs, toMs, minutes: Math.floor((toMs - fromMs) / MS_PER_MINUTE), covered });
      return;
    }
    const minutes = stayMinutes(fromMs, toMs, field);
    parts.push({ fromMs, toMs, minutes, covered, charge: tempParkingCharge(minutes, tariff) });
  };
  let cursor = entryMs;
  for (const span of mergeSpans(spans)) {
    if (span.toMs <= cursor) continue;
    if (span.fromMs >= exitMs) break;
    part(cursor, Math.max(cursor, span.fromMs), false);
    cursor = Math.max(cursor, span.fromMs);
    part(cursor, Math.min(exitMs, span.toMs), true);
    cursor = Math.min(exitMs, span.toMs);
  }
  part(cursor, exitMs, false);
  return { amount: parts.reduce((sum, p) => sum + (p.charge?.amount ?? 0n), 0n), parts };
}
