/**
 * Pure fee calculators, one per quote item type (API.md "Quote items"). No I/O and no clock: the
 * tariff version and every time are arguments, so the same inputs give the same fen forever.
 */
import { ValidationError } from '../errors.js';
import { feeName } from '../fee-types/catalog.js';
import { Dec, plain } from '../money.js';
import {
  RENTAL_KIND_NAMES,
  type RentalKind,
  type TariffVersion,
  UNIT_TYPE_NAMES,
  type UnitType,
} from '../tariffs/catalog.js';
import type { Period } from '../time.js';
import { type FeeLine, ONE, pricedLine, tariffMoney, tariffRate } from './line.js';

export const MAX_MONTHS = 120;
export const MAX_CARDS = 200;
export const MAX_SPACES = 100;

function wholeNumber(value: number, field: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw ValidationError.of(
      field,
      'INVALID_NUMBER',
      `${field} must be a whole number from ${min} to ${max}`,
    );
  }
  return value;
}

/** 物业服务费: area × monthly rate × months, rounded once (89.56 m² 高层 × 12 → 1934.50). */
export function propertyFee(args: {
  unitType: UnitType;
  area: Dec;
  months: number;
  tariff: TariffVersion;
  period?: Period;
}): FeeLine {
  // Own keys only: 'toString' or '__proto__' must be an unknown unit type, not a DecimalError (a 500).
  const rates = args.tariff.rates.PROPERTY_FEE;
  const rateText = Object.hasOwn(rates, args.unitType) ? rates[args.unitType] : undefined;
  if (rateText === undefined) {
    throw ValidationError.of('unitType', 'UNKNOWN_UNIT_TYPE', `unknown unit type ${String(args.unitType)}`);
  }
  const months = wholeNumber(args.months, 'months', 1, MAX_MONTHS);
  const rate = tariffRate(rateText);
  const area = plain(args.area);
  const name = UNIT_TYPE_NAMES[args.unitType];
  return pricedLine({
    type: 'PROPERTY_FEE',
    description: `${feeName('PROPERTY_FEE')} ${name} ${area}㎡ × ${rate.text}元/㎡/月 × ${months}月`,
    quantity: args.area,
    quantityText: area,
    unit: '㎡',
    unitPrice: rate.value,
    unitPriceText: rate.text,
    months,
    tariff: args.tariff,
    formula: 'area × rate × months',
    inputs: { unitType: args.unitType, area, rate: rate.text, months },
    ...(args.period ? { period: args.period } : {}),
  });
}

/** 车位物业服务费 for owned or use-right spaces: spaces × 30 × months. */
export function parkingSpaceFee(args: {
  spaces: number;
  months: number;
  tariff: TariffVersion;
  period?: Period;
}): FeeLine {
  const spaces = wholeNumber(args.spaces, 'spaces', 1, MAX_SPACES);
  const months = wholeNumber(args.months, 'months', 1, MAX_MONTHS);
  const rate = tariffRate(args.tariff.rates.PARKING_SPACE_FEE);
  return pricedLine({
    type: 'PARKING_SPACE_FEE',
    description: `${feeName('PARKING_SPACE_FEE')} ${spaces}个 × ${rate.text}元/个/月 × ${months}月`,
    quantity: new Dec(spaces),
    quantityText: String(spaces),
    unit: '个',
    unitPrice: rate.value,
    unitPriceText: rate.text,
    months,
    tariff: args.tariff,
    formula: 'spaces × rate × months',
    inputs: { spaces, rate: rate.text, months },
    ...(args.period ? { period: args.period } : {}),
  });
}

/** 车位租用: a shared or smart underground space rented in whole months. */
export function parkingRental(args: {
  rentalKind: RentalKind;
  months: number;
  tariff: TariffVersion;
  period?: Period;
}): FeeLine {
  const rates = args.tariff.rates.PARKING_RENTAL;
  const rateText = Object.hasOwn(rates, args.rentalKind) ? rates[args.rentalKind] : undefined;
  if (rateText === undefined) {
    throw ValidationError.of(
      'rentalKind',
      'UNKNOWN_RENTAL_KIND',
      `unknown rental kind ${String(args.rentalKind)}`,
    );
  }
  const months = wholeNumber(args.months, 'months', 1, MAX_MONTHS);
  const rate = tariffRate(rateText);
  return pricedLine({
    type: 'PARKING_RENTAL',
    description: `${feeName('PARKING_RENTAL')} ${RENTAL_KIND_NAMES[args.rentalKind]} ${rate.text}元/月/辆 × ${months}月`,
    quantity: ONE,
    quantityText: '1',
    unit: '辆',
    unitPrice: rate.value,
    unitPriceText: rate.text,
    months,
    tariff: args.tariff,
    formula: 'vehicles × rate × months',
    inputs: { rentalKind: args.rentalKind, rate: rate.text, months },
    ...(args.period ? { period: args.period } : {}),
  });
}

/** 装修垃圾清运费: building area × 5 元/㎡, once. */
export function renovationWaste(args: { area: Dec; tariff: TariffVersion }): FeeLine {
  const rate = tariffRate(args.tariff.rates.RENOVATION_WASTE);
  const area = plain(args.area);
  return pricedLine({
    type: 'RENOVATION_WASTE',
    description: `${feeName('RENOVATION_WASTE')} ${area}㎡ × ${rate.text}元/㎡`,
    quantity: args.area,
    quantityText: area,
    unit: '㎡',
    unitPrice: rate.value,
    unitPriceText: rate.text,
    months: null,
    tariff: args.tariff,
    formula: 'area × rate',
    inputs: { area, rate: rate.text },
  });
}

/** 装修管理保证金: a refundable deposit per household (a liability, not income). */
export function renovationDeposit(args: { tariff: TariffVersion }): FeeLine {
  const amount = tariffMoney(args.tariff.rates.RENOVATION_DEPOSIT, 'rates.RENOVATION_DEPOSIT');
  return pricedLine({
    type: 'RENOVATION_DEPOSIT',
    description: `${feeName('RENOVATION_DEPOSIT')} ${amount.text}元/户(可退,不计息)`,
    quantity: ONE,
    quantityText: '1',
    unit: '户',
    unitPrice: amount.value,
    unitPriceText: amount.text,
    months: null,
    tariff: args.tariff,
    formula: 'households × deposit',
    inputs: { deposit: amount.text },
  });
}

/**
 * 装修许可证及出入证工本费 (the permit counts as a card), plus the card deposit when the estate sets
 * one: cards × 10, and cards × pass deposit as its own (refundable) line.
 */
export function renovationCards(args: { cards: number; tariff: TariffVersion }): FeeLine[] {
  const cards = wholeNumber(args.cards, 'cards', 1, MAX_CARDS);
  const fee = tariffRate(args.tariff.rates.RENOVATION_CARDS);
  const quantity = new Dec(cards);
  const lines = [
    pricedLine({
      type: 'RENOVATION_CARDS',
      description: `${feeName('RENOVATION_CARDS')} ${cards}张 × ${fee.text}元/张`,
      quantity,
      quantityText: String(cards),
      unit: '张',
      unitPrice: fee.value,
      unitPriceText: fee.text,
      months: null,
      tariff: args.tariff,
      formula: 'cards × fee',
      inputs: { cards, fee: fee.text },
    }),
  ];
  const deposit = tariffMoney(args.tariff.rates.CARD_DEPOSIT, 'rates.CARD_DEPOSIT');
  if (deposit.fen > 0n) {
    lines.push(
      pricedLine({
        type: 'CARD_DEPOSIT',
        description: `${feeName('CARD_DEPOSIT')} ${cards}张 × ${deposit.text}元/张(可退)`,
        quantity,
        quantityText: String(cards),
        unit: '张',
        unitPrice: deposit.value,
        unitPriceText: deposit.text,
        months: null,
        tariff: args.tariff,
        formula: 'cards × deposit',
        inputs: { cards, deposit: deposit.text },
      }),
    );
  }
  return lines;
}
