/** The priced line every calculator returns, and the one place a line's amount is rounded. */
import type { FeeCode } from '../fee-types/catalog.js';
import { Dec, type Fen, fenToDec, formatFen, parseMoney, plain, roundToFen } from '../money.js';
import type { TariffVersion } from '../tariffs/catalog.js';
import type { Period } from '../time.js';

/** Why a line costs what it costs: enough to recompute the amount from the stored invoice alone. */
export interface FeeTrace {
  formula: string;
  inputs: Record<string, string | number>;
  /** The exact amount before rounding, in yuan. */
  exact: string;
  rounding: 'ROUND_HALF_UP to 0.01 yuan, once per line';
  [extra: string]: unknown;
}

export interface FeeLine {
  type: FeeCode;
  description: string;
  quantity: string;
  unit: string;
  unitPrice: string;
  months: number | null;
  amount: Fen;
  tariffVersion: string;
  period?: Period;
  trace: FeeTrace;
}

/**
 * Builds a line from the exact product `quantity × unitPrice × months`, rounded once. Every
 * calculator goes through here, so the rounding rule cannot drift between fee types.
 */
export function pricedLine(args: {
  type: FeeCode;
  description: string;
  quantity: Dec;
  /** plain(quantity) when the caller already has it. */
  quantityText?: string;
  unit: string;
  unitPrice: Dec;
  /** plain(unitPrice) when the caller already has it. */
  unitPriceText?: string;
  months: number | null;
  tariff: TariffVersion;
  formula: string;
  inputs: Record<string, string | number>;
  period?: Period;
  extra?: Record<string, unknown>;
}): FeeLine {
  const exact = args.quantity.times(args.unitPrice).times(args.months ?? 1);
  const amount = roundToFen(exact);
  const line: FeeLine = {
    type: args.type,
    description: args.description,
    quantity: args.quantityText ?? plain(args.quantity),
    unit: args.unit,
    unitPrice: args.unitPriceText ?? plain(args.unitPrice),
    months: args.months,
    amount,
    tariffVersion: args.tariff.versionId,
    trace: {
      formula: args.formula,
      inputs: args.inputs,
      exact: plain(exact),
      rounding: 'ROUND_HALF_UP to 0.01 yuan, once per line',
      rounded: formatFen(amount),
      ...args.extra,
    },
  };
  if (args.period) line.period = args.period;
  return line;
}

export const ONE = new Dec(1);

/** A tariff figure parsed once: its decimal value and canonical text. */
export interface TariffFigure {
  value: Dec;
  text: string;
}

// Tariff figures repeat on every line priced with a version; parsing them once per distinct string is
// safe because strings and Decs are immutable (a tariff object edited later simply hits another key).
// Tariffs are few, so the caches stay small; the bound only guards against a pathological caller.
const CACHE_LIMIT = 1024;
const rateCache = new Map<string, TariffFigure>();
const moneyCache = new Map<string, TariffFigure & { fen: Fen }>();
const fenCache = new Map<Fen, TariffFigure>();

function remember<K, V>(cache: Map<K, V>, key: K, value: V): V {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

/** A rate string of a tariff version ("1.8", "30") as a Dec, the same as `new Dec(text)`. */
export function tariffRate(text: string): TariffFigure {
  const hit = rateCache.get(text);
  if (hit) return hit;
  const value = new Dec(text);
  return remember(rateCache, text, { value, text: plain(value) });
}

/** A money amount of a tariff version ("1000.00"), parsed strictly as `parseMoney` does. */
export function tariffMoney(text: string, field: string): TariffFigure & { fen: Fen } {
  const hit = moneyCache.get(text);
  if (hit) return hit;
  const fen = parseMoney(text, field);
  const value = fenToDec(fen);
  return remember(moneyCache, text, { fen, value, text: plain(value) });
}

/** An amount already in fen (a temporary-parking charge) as a unit price. */
export function fenFigure(fen: Fen): TariffFigure {
  const hit = fenCache.get(fen);
  if (hit) return hit;
  const value = fenToDec(fen);
  return remember(fenCache, fen, { value, text: plain(value) });
}
