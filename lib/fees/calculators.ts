/**
 * Pure fee calculators, one per quote item type (API.md "Quote items"). No I/O and no clock: the
 * tariff version and every time are arguments, so the same inputs give the same fen forever.
 */
import { ValidationError } from '../errors.js';
import { Dec, fenToDec, parseMoney, plain } from '../money.js';
import {
  RENTAL_KIND_NAMES,
  type RentalKind,
  type TariffVersion,
  UNIT_TYPE_NAMES,
  type UnitType,
} from '../tariffs/catalog.js';
import type { Period } from '../time.js';
import { type FeeLine, ONE, pricedLine } from './line.js';

export const MAX_MONTHS = 120;
export const MAX_CARDS = 200;
export const MAX_SPACES = 100;

function wholeNumber(value: number, field: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw ValidationError.of(field, 'INVALID_NUMBER', `${field} must be a whole number from ${min} to ${max}`);
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
  const rateText = args.tariff.rates.PROPERTY_FEE[args.unitType];
  if (rateText === undefined) {
    throw ValidationError.of('unitType', 'UNKNOWN_UNIT_TYPE', `unknown unit type ${String(args.unitType)}`);
  }
  const months = wholeNumber(args.months, 'months', 1, MAX_MONTHS);
  const rate = new Dec(rateText);
  const name = UNIT_TYPE_NAMES[args.unitType];
  return pricedLine({
    type: 'PROPERTY_FEE',
    description: `物业服务费 ${name} ${plain(args.area)}㎡ × ${plain(rate)}元/㎡/月 × ${months}月`,
    quantity: args.area,
    unit: '㎡',
    unitPrice: rate,
    months,
    tariff: args.tariff,
    formula: 'area × rate × months',
    inputs: { unitType: args.unitType, area: plain(args.area), rate: plain(rate), months },
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
  const rate = new Dec(args.tariff.rates.PARKING_SPACE_FEE);
  return pricedLine({
    type: 'PARKING_SPACE_FEE',
    description: `车位物业服务费 ${spaces}个 × ${plain(rate)}元/个/月 × ${months}月`,
    quantity: new Dec(spaces),
    unit: '个',
    unitPrice: rate,
    months,
    tariff: args.tariff,
    formula: 'spaces × rate × months',
    inputs: { spaces, rate: plain(rate), months },
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
  const rateText = args.tariff.rates.PARKING_RENTAL[args.rentalKind];
  if (rateText === undefined) {
    throw ValidationError.of('rentalKind', 'UNKNOWN_RENTAL_KIND', `unknown rental kind ${String(args.rentalKind)}`);
  }
  const months = wholeNumber(args.months, 'months', 1, MAX_MONTHS);
  const rate = new Dec(rateText);
  return pricedLine({
    type: 'PARKING_RENTAL',
    description: `车位租用 ${RENTAL_KIND_NAMES[args.rentalKind]} ${plain(rate)}元/月/辆 × ${months}月`,
    quantity: ONE,
    unit: '辆',
    unitPrice: rate,
    months,
    tariff: args.tariff,
    formula: 'vehicles × rate × months',
    inputs: { rentalKind: args.rentalKind, rate: plain(rate), months },
    ...(args.period ? { period: args.period } : {}),
  });
}

/** 装修垃圾清运费: building area × 5 元/㎡, once. */
export function renovationWaste(args: { area: Dec; tariff: TariffVersion }): FeeLine {
  const rate = new Dec(args.tariff.rates.RENOVATION_WASTE);
  return pricedLine({
    type: 'RENOVATION_WASTE',
    description: `装修垃圾清运费 ${plain(args.area)}㎡ × ${plain(rate)}元/㎡`,
    quantity: args.area,
    unit: '㎡',
    unitPrice: rate,
    months: null,
    tariff: args.tariff,
    formula: 'area × rate',
    inputs: { area: plain(args.area), rate: plain(rate) },
  });
}

/** 装修管理保证金: a refundable deposit per household (a liability, not income). */
export function renovationDeposit(args: { tariff: TariffVersion }): FeeLine {
  const amount = fenToDec(parseMoney(args.tariff.rates.RENOVATION_DEPOSIT, 'rates.RENOVATION_DEPOSIT'));
  return pricedLine({
    type: 'RENOVATION_DEPOSIT',
    description: `装修管理保证金 ${plain(amount)}元/户(可退,不计息)`,
    quantity: ONE,
    unit: '户',
    unitPrice: amount,
    months: null,
    tariff: args.tariff,
    formula: 'households × deposit',
    inputs: { deposit: plain(amount) },
  });
}

/**
 * 装修许可证及出入证工本费 (the permit counts as a card), plus the card deposit when the estate sets
 * one: cards × 10, and cards × pass deposit as its own (refundable) line.
 */
export function renovationCards(args: { cards: number; tariff: TariffVersion }): FeeLine[] {
  const cards = wholeNumber(args.cards, 'cards', 1, MAX_CARDS);
  const fee = new Dec(args.tariff.rates.RENOVATION_CARDS);
  const lines = [
    pricedLine({
      type: 'RENOVATION_CARDS',
      description: `装修许可证及施工人员出入证工本费 ${cards}张 × ${plain(fee)}元/张`,
      quantity: new Dec(cards),
      unit: '张',
      unitPrice: fee,
      months: null,
      tariff: args.tariff,
      formula: 'cards × fee',
      inputs: { cards, fee: plain(fee) },
    }),
  ];
  const deposit = fenToDec(parseMoney(args.tariff.rates.CARD_DEPOSIT, 'rates.CARD_DEPOSIT'));
  if (deposit.gt(0)) {
    lines.push(
      pricedLine({
        type: 'CARD_DEPOSIT',
        description: `出入证押金 ${cards}张 × ${plain(deposit)}元/张(可退)`,
        quantity: new Dec(cards),
        unit: '张',
        unitPrice: deposit,
        months: null,
        tariff: args.tariff,
        formula: 'cards × deposit',
        inputs: { cards, deposit: plain(deposit) },
      }),
    );
  }
  return lines;
}
