/**
 * The month after a stored close, from the close's carry (month-close.ts) instead of its lines'
 * flows: the advance balance the open lines bring in and what of them the month earns, per fee
 * code, split at the month's rates; the lines themselves are looked up only when a credit note of
 * the month reverses one (then its flow is built as from the history, and its piece of the month
 * is taken out of the carry). So a month costs its own rows, not the estate's open lines.
 */
import type { Fen } from '../money.js';
import type { SettingsHistory } from './accounting-settings.js';
import type { MonthClose } from './month-close.js';
import { addMonth, addSplit, type Month, splitTax, type TaxSplit, ZERO_SPLIT } from './recognition.js';
import { type CarriedFee, type CarriedLines, paymentFlow } from './revenue.js';

export interface CarriedMonth {
  lines: CarriedLines;
  /** Per fee code, after the month's credit notes have taken their lines (call after the flows). */
  fees(): CarriedFee[];
}

/** The carry of `close` for `month`, when the close is the month before's and has one. */
export function carriedMonth(
  close: MonthClose | undefined,
  month: Month,
  settings: SettingsHistory,
): CarriedMonth | undefined {
  const byKey = close?.linesByKey;
  if (!close?.carry || !byKey || addMonth(close.month, 1) !== month) return undefined;
  const carry = close.carry;
  const taken = new Set<number>();
  const reversed = new Map<string, { piece: TaxSplit; lines: number }>();
  const lines: CarriedLines = {
    take(key: string, gross: Fen) {
      const hit = byKey(key).find((l) => !taken.has(l.row) && l.entry.amount === gross);
      if (!hit) return undefined;
      taken.add(hit.row);
      const flow = paymentFlow(hit.entry, settings);
      const piece = flow.recognised.get(month);
      if (piece) {
        const had = reversed.get(flow.feeCode) ?? { piece: ZERO_SPLIT, lines: 0 };
        reversed.set(flow.feeCode, { piece: addSplit(had.piece, piece), lines: had.lines + 1 });
      }
      return flow;
    },
  };
  const fees = () =>
    carry.map((c) => {
      const rate = settings.rate(c.feeCode, month);
      let gross = 0n;
      let net = 0n;
      let tax = 0n;
      let earning = 0;
      for (const [amount, n] of c.pieces) {
        // Equal pieces split alike: a piece's split times the lines that earn it.
        const s = splitTax(amount, rate);
        const k = BigInt(n);
        gross += s.gross * k;
        net += s.net * k;
        tax += s.tax * k;
        earning += n;
      }
      const r = reversed.get(c.feeCode);
      return {
        feeCode: c.feeCode,
        opening: c.opening,
        recognised: r
          ? { gross: gross - r.piece.gross, net: net - r.piece.net, tax: tax - r.piece.tax }
          : { gross, net, tax },
        earning: earning - (r?.lines ?? 0),
      };
    });
  return { lines, fees };
}
