// Tariff versions (SPEC.md §3): approved, announced in time, after the latest version, with sane bands.
import { describe, expect, it } from 'vitest';
import {
  SEED_RATES,
  SEED_TEMP_PARKING_BANDS,
  seedTariff,
  type TariffVersion,
  type TariffVersionInput,
  type TempParkingBand,
} from '../../lib/tariffs/catalog.js';
import { validateBands, validateTariffVersion, versionInEffect } from '../../lib/tariffs/validate.js';
import { expectValidation, validationProblems } from './expect-validation.js';

const seed = seedTariff('DEMO');

function input(over: Partial<TariffVersionInput> = {}): TariffVersionInput {
  return {
    effectiveFrom: '2026-01-01',
    noticeDate: '2025-11-15',
    approvalRef: '2025年第二次业主大会决议',
    rates: structuredClone(SEED_RATES),
    tempParkingBands: structuredClone(SEED_TEMP_PARKING_BANDS),
    ...over,
  };
}

function version(effectiveFrom: string): TariffVersion {
  return { ...input({ effectiveFrom }), estateId: 'DEMO', versionId: `DEMO@${effectiveFrom}` };
}

function bands(...list: [number, string][]): TempParkingBand[] {
  return list.map(([upToMinutes, amount]) => ({ upToMinutes, amount }));
}

describe('validateTariffVersion', () => {
  it('accepts a version announced in time, after the seed', () => {
    expect(() => validateTariffVersion(input(), [seed])).not.toThrow();
    expect(() => validateTariffVersion(input(), [])).not.toThrow();
  });

  it('accepts the notice exactly 30 days before, and rejects 29', () => {
    expect(() => validateTariffVersion(input({ noticeDate: '2025-12-02' }), [seed])).not.toThrow();
    expectValidation(
      () => validateTariffVersion(input({ noticeDate: '2025-12-03' }), [seed]),
      'noticeDate',
      'NOTICE_TOO_LATE',
    );
    expectValidation(
      () => validateTariffVersion(input({ noticeDate: '2026-01-01' }), [seed]),
      'noticeDate',
      'NOTICE_TOO_LATE',
    );
    expectValidation(
      () => validateTariffVersion(input({ noticeDate: '2026-02-01' }), [seed]),
      'noticeDate',
      'NOTICE_TOO_LATE',
    );
  });

  it('uses the estate’s own notice lead', () => {
    expect(() => validateTariffVersion(input({ noticeDate: '2025-11-02' }), [seed], 60)).not.toThrow();
    expectValidation(
      () => validateTariffVersion(input({ noticeDate: '2025-11-03' }), [seed], 60),
      'noticeDate',
      'NOTICE_TOO_LATE',
    );
    expect(() => validateTariffVersion(input({ noticeDate: '2025-12-25' }), [seed], 7)).not.toThrow();
  });

  it('must take effect after the latest existing version', () => {
    const existing = [seed, version('2026-01-01')];
    expectValidation(
      () => validateTariffVersion(input({ effectiveFrom: '2026-01-01' }), existing),
      'effectiveFrom',
      'NOT_AFTER_LATEST_VERSION',
    );
    expectValidation(
      () => validateTariffVersion(input({ effectiveFrom: '2025-12-31', noticeDate: '2025-11-01' }), existing),
      'effectiveFrom',
      'NOT_AFTER_LATEST_VERSION',
    );
    expect(() =>
      validateTariffVersion(input({ effectiveFrom: '2026-01-02', noticeDate: '2025-11-01' }), existing),
    ).not.toThrow();
  });

  it('requires the owners’ assembly approval', () => {
    expectValidation(
      () => validateTariffVersion(input({ approvalRef: '' }), [seed]),
      'approvalRef',
      'REQUIRED',
    );
    expectValidation(
      () => validateTariffVersion(input({ approvalRef: '   ' }), [seed]),
      'approvalRef',
      'REQUIRED',
    );
  });

  it.each([
    ['effectiveFrom', { effectiveFrom: '2026-02-30' }],
    ['noticeDate', { noticeDate: '2025/11/15' }],
  ])('rejects a bad %s', (field, over) => {
    expectValidation(() => validateTariffVersion(input(over), [seed]), field, 'INVALID_DATE');
  });

  it.each([
    [
      'rates.PROPERTY_FEE.HIGH_RISE',
      'INVALID_RATE',
      (r: typeof SEED_RATES) => {
        r.PROPERTY_FEE.HIGH_RISE = '0';
      },
    ],
    [
      'rates.PROPERTY_FEE.APARTMENT',
      'INVALID_RATE',
      (r: typeof SEED_RATES) => {
        r.PROPERTY_FEE.APARTMENT = '2.20001';
      },
    ],
    [
      'rates.PARKING_SPACE_FEE',
      'INVALID_RATE',
      (r: typeof SEED_RATES) => {
        r.PARKING_SPACE_FEE = '-30';
      },
    ],
    [
      'rates.PARKING_RENTAL.SHARED',
      'INVALID_RATE',
      (r: typeof SEED_RATES) => {
        r.PARKING_RENTAL.SHARED = '2e2';
      },
    ],
    [
      'rates.RENOVATION_WASTE',
      'INVALID_RATE',
      (r: typeof SEED_RATES) => {
        r.RENOVATION_WASTE = '';
      },
    ],
    [
      'rates.RENOVATION_CARDS',
      'INVALID_RATE',
      (r: typeof SEED_RATES) => {
        r.RENOVATION_CARDS = '0.0000';
      },
    ],
    [
      'rates.RENOVATION_DEPOSIT',
      'INVALID_MONEY',
      (r: typeof SEED_RATES) => {
        r.RENOVATION_DEPOSIT = '1000.001';
      },
    ],
    [
      'rates.CARD_DEPOSIT',
      'INVALID_MONEY',
      (r: typeof SEED_RATES) => {
        r.CARD_DEPOSIT = '-5.00';
      },
    ],
  ])('rejects a bad %s (%s)', (field, code, spoil) => {
    const rates = structuredClone(SEED_RATES);
    spoil(rates);
    expectValidation(() => validateTariffVersion(input({ rates }), [seed]), field, code);
  });

  it('accepts a zero card deposit and a four-decimal rate', () => {
    const rates = structuredClone(SEED_RATES);
    rates.CARD_DEPOSIT = '0.00';
    rates.PROPERTY_FEE.APARTMENT = '2.2125';
    expect(() => validateTariffVersion(input({ rates }), [seed])).not.toThrow();
  });

  it('names every problem at once', () => {
    const rates = structuredClone(SEED_RATES);
    rates.PARKING_SPACE_FEE = '0';
    const problems = validationProblems(() =>
      validateTariffVersion(
        input({
          noticeDate: '2025-12-31',
          approvalRef: '',
          rates,
          tempParkingBands: bands([120, '0.00'], [240, '2.00'], [480, '5.00']),
        }),
        [seed],
      ),
    );
    expect(problems.map((p) => [p.field, p.code])).toEqual([
      ['approvalRef', 'REQUIRED'],
      ['noticeDate', 'NOTICE_TOO_LATE'],
      ['rates.PARKING_SPACE_FEE', 'INVALID_RATE'],
      ['tempParkingBands[2].upToMinutes', 'INVALID_BANDS'],
    ]);
  });
});

describe('temporary-parking bands: no gaps, no overlaps, ascending', () => {
  it('accepts the seed bands and a single all-day band', () => {
    expect(validateBands(SEED_TEMP_PARKING_BANDS)).toEqual([]);
    expect(validateBands(bands([1440, '8.00']))).toEqual([]);
  });

  it.each([
    [
      'overlapping bands',
      bands([120, '0.00'], [100, '2.00'], [480, '5.00'], [1440, '10.00']),
      'tempParkingBands[1].upToMinutes',
    ],
    [
      'a repeated bound',
      bands([120, '0.00'], [120, '2.00'], [480, '5.00'], [1440, '10.00']),
      'tempParkingBands[1].upToMinutes',
    ],
    ['a first band of 0 minutes', bands([0, '0.00'], [1440, '10.00']), 'tempParkingBands[0].upToMinutes'],
    ['fractional minutes', bands([120.5, '0.00'], [1440, '10.00']), 'tempParkingBands[0].upToMinutes'],
    [
      'a gap before the day ends',
      bands([120, '0.00'], [240, '2.00'], [480, '5.00']),
      'tempParkingBands[2].upToMinutes',
    ],
    ['a last band past the day', bands([120, '0.00'], [1500, '10.00']), 'tempParkingBands[1].upToMinutes'],
    [
      'descending amounts',
      bands([120, '0.00'], [240, '5.00'], [480, '2.00'], [1440, '10.00']),
      'tempParkingBands[2].amount',
    ],
    [
      'a band one fen cheaper',
      bands([120, '0.00'], [240, '2.00'], [480, '1.99'], [1440, '10.00']),
      'tempParkingBands[2].amount',
    ],
    [
      'a day cheaper than a band',
      bands([120, '0.00'], [240, '12.00'], [1440, '10.00']),
      'tempParkingBands[2].amount',
    ],
    ['no bands at all', bands(), 'tempParkingBands'],
  ])('rejects %s', (_what, list, field) => {
    const problems = validateBands(list);
    expect(problems[0]).toMatchObject({ field, code: 'INVALID_BANDS' });
    expectValidation(
      () => validateTariffVersion(input({ tempParkingBands: list }), [seed]),
      field,
      'INVALID_BANDS',
    );
  });

  it('checks band amounts as money', () => {
    expect(validateBands(bands([120, '0.00'], [1440, '10.001']))[0]).toMatchObject({
      field: 'tempParkingBands[1].amount',
      code: 'INVALID_MONEY',
    });
    expect(validateBands(bands([120, '-1.00'], [1440, '10.00']))[0]).toMatchObject({
      field: 'tempParkingBands[0].amount',
      code: 'INVALID_MONEY',
    });
  });

  it('allows equal neighbouring amounts (a band that costs the same is not cheaper)', () => {
    expect(validateBands(bands([120, '0.00'], [240, '0.00'], [1440, '10.00']))).toEqual([]);
  });
});

describe('versionInEffect', () => {
  const versions = [version('2026-01-01'), seed, version('2027-07-01')];

  it.each([
    ['1999-12-31', undefined],
    ['2000-01-01', 'DEMO@2000-01-01'],
    ['2025-12-31', 'DEMO@2000-01-01'],
    ['2026-01-01', 'DEMO@2026-01-01'],
    ['2027-06-30', 'DEMO@2026-01-01'],
    ['2027-07-01', 'DEMO@2027-07-01'],
    ['2099-01-01', 'DEMO@2027-07-01'],
  ])('on %s → %s', (date, versionId) => {
    expect(versionInEffect(versions, date)?.versionId).toBe(versionId);
  });
});
