/**
 * How each fee type is priced: its calculator (lib/fees) wired to the items that bill it. Server
 * only (calculators need decimal.js); the names and the rest of an entry are in ./catalog.ts.
 */
import { ValidationError } from '../errors.js';
import {
  parkingRental,
  parkingSpaceFee,
  propertyFee,
  renovationCards,
  renovationDeposit,
  renovationWaste,
} from '../fees/calculators.js';
import type { FeeLine } from '../fees/line.js';
import { tempParkingFee } from '../fees/temp-parking.js';
import { type Dec, parseArea } from '../money.js';
import type { TariffVersion, UnitType } from '../tariffs/catalog.js';
import { parseInstant } from '../time.js';
import {
  addFeeType,
  type FeeTypeInfo,
  type InvoiceableCode,
  type InvoiceItemOf,
  type QuotableCode,
  type QuoteItemOf,
} from './catalog.js';

/** What a unit invoice knows of the unit when it prices an item. */
export interface UnitFacts {
  unitType: UnitType;
  area: Dec;
}

export interface Pricing<Q, I> {
  /** Prices a `POST /v1/quotes` item with one tariff version. */
  quote?: (item: Q, tariff: TariffVersion) => FeeLine[];
  /**
   * Prices a unit-invoice item with the tariff in force today. Annual fees (property, spaces) have
   * no entry here: which periods a unit owes is billing's rule (lib/billing/invoices.ts).
   */
  unitInvoice?: (item: I, unit: UnitFacts, tariff: TariffVersion) => FeeLine[];
}

type BuiltInPricing = {
  [C in QuotableCode | InvoiceableCode]: Pricing<
    C extends QuotableCode ? QuoteItemOf<C> : never,
    C extends InvoiceableCode ? InvoiceItemOf<C> : never
  >;
};

const PRICING: BuiltInPricing = {
  PROPERTY_FEE: {
    quote: (item, tariff) => [
      propertyFee({ unitType: item.unitType, area: parseArea(item.area), months: item.months, tariff }),
    ],
  },
  PARKING_SPACE_FEE: {
    quote: (item, tariff) => [parkingSpaceFee({ spaces: item.spaces, months: item.months, tariff })],
  },
  PARKING_RENTAL: {
    quote: (item, tariff) => [parkingRental({ rentalKind: item.rentalKind, months: item.months, tariff })],
  },
  TEMP_PARKING: {
    quote: (item, tariff) => [
      tempParkingFee({
        entryMs: parseInstant(item.entryAt, 'entryAt'),
        exitMs: parseInstant(item.exitAt, 'exitAt'),
        tariff,
      }),
    ],
  },
  RENOVATION_WASTE: {
    quote: (item, tariff) => [renovationWaste({ area: parseArea(item.area), tariff })],
    unitInvoice: (_item, unit, tariff) => [renovationWaste({ area: unit.area, tariff })],
  },
  RENOVATION_DEPOSIT: {
    quote: (_item, tariff) => [renovationDeposit({ tariff })],
    unitInvoice: (_item, _unit, tariff) => [renovationDeposit({ tariff })],
  },
  RENOVATION_CARDS: {
    quote: (item, tariff) => renovationCards({ cards: item.cards, tariff }),
    unitInvoice: (item, _unit, tariff) => renovationCards({ cards: item.cards, tariff }),
  },
};

/** An item as the pricing functions receive it: its type and its fields, already validated. */
export type AnyItem = { type: string } & Record<string, unknown>;
type AnyPricing = Pricing<AnyItem, AnyItem>;

const added = new Map<string, AnyPricing>();

// The API schema (built from the same catalog) checks an item's fields and each calculator checks its
// own inputs again, so forgetting the per-code item types here loses no validation.
const builtIn = PRICING as unknown as Record<string, AnyPricing>;

function pricingOf(code: string): AnyPricing | undefined {
  return Object.hasOwn(builtIn, code) ? builtIn[code] : added.get(code);
}

const unknownType = (type: unknown) =>
  ValidationError.of('type', 'UNKNOWN_ITEM_TYPE', `unknown item type ${String(type)}`);

/** Prices one quote item; a type with no quote pricing is an unknown item type. */
export function priceQuoteItem(item: AnyItem, tariff: TariffVersion): FeeLine[] {
  const price = pricingOf(item.type)?.quote;
  if (!price) throw unknownType(item.type);
  return price(item, tariff);
}

/** The unit-invoice pricing of a fee code, if it has one (annual fees are billed by invoices.ts). */
export function unitInvoicePricing(code: string): AnyPricing['unitInvoice'] {
  return pricingOf(code)?.unitInvoice;
}

export interface FeeTypeDefinition extends FeeTypeInfo {
  code: string;
  pricing: AnyPricing;
}

/**
 * Runs `fn` with more fee types registered, then removes them. This is the test seam that proves
 * docs/fee-types.md's recipe without editing lib/: product fee types are entries of FEE_TYPES and
 * PRICING. Registrations are per process; vitest gives each test file its own.
 */
export async function withFeeTypes<T>(defs: readonly FeeTypeDefinition[], fn: () => Promise<T>): Promise<T> {
  const undo: (() => void)[] = [];
  try {
    for (const { code, pricing, ...info } of defs) {
      undo.push(addFeeType(code, info));
      added.set(code, pricing);
      undo.push(() => added.delete(code));
    }
    return await fn();
  } finally {
    for (const u of undo.reverse()) u();
  }
}
