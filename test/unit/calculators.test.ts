// Annual property and parking-space fees, rentals and renovation charges (SPEC.md §3, §4.1, §4.3).
import { describe, expect, it } from 'vitest';
import {
  parkingRental,
  parkingSpaceFee,
  propertyFee,
  renovationCards,
  renovationDeposit,
  renovationWaste,
} from '../../lib/fees/calculators.js';
import { formatFen, parseArea } from '../../lib/money.js';
import { type RentalKind, seedTariff, type TariffVersion, type UnitType } from '../../lib/tariffs/catalog.js';
import { expectValidation } from './expect-validation.js';

const tariff = seedTariff('DEMO');

function withRates(rates: Partial<TariffVersion['rates']>): TariffVersion {
  return { ...tariff, rates: { ...tariff.rates, ...rates } };
}

describe('property fee (物业服务费), annual prepayment', () => {
  it.each([
    ['HIGH_RISE', '89.56', '1934.50', '1934.496'],
    ['APARTMENT', '45.33', '1196.71', '1196.712'],
    ['GARDEN_HOUSE', '135.27', '2921.83', '2921.832'],
    ['SEMI_DETACHED', '210.00', '6300.00', '6300'],
    ['COMMERCIAL', '120.50', '4338.00', '4338'],
  ] as const)('%s %s m² × 12 months → %s (exact %s)', (unitType, area, amount, exact) => {
    const line = propertyFee({ unitType, area: parseArea(area), months: 12, tariff });
    expect(formatFen(line.amount)).toBe(amount);
    expect(line.trace.exact).toBe(exact);
    expect(line.type).toBe('PROPERTY_FEE');
    expect(line.months).toBe(12);
  });

  it('rounds the year once, not each month: 89.56 m² 高层 is 1934.50, not 12 × 161.21 = 1934.52', () => {
    const year = propertyFee({ unitType: 'HIGH_RISE', area: parseArea('89.56'), months: 12, tariff });
    const month = propertyFee({ unitType: 'HIGH_RISE', area: parseArea('89.56'), months: 1, tariff });
    expect(formatFen(month.amount)).toBe('161.21');
    expect(year.amount).toBe(193450n);
    expect(year.amount).not.toBe(month.amount * 12n);
  });

  it('describes the line in Chinese with the canonical numbers', () => {
    const line = propertyFee({ unitType: 'HIGH_RISE', area: parseArea('89.50'), months: 12, tariff });
    expect(line.description).toBe('物业服务费 高层 89.5㎡ × 1.8元/㎡/月 × 12月');
    expect(line).toMatchObject({
      quantity: '89.5',
      unit: '㎡',
      unitPrice: '1.8',
      tariffVersion: 'DEMO@2000-01-01',
    });
    expect(line.trace.inputs).toEqual({ unitType: 'HIGH_RISE', area: '89.5', rate: '1.8', months: 12 });
  });

  it('carries the period it bills', () => {
    const period = { start: '2025-02-28', end: '2026-02-28' };
    const line = propertyFee({ unitType: 'APARTMENT', area: parseArea('45.33'), months: 12, tariff, period });
    expect(line.period).toEqual(period);
    expect(
      propertyFee({ unitType: 'APARTMENT', area: parseArea('45.33'), months: 12, tariff }).period,
    ).toBeUndefined();
  });

  it('prices with the version it is given', () => {
    const raised = {
      ...withRates({ PROPERTY_FEE: { ...tariff.rates.PROPERTY_FEE, HIGH_RISE: '2.05' } }),
      versionId: 'DEMO@2026-01-01',
    };
    const line = propertyFee({ unitType: 'HIGH_RISE', area: parseArea('89.56'), months: 12, tariff: raised });
    expect(formatFen(line.amount)).toBe('2203.18'); // 89.56 × 2.05 × 12 = 2203.176
    expect(line.tariffVersion).toBe('DEMO@2026-01-01');
  });

  it.each(['VILLA', '', 'high_rise', 'toString', 'constructor', '__proto__'])(
    'rejects the unit type %j',
    (unitType) => {
      expectValidation(
        () => propertyFee({ unitType: unitType as UnitType, area: parseArea('89.56'), months: 12, tariff }),
        'unitType',
        'UNKNOWN_UNIT_TYPE',
      );
    },
  );

  it.each([0, -1, 1.5, 121, Number.NaN])('rejects %d months', (months) => {
    expectValidation(
      () => propertyFee({ unitType: 'HIGH_RISE', area: parseArea('89.56'), months, tariff }),
      'months',
      'INVALID_NUMBER',
    );
  });
});

describe('parking-space service fee (车位物业服务费)', () => {
  it('is 360.00 per space per year', () => {
    expect(formatFen(parkingSpaceFee({ spaces: 1, months: 12, tariff }).amount)).toBe('360.00');
    expect(formatFen(parkingSpaceFee({ spaces: 2, months: 12, tariff }).amount)).toBe('720.00');
    expect(formatFen(parkingSpaceFee({ spaces: 1, months: 1, tariff }).amount)).toBe('30.00');
  });

  it('describes spaces and months', () => {
    const line = parkingSpaceFee({ spaces: 2, months: 12, tariff });
    expect(line.description).toBe('车位物业服务费 2个 × 30元/个/月 × 12月');
    expect(line).toMatchObject({
      type: 'PARKING_SPACE_FEE',
      quantity: '2',
      unit: '个',
      unitPrice: '30',
      months: 12,
    });
  });

  it.each([0, 101, 2.5])('rejects %d spaces', (spaces) => {
    expectValidation(() => parkingSpaceFee({ spaces, months: 12, tariff }), 'spaces', 'INVALID_NUMBER');
  });
});

describe('parking rental (车位租用), whole months', () => {
  it.each([
    ['SHARED', 1, '200.00'],
    ['SHARED', 3, '600.00'],
    ['SMART_UNDERGROUND', 1, '300.00'],
    ['SMART_UNDERGROUND', 12, '3600.00'],
  ] as const)('%s × %i months → %s', (rentalKind, months, amount) => {
    const line = parkingRental({ rentalKind, months, tariff });
    expect(formatFen(line.amount)).toBe(amount);
    expect(line).toMatchObject({ type: 'PARKING_RENTAL', quantity: '1', unit: '辆', months });
  });

  it('names the kind of space in Chinese', () => {
    expect(parkingRental({ rentalKind: 'SMART_UNDERGROUND', months: 2, tariff }).description).toBe(
      '车位租用费 智能化地下室内车位 300元/月/辆 × 2月',
    );
  });

  it.each(['MONTHLY', 'valueOf'])('rejects the rental kind %j', (rentalKind) => {
    expectValidation(
      () => parkingRental({ rentalKind: rentalKind as RentalKind, months: 1, tariff }),
      'rentalKind',
      'UNKNOWN_RENTAL_KIND',
    );
  });

  it('rejects part of a month', () => {
    expectValidation(
      () => parkingRental({ rentalKind: 'SHARED', months: 0.5, tariff }),
      'months',
      'INVALID_NUMBER',
    );
  });
});

describe('renovation (装修)', () => {
  it('89.56 m² with a permit and 4 passes → 447.80 + 1000.00 + 50.00', () => {
    const waste = renovationWaste({ area: parseArea('89.56'), tariff });
    const deposit = renovationDeposit({ tariff });
    const cards = renovationCards({ cards: 5, tariff });
    expect(formatFen(waste.amount)).toBe('447.80');
    expect(formatFen(deposit.amount)).toBe('1000.00');
    expect(cards.map((l) => [l.type, formatFen(l.amount)])).toEqual([['RENOVATION_CARDS', '50.00']]);
    expect(waste).toMatchObject({
      type: 'RENOVATION_WASTE',
      quantity: '89.56',
      unitPrice: '5',
      months: null,
    });
    expect(deposit).toMatchObject({
      type: 'RENOVATION_DEPOSIT',
      quantity: '1',
      unit: '户',
      unitPrice: '1000',
    });
    expect(deposit.description).toContain('可退');
  });

  it('adds a CARD_DEPOSIT line when the estate sets a pass deposit', () => {
    const lines = renovationCards({ cards: 5, tariff: withRates({ CARD_DEPOSIT: '20.50' }) });
    expect(lines.map((l) => [l.type, formatFen(l.amount)])).toEqual([
      ['RENOVATION_CARDS', '50.00'],
      ['CARD_DEPOSIT', '102.50'],
    ]);
    expect(lines[1]).toMatchObject({ quantity: '5', unit: '张', unitPrice: '20.5' });
    expect(lines[1]?.description).toContain('押金');
  });

  it('uses the estate’s deposit amount', () => {
    expect(
      formatFen(renovationDeposit({ tariff: withRates({ RENOVATION_DEPOSIT: '2000.00' }) }).amount),
    ).toBe('2000.00');
  });

  it.each([0, -1, 201, 1.5])('rejects %d cards', (cards) => {
    expectValidation(() => renovationCards({ cards, tariff }), 'cards', 'INVALID_NUMBER');
  });

  it('rounds the waste fee half-up once: 0.01 m² × 5 = 0.05; 33.33 m² × 0.125 = 4.16625 → 4.17', () => {
    expect(formatFen(renovationWaste({ area: parseArea('0.01'), tariff }).amount)).toBe('0.05');
    const odd = withRates({ RENOVATION_WASTE: '0.125' });
    expect(formatFen(renovationWaste({ area: parseArea('33.33'), tariff: odd }).amount)).toBe('4.17');
    expect(formatFen(renovationWaste({ area: parseArea('33.32'), tariff: odd }).amount)).toBe('4.17'); // 4.165
    expect(formatFen(renovationWaste({ area: parseArea('33.31'), tariff: odd }).amount)).toBe('4.16'); // 4.16375
  });
});
