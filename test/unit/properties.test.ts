// Property tests (fast-check). The oracles here are written from SPEC.md with BigInt arithmetic on
// scaled integers, independently of decimal.js and of the calculators under test.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../lib/errors.js';
import { propertyFee } from '../../lib/fees/calculators.js';
import { type QuoteItem, quote } from '../../lib/fees/quote.js';
import { MAX_STAY_MINUTES, tempParkingFee } from '../../lib/fees/temp-parking.js';
import { chineseUppercase, formatFen, parseArea, parseMoney, parseRate } from '../../lib/money.js';
import {
  RENTAL_KINDS,
  type RentalKind,
  SEED_TEMP_PARKING_BANDS,
  seedTariff,
  type TariffRates,
  type TariffVersion,
  type TempParkingBand,
  UNIT_TYPES,
  type UnitType,
} from '../../lib/tariffs/catalog.js';
import { validateBands } from '../../lib/tariffs/validate.js';

const MONEY_TEXT = /^-?\d+\.\d{2}$/;
const PLAIN_DECIMAL = /^\d+(\.\d*[1-9])?$/;
const MAX_FEN = 10n ** 13n;
const DAY_MS = 86_400_000;

// ---- scaled-integer helpers (no decimal.js) ----

/** `units / 10^scale` written with all `scale` decimals: (8950n, 2) → "89.50". */
function fixed(units: bigint, scale: number): string {
  if (scale === 0) return units.toString();
  const text = units.toString().padStart(scale + 1, '0');
  return `${text.slice(0, -scale)}.${text.slice(-scale)}`;
}

/** The same number with `drop` of its trailing fraction zeros removed (and the dot when nothing is left). */
function dropZeros(text: string, drop: number): string {
  if (!text.includes('.')) return text;
  let out = text;
  for (let i = 0; i < drop && out.endsWith('0') && out.includes('.'); i++) out = out.slice(0, -1);
  return out.endsWith('.') ? out.slice(0, -1) : out;
}

/** Half-up division of a non-negative numerator, as 四舍五入 to the fen does. */
function roundHalfUp(numerator: bigint, denominator: bigint): bigint {
  return (numerator * 2n + denominator) / (denominator * 2n);
}

/** Exact line amount in fen of quantity Q/100 × rate R/10^4 × months, rounded once. */
function lineFen(quantityHundredths: bigint, rateTenThousandths: bigint, months: bigint): bigint {
  // yuan = Q/100 × R/10^4 × m, so fen = Q × R × m / 10^4
  return roundHalfUp(quantityHundredths * rateTenThousandths * months, 10_000n);
}

/** SPEC.md §4.2 with the seed bands, written out as the source states them. */
function seedTempParkingFen(minutes: number): bigint {
  const days = BigInt(Math.floor(minutes / 1440));
  const rest = minutes % 1440;
  const band = rest === 0 ? 0n : rest <= 120 ? 0n : rest <= 240 ? 200n : rest <= 480 ? 500n : 1000n;
  return 1000n * days + band;
}

function rateUnits(text: string): bigint {
  const [whole = '0', frac = ''] = text.split('.');
  return BigInt(whole) * 10_000n + BigInt(frac.padEnd(4, '0'));
}

// ---- generators ----

const areaHundredths = fc.bigInt({ min: 1n, max: 10_000_000n }); // 0.01 … 100000.00 m²
const rateTenThousandths = fc.bigInt({ min: 1n, max: 1_000_000n }); // 0.0001 … 100.0000 元
const trailing = fc.integer({ min: 0, max: 4 });
const rateText = fc.tuple(rateTenThousandths, trailing).map(([r, drop]) => dropZeros(fixed(r, 4), drop));
const areaText = fc.tuple(areaHundredths, trailing).map(([a, drop]) => dropZeros(fixed(a, 2), drop));
const moneyFen = (max: bigint) => fc.bigInt({ min: 0n, max });
const instantMs = fc.integer({ min: Date.UTC(2015, 0, 1), max: Date.UTC(2035, 0, 1) });
const stayMs = fc.oneof(
  fc.integer({ min: 0, max: 2 * DAY_MS }),
  fc.integer({ min: 0, max: MAX_STAY_MINUTES * 60_000 + 59_999 }),
);

/** Valid temporary-parking bands: ascending bounds ending at 1440, amounts never decreasing. */
const bandsArb: fc.Arbitrary<TempParkingBand[]> = fc
  .tuple(
    fc.uniqueArray(fc.integer({ min: 1, max: 1439 }), { maxLength: 6 }),
    fc.array(fc.bigInt({ min: 0n, max: 5_000n }), { minLength: 7, maxLength: 7 }),
  )
  .map(([bounds, steps]) => {
    const ups = [...[...bounds].sort((a, b) => a - b), 1440];
    let fen = 0n;
    return ups.map((upToMinutes, i) => {
      fen += steps[i] ?? 0n;
      return { upToMinutes, amount: formatFen(fen) };
    });
  });

const ratesArb: fc.Arbitrary<TariffRates> = fc
  .record({
    property: fc.tuple(rateText, rateText, rateText, rateText, rateText),
    space: rateText,
    shared: rateText,
    smart: rateText,
    waste: rateText,
    cards: rateText,
    deposit: moneyFen(100_000_000n),
    cardDeposit: fc.oneof(fc.constant(0n), moneyFen(100_000n)),
  })
  .map((r) => ({
    PROPERTY_FEE: Object.fromEntries(UNIT_TYPES.map((t, i) => [t, r.property[i]!])) as Record<
      UnitType,
      string
    >,
    PARKING_SPACE_FEE: r.space,
    PARKING_RENTAL: { SHARED: r.shared, SMART_UNDERGROUND: r.smart },
    RENOVATION_WASTE: r.waste,
    RENOVATION_DEPOSIT: formatFen(r.deposit),
    RENOVATION_CARDS: r.cards,
    CARD_DEPOSIT: formatFen(r.cardDeposit),
  }));

const tariffArb: fc.Arbitrary<TariffVersion> = ratesArb.map((rates) => ({
  ...seedTariff('PROP'),
  rates,
  tempParkingBands: structuredClone(SEED_TEMP_PARKING_BANDS),
}));

/** An ISO instant, sometimes in UTC, sometimes in Shanghai's +08:00. */
function isoOf(ms: number, shanghai: boolean): string {
  if (!shanghai) return new Date(ms).toISOString();
  return new Date(ms + 8 * 3_600_000).toISOString().replace('Z', '+08:00');
}

const itemArb: fc.Arbitrary<QuoteItem> = fc.oneof(
  fc.record({
    type: fc.constant('PROPERTY_FEE' as const),
    unitType: fc.constantFrom(...UNIT_TYPES),
    area: areaText,
    months: fc.integer({ min: 1, max: 120 }),
  }),
  fc.record({
    type: fc.constant('PARKING_SPACE_FEE' as const),
    spaces: fc.integer({ min: 1, max: 100 }),
    months: fc.integer({ min: 1, max: 120 }),
  }),
  fc.record({
    type: fc.constant('PARKING_RENTAL' as const),
    rentalKind: fc.constantFrom(...RENTAL_KINDS),
    months: fc.integer({ min: 1, max: 120 }),
  }),
  fc.tuple(instantMs, stayMs, fc.boolean(), fc.boolean()).map(([entry, stay, a, b]) => ({
    type: 'TEMP_PARKING' as const,
    entryAt: isoOf(entry, a),
    exitAt: isoOf(entry + stay, b),
  })),
  fc.record({ type: fc.constant('RENOVATION_WASTE' as const), area: areaText }),
  fc.constant({ type: 'RENOVATION_DEPOSIT' as const }),
  fc.record({ type: fc.constant('RENOVATION_CARDS' as const), cards: fc.integer({ min: 1, max: 200 }) }),
);

/** What each item must cost, from SPEC.md, per resulting line. */
function oracle(item: QuoteItem, tariff: TariffVersion): bigint[] {
  const r = tariff.rates;
  const areaUnits = (text: string) => rateUnits(text) / 100n; // hundredths of a m²
  switch (item.type) {
    case 'PROPERTY_FEE':
      return [lineFen(areaUnits(item.area), rateUnits(r.PROPERTY_FEE[item.unitType]), BigInt(item.months))];
    case 'PARKING_SPACE_FEE':
      return [lineFen(BigInt(item.spaces) * 100n, rateUnits(r.PARKING_SPACE_FEE), BigInt(item.months))];
    case 'PARKING_RENTAL':
      return [lineFen(100n, rateUnits(r.PARKING_RENTAL[item.rentalKind as RentalKind]), BigInt(item.months))];
    case 'TEMP_PARKING':
      return [seedTempParkingFen(Math.floor((Date.parse(item.exitAt) - Date.parse(item.entryAt)) / 60_000))];
    case 'RENOVATION_WASTE':
      return [lineFen(areaUnits(item.area), rateUnits(r.RENOVATION_WASTE), 1n)];
    case 'RENOVATION_DEPOSIT':
      return [rateUnits(r.RENOVATION_DEPOSIT) / 100n];
    case 'RENOVATION_CARDS': {
      const deposit = rateUnits(r.CARD_DEPOSIT) / 100n;
      const fee = lineFen(BigInt(item.cards) * 100n, rateUnits(r.RENOVATION_CARDS), 1n);
      return deposit > 0n ? [fee, BigInt(item.cards) * deposit] : [fee];
    }
  }
}

// ---- properties ----

describe('the generators themselves', () => {
  it('produce valid bands and texts the parsers accept', () => {
    fc.assert(fc.property(bandsArb, (bands) => validateBands(bands).length === 0));
    fc.assert(fc.property(areaText, rateText, (a, r) => parseArea(a).gt(0) && parseRate(r).gt(0)));
  });

  it('the oracle agrees with SPEC.md’s own examples', () => {
    expect(lineFen(8956n, 18_000n, 12n)).toBe(193450n);
    expect(lineFen(4533n, 22_000n, 12n)).toBe(119671n);
    expect(lineFen(13527n, 18_000n, 12n)).toBe(292183n);
    expect(lineFen(8956n, 50_000n, 1n)).toBe(44780n);
    expect(roundHalfUp(5n, 10n)).toBe(1n);
    expect(roundHalfUp(4n, 10n)).toBe(0n);
    expect(seedTempParkingFen(1561)).toBe(1200n);
    expect(seedTempParkingFen(4325)).toBe(3000n);
  });
});

describe('temporary parking', () => {
  it('never costs less for a longer stay, for any valid bands', () => {
    fc.assert(
      fc.property(bandsArb, instantMs, stayMs, stayMs, (bands, entry, s1, s2) => {
        const tariff = { ...seedTariff('MONO'), tempParkingBands: bands };
        const [short, long] = s1 <= s2 ? [s1, s2] : [s2, s1];
        const a = tempParkingFee({ entryMs: entry, exitMs: entry + short, tariff }).amount;
        const b = tempParkingFee({ entryMs: entry, exitMs: entry + long, tariff }).amount;
        expect(a <= b).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('one more minute never costs less, across every band and day boundary', () => {
    fc.assert(
      fc.property(bandsArb, fc.integer({ min: 0, max: MAX_STAY_MINUTES - 1 }), (bands, minutes) => {
        const tariff = { ...seedTariff('MONO'), tempParkingBands: bands };
        const at = (m: number) => tempParkingFee({ entryMs: 0, exitMs: m * 60_000, tariff }).amount;
        expect(at(minutes) <= at(minutes + 1)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('matches SPEC.md §4.2 for any entry time and stay, seconds dropped', () => {
    const tariff = seedTariff('SPEC');
    fc.assert(
      fc.property(instantMs, stayMs, (entry, stay) => {
        const line = tempParkingFee({ entryMs: entry, exitMs: entry + stay, tariff });
        expect(line.amount).toBe(seedTempParkingFen(Math.floor(stay / 60_000)));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('quotes', () => {
  it('a total is the sum of its lines, and every line costs what SPEC.md says', () => {
    fc.assert(
      fc.property(tariffArb, fc.array(itemArb, { maxLength: 12 }), (tariff, items) => {
        const q = quote(items, tariff);
        const expected = items.flatMap((item) => oracle(item, tariff));
        expect(q.lines.map((l) => l.amount)).toEqual(expected);
        expect(q.total).toBe(expected.reduce((a, b) => a + b, 0n));
        expect(q.total).toBe(q.lines.reduce((sum, l) => sum + l.amount, 0n));
      }),
      { numRuns: 300 },
    );
  });

  it('prices the same whatever trailing zeros the area and rate carry ("89.5" = "89.50")', () => {
    fc.assert(
      fc.property(
        areaHundredths,
        rateTenThousandths,
        fc.tuple(trailing, trailing, trailing, trailing),
        fc.constantFrom(...UNIT_TYPES),
        fc.integer({ min: 1, max: 120 }),
        (a, r, [dropA1, dropA2, dropR1, dropR2], unitType, months) => {
          const priced = (areaDrop: number, rateDrop: number) => {
            const tariff = seedTariff('ZERO');
            tariff.rates.PROPERTY_FEE[unitType] = dropZeros(fixed(r, 4), rateDrop);
            tariff.rates.RENOVATION_WASTE = dropZeros(fixed(r, 4), rateDrop);
            const area = dropZeros(fixed(a, 2), areaDrop);
            return quote(
              [
                { type: 'PROPERTY_FEE', unitType, area, months },
                { type: 'RENOVATION_WASTE', area },
              ],
              tariff,
            );
          };
          const one = priced(dropA1, dropR1);
          const two = priced(dropA2, dropR2);
          expect(two.total).toBe(one.total);
          expect(two.lines.map((l) => [l.amount, l.description, l.quantity, l.unitPrice])).toEqual(
            one.lines.map((l) => [l.amount, l.description, l.quantity, l.unitPrice]),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never writes NaN, Infinity or an exponent anywhere in a line', () => {
    fc.assert(
      fc.property(tariffArb, fc.array(itemArb, { minLength: 1, maxLength: 8 }), (tariff, items) => {
        for (const line of quote(items, tariff).lines) {
          expect(formatFen(line.amount)).toMatch(MONEY_TEXT);
          expect(line.trace.exact).toMatch(PLAIN_DECIMAL);
          expect(line.quantity).toMatch(PLAIN_DECIMAL);
          expect(line.unitPrice).toMatch(PLAIN_DECIMAL);
          expect(JSON.stringify(line, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))).not.toMatch(
            /NaN|Infinity|undefined|\d[eE][+-]?\d/,
          );
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('property fee', () => {
  it('equals roundHalfUp(area × rate × months) computed on fen-scaled integers', () => {
    fc.assert(
      fc.property(
        areaHundredths,
        rateTenThousandths,
        fc.integer({ min: 1, max: 120 }),
        fc.constantFrom(...UNIT_TYPES),
        (a, r, months, unitType) => {
          const tariff = seedTariff('ORACLE');
          tariff.rates.PROPERTY_FEE[unitType] = fixed(r, 4);
          const line = propertyFee({ unitType, area: parseArea(fixed(a, 2)), months, tariff });
          expect(line.amount).toBe(lineFen(a, r, BigInt(months)));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('rounds exact half-fen amounts up (0.005 yuan and friends)', () => {
    // rate 0.0005, area (10 + 20k) m²/100 and an odd number of months: exactly k' + 0.5 fen
    const halves = fc
      .tuple(fc.integer({ min: 0, max: 4_999 }), fc.integer({ min: 0, max: 59 }))
      .map(([k, j]) => ({
        a: 1_000n + 2_000n * BigInt(k),
        m: 2 * j + 1,
      }));
    fc.assert(
      fc.property(halves, ({ a, m }) => {
        const tariff = seedTariff('HALF');
        tariff.rates.PROPERTY_FEE.HIGH_RISE = '0.0005';
        const line = propertyFee({ unitType: 'HIGH_RISE', area: parseArea(fixed(a, 2)), months: m, tariff });
        // exact amount in fen = a × 5 × m / 10^4, which ends in exactly half a fen
        expect((a * 5n * BigInt(m)) % 10_000n).toBe(5_000n);
        expect(line.amount).toBe((a * 5n * BigInt(m) + 5_000n) / 10_000n);
      }),
    );
  });
});

describe('money strings', () => {
  it('round-trip through fen exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_FEN }), (fen) => {
        expect(parseMoney(formatFen(fen), 'amount')).toBe(fen);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.bigInt({ min: -MAX_FEN, max: MAX_FEN }), (fen) => {
        expect(parseMoney(formatFen(fen), 'amount', { allowNegative: true })).toBe(fen);
      }),
      { numRuns: 2000 },
    );
  });

  it('format any fen as digits, a dot and two decimals', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), (fen) => {
        const text = formatFen(fen);
        expect(text).toMatch(MONEY_TEXT);
        // and say the same amount: the digits without the dot are the fen
        expect(BigInt(text.replace('.', ''))).toBe(fen);
      }),
      { numRuns: 2000 },
    );
  });

  it('reject anything that is not a plain amount with a ValidationError, never another error', () => {
    const candidates = fc.oneof(
      fc.string(),
      fc.stringMatching(/^[-+]?\d{0,15}(\.\d{0,4})?([eE][-+]?\d{1,3})?$/),
      fc.double().map(String),
      fc.double(),
      fc.anything(),
    );
    fc.assert(
      fc.property(candidates, (value) => {
        let fen: bigint;
        try {
          fen = parseMoney(value, 'amount');
        } catch (e) {
          expect(e).toBeInstanceOf(ValidationError);
          expect((e as ValidationError).field).toBe('amount');
          return;
        }
        // accepted: it was a string of digits with at most two decimals, meaning exactly this fen
        expect(typeof value).toBe('string');
        expect(value as string).toMatch(/^(0|[1-9]\d*)(\.\d{1,2})?$/);
        const [whole = '', frac = ''] = (value as string).split('.');
        expect(formatFen(fen)).toBe(`${whole}.${frac.padEnd(2, '0')}`);
      }),
      { numRuns: 3000 },
    );
  });

  it('areas and rates reject bad text with a ValidationError only', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.anything(), fc.double().map(String)), (value) => {
        for (const parse of [parseArea, parseRate]) {
          try {
            parse(value, 'x');
          } catch (e) {
            expect(e).toBeInstanceOf(ValidationError);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('大写 is made of the receipt vocabulary only and ends in 整 exactly when there are no fen', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_FEN }), (fen) => {
        const words = chineseUppercase(fen);
        expect(words).toMatch(/^人民币[零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整]+$/);
        expect(words.endsWith('整')).toBe(fen % 10n === 0n);
        if (fen > 0n) expect(words).not.toMatch(/零零|零元|零万|零亿|零角|零整/);
      }),
      { numRuns: 2000 },
    );
  });
});
