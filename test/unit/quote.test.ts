// Quotes: every item type priced with one version, a total that is the sum of rounded lines, and errors
// that name the offending item.
import { describe, expect, it } from 'vitest';
import { type QuoteItem, quote } from '../../lib/fees/quote.js';
import { formatFen } from '../../lib/money.js';
import { seedTariff } from '../../lib/tariffs/catalog.js';
import { expectValidation } from './expect-validation.js';

const tariff = seedTariff('DEMO');

describe('quote', () => {
  it('prices a move-in with a space, a renovation and a parking stay', () => {
    const items: QuoteItem[] = [
      { type: 'PROPERTY_FEE', unitType: 'HIGH_RISE', area: '89.56', months: 12 },
      { type: 'PARKING_SPACE_FEE', spaces: 1, months: 12 },
      { type: 'PARKING_RENTAL', rentalKind: 'SHARED', months: 3 },
      { type: 'TEMP_PARKING', entryAt: '2025-03-01T08:00:00+08:00', exitAt: '2025-03-01T10:30:00+08:00' },
      { type: 'RENOVATION_WASTE', area: '89.56' },
      { type: 'RENOVATION_DEPOSIT' },
      { type: 'RENOVATION_CARDS', cards: 5 },
    ];
    const q = quote(items, tariff);
    expect(q.lines.map((l) => [l.type, formatFen(l.amount)])).toEqual([
      ['PROPERTY_FEE', '1934.50'],
      ['PARKING_SPACE_FEE', '360.00'],
      ['PARKING_RENTAL', '600.00'],
      ['TEMP_PARKING', '2.00'],
      ['RENOVATION_WASTE', '447.80'],
      ['RENOVATION_DEPOSIT', '1000.00'],
      ['RENOVATION_CARDS', '50.00'],
    ]);
    expect(formatFen(q.total)).toBe('4394.30');
    expect(q.tariffVersion).toBe('DEMO@2000-01-01');
    expect(q.lines.every((l) => l.tariffVersion === 'DEMO@2000-01-01')).toBe(true);
  });

  it('an empty quote totals 0.00', () => {
    expect(quote([], tariff)).toEqual({ lines: [], total: 0n, tariffVersion: 'DEMO@2000-01-01' });
  });

  it('a card deposit adds a line, and to the total', () => {
    const withDeposit = { ...tariff, rates: { ...tariff.rates, CARD_DEPOSIT: '10.00' } };
    const q = quote([{ type: 'RENOVATION_CARDS', cards: 5 }], withDeposit);
    expect(q.lines.map((l) => l.type)).toEqual(['RENOVATION_CARDS', 'CARD_DEPOSIT']);
    expect(formatFen(q.total)).toBe('100.00');
  });
});

describe('quote errors name the item', () => {
  const good: QuoteItem = { type: 'RENOVATION_DEPOSIT' };

  it.each([
    [{ type: 'PROPERTY_FEE', unitType: 'HIGH_RISE', area: '0', months: 12 }, 'items[1].area', 'INVALID_AREA'],
    [
      { type: 'PROPERTY_FEE', unitType: 'HIGH_RISE', area: '-1', months: 12 },
      'items[1].area',
      'INVALID_AREA',
    ],
    [
      { type: 'PROPERTY_FEE', unitType: 'HIGH_RISE', area: '100000.01', months: 12 },
      'items[1].area',
      'INVALID_AREA',
    ],
    [
      { type: 'PROPERTY_FEE', unitType: 'HIGH_RISE', area: '89.565', months: 12 },
      'items[1].area',
      'INVALID_AREA',
    ],
    [
      { type: 'PROPERTY_FEE', unitType: 'HIGH_RISE', area: 89.56, months: 12 },
      'items[1].area',
      'INVALID_AREA',
    ],
    [
      { type: 'PROPERTY_FEE', unitType: 'CASTLE', area: '89.56', months: 12 },
      'items[1].unitType',
      'UNKNOWN_UNIT_TYPE',
    ],
    [
      { type: 'PROPERTY_FEE', unitType: 'HIGH_RISE', area: '89.56', months: 0 },
      'items[1].months',
      'INVALID_NUMBER',
    ],
    [{ type: 'PARKING_SPACE_FEE', spaces: 0, months: 12 }, 'items[1].spaces', 'INVALID_NUMBER'],
    [
      { type: 'PARKING_RENTAL', rentalKind: 'HOURLY', months: 1 },
      'items[1].rentalKind',
      'UNKNOWN_RENTAL_KIND',
    ],
    [
      { type: 'TEMP_PARKING', entryAt: '2025-03-01T08:00:00+08:00', exitAt: 'soon' },
      'items[1].exitAt',
      'INVALID_TIMESTAMP',
    ],
    [{ type: 'RENOVATION_WASTE', area: '1e2' }, 'items[1].area', 'INVALID_AREA'],
    [{ type: 'RENOVATION_CARDS', cards: 0 }, 'items[1].cards', 'INVALID_NUMBER'],
    [{ type: 'CLEANING' }, 'items[1].type', 'UNKNOWN_ITEM_TYPE'],
  ])('%j → %s %s', (item, field, code) => {
    expectValidation(() => quote([good, item as QuoteItem, good], tariff), field, code);
  });
});
