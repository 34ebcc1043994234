/** Prices a list of quote items with one tariff version; a quote's total is the sum of its rounded lines. */
import { ValidationError } from '../errors.js';
import { type Fen, parseArea, sumFen } from '../money.js';
import type { RentalKind, TariffVersion, UnitType } from '../tariffs/catalog.js';
import { parseInstant } from '../time.js';
import {
  parkingRental,
  parkingSpaceFee,
  propertyFee,
  renovationCards,
  renovationDeposit,
  renovationWaste,
} from './calculators.js';
import type { FeeLine } from './line.js';
import { tempParkingFee } from './temp-parking.js';

export type QuoteItem =
  | { type: 'PROPERTY_FEE'; unitType: UnitType; area: string; months: number }
  | { type: 'PARKING_SPACE_FEE'; spaces: number; months: number }
  | { type: 'PARKING_RENTAL'; rentalKind: RentalKind; months: number }
  | { type: 'TEMP_PARKING'; entryAt: string; exitAt: string }
  | { type: 'RENOVATION_WASTE'; area: string }
  | { type: 'RENOVATION_DEPOSIT' }
  | { type: 'RENOVATION_CARDS'; cards: number };

export interface Quote {
  lines: FeeLine[];
  total: Fen;
  tariffVersion: string;
}

export function priceItem(item: QuoteItem, tariff: TariffVersion): FeeLine[] {
  switch (item.type) {
    case 'PROPERTY_FEE':
      return [
        propertyFee({ unitType: item.unitType, area: parseArea(item.area), months: item.months, tariff }),
      ];
    case 'PARKING_SPACE_FEE':
      return [parkingSpaceFee({ spaces: item.spaces, months: item.months, tariff })];
    case 'PARKING_RENTAL':
      return [parkingRental({ rentalKind: item.rentalKind, months: item.months, tariff })];
    case 'TEMP_PARKING':
      return [
        tempParkingFee({
          entryMs: parseInstant(item.entryAt, 'entryAt'),
          exitMs: parseInstant(item.exitAt, 'exitAt'),
          tariff,
        }),
      ];
    case 'RENOVATION_WASTE':
      return [renovationWaste({ area: parseArea(item.area), tariff })];
    case 'RENOVATION_DEPOSIT':
      return [renovationDeposit({ tariff })];
    case 'RENOVATION_CARDS':
      return renovationCards({ cards: item.cards, tariff });
    default: {
      const type = (item as { type?: unknown }).type;
      throw ValidationError.of('type', 'UNKNOWN_ITEM_TYPE', `unknown item type ${String(type)}`);
    }
  }
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
