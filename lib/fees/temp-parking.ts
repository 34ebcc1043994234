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

/** Whole minutes between entry and exit, seconds dropped in the driver's favour. */
export function stayMinutes(entryMs: number, exitMs: number, field = 'exitAt'): number {
  if (!Number.isFinite(entryMs) || !Number.isFinite(exitMs)) {
    throw ValidationError.of(field, 'INVALID_TIMESTAMP', `${field} is not a valid time`);
  }
  if (exitMs < entryMs)
    throw ValidationError.of(field, 'EXIT_BEFORE_ENTRY', `${field} is before the entry time`);
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
