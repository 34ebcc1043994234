/** The priced line every calculator returns, and the one place a line's amount is rounded. */
import { Dec, type Fen, formatFen, plain, roundToFen } from '../money.js';
import type { FeeCode, TariffVersion } from '../tariffs/catalog.js';
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
  unit: string;
  unitPrice: Dec;
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
    quantity: plain(args.quantity),
    unit: args.unit,
    unitPrice: plain(args.unitPrice),
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
