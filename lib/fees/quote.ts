/** Prices a list of quote items with one tariff version; a quote's total is the sum of its rounded lines. */

import { ValidationError } from '../errors.js';
import type { QuotableCode, QuoteItemOf } from '../fee-types/catalog.js';
import { priceQuoteItem } from '../fee-types/pricing.js';
import { type Fen, sumFen } from '../money.js';
import type { TariffVersion } from '../tariffs/catalog.js';
import type { FeeLine } from './line.js';

/** One item per quotable fee type; its fields are declared in the registry (lib/fee-types). */
export type QuoteItem = { [C in QuotableCode]: QuoteItemOf<C> }[QuotableCode];

export interface Quote {
  lines: FeeLine[];
  total: Fen;
  tariffVersion: string;
}

/** Prices one item with its fee type's calculator (lib/fee-types/pricing.ts). */
export function priceItem(item: QuoteItem, tariff: TariffVersion): FeeLine[] {
  return priceQuoteItem(item, tariff);
}

/** Prices every item; a bad item's error names its position (`items[2].area`). */
export function quote(items: readonly QuoteItem[], tariff: TariffVersion): Quote {
  const lines = items.flatMap((item, i) => {
    try {
      return priceItem(item, tariff);
    } catch (e) {
      if (e instanceof ValidationError) {
        throw new ValidationError(e.problems.map((p) => ({ ...p, field: `items[${i}].${p.field}` })));
      }
      throw e;
    }
  });
  return { lines, total: sumFen(lines.map((l) => l.amount)), tariffVersion: tariff.versionId };
}
