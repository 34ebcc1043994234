// Money (SPEC.md §1): strict parsing, fen formatting, half-up rounding once, 大写金额.
import { describe, expect, it } from 'vitest';
import {
  chineseUppercase,
  Dec,
  fenToDec,
  formatFen,
  parseArea,
  parseMoney,
  parseRate,
  plain,
  roundToFen,
  sumFen,
} from '../../lib/money.js';
import { expectValidation } from './expect-validation.js';

describe('parseMoney', () => {
  it.each([
    ['0', 0n],
    ['0.00', 0n],
    ['0.05', 5n],
    ['0.5', 50n],
    ['12', 1200n],
    ['1934.50', 193450n],
    ['1934.5', 193450n],
    ['10010.01', 1001001n],
    ['100000000000.00', 10_000_000_000_000n],
  ])('%s → %i fen', (text, fen) => {
    expect(parseMoney(text, 'amount')).toBe(fen);
  });

  it.each([
    ['a JSON number', 1934.5],
    ['a whole JSON number', 100],
    ['an exponent', '1e3'],
    ['an upper-case exponent', '1E3'],
    ['an exponent with a fraction', '1.5e2'],
    ['a plus sign', '+1.00'],
    ['a minus sign', '-1.00'],
    ['three decimals', '1.001'],
    ['four decimals', '1934.5000'],
    ['an empty string', ''],
    ['NaN', 'NaN'],
    ['Infinity', 'Infinity'],
    ['-Infinity', '-Infinity'],
    ['a leading zero', '01.00'],
    ['a double zero', '00'],
    ['a bare fraction', '.50'],
    ['a trailing dot', '1.'],
    ['a space', ' 1.00'],
    ['a thousands separator', '1,000.00'],
    ['a full-width digit', '１.00'],
    ['hex', '0x10'],
    ['null', null],
    ['undefined', undefined],
    ['a bigint', 100n],
    ['an object', { amount: '1.00' }],
    ['more than 100 billion yuan', '100000000000.01'],
    ['fourteen integer digits', '10000000000000'],
  ])('rejects %s', (_what, value) => {
    expectValidation(() => parseMoney(value, 'payment.amount'), 'payment.amount', 'INVALID_MONEY');
  });

  it('says why: a number, an exponent, a sign, a third decimal', () => {
    const message = (value: unknown) =>
      expectValidation(() => parseMoney(value, 'amount'), 'amount', 'INVALID_MONEY')[0]?.message;
    expect(message(12.5)).toMatch(/JSON number/);
    expect(message('1e3')).toMatch(/exponent/);
    expect(message('+1.00')).toMatch(/signed/);
    expect(message('1.001')).toMatch(/more than two decimals/);
    expect(message('')).toMatch(/empty/);
  });

  it('accepts a negative amount only when allowed', () => {
    expect(parseMoney('-1934.50', 'amount', { allowNegative: true })).toBe(-193450n);
    expect(parseMoney('-0.05', 'amount', { allowNegative: true })).toBe(-5n);
    expect(parseMoney('1.00', 'amount', { allowNegative: true })).toBe(100n);
    expectValidation(
      () => parseMoney('-1.001', 'amount', { allowNegative: true }),
      'amount',
      'INVALID_MONEY',
    );
    expectValidation(() => parseMoney('+1.00', 'amount', { allowNegative: true }), 'amount', 'INVALID_MONEY');
    expectValidation(
      () => parseMoney('--1.00', 'amount', { allowNegative: true }),
      'amount',
      'INVALID_MONEY',
    );
    expectValidation(
      () => parseMoney('-100000000000.01', 'amount', { allowNegative: true }),
      'amount',
      'INVALID_MONEY',
    );
  });
});

describe('formatFen', () => {
  it.each([
    [0n, '0.00'],
    [5n, '0.05'],
    [50n, '0.50'],
    [100n, '1.00'],
    [193450n, '1934.50'],
    [-100n, '-1.00'],
    [-5n, '-0.05'],
    [10_000_000_000_000n, '100000000000.00'],
    [123_456_789_012_345_678_901_234n, '1234567890123456789012.34'],
  ])('%i fen → %s', (fen, text) => {
    expect(formatFen(fen)).toBe(text);
  });
});

describe('roundToFen: half-up (四舍五入) to the fen', () => {
  it.each([
    ['1934.496', 193450n],
    ['1934.495', 193450n],
    ['1934.4949999', 193449n],
    ['0.005', 1n],
    ['0.0049999999', 0n],
    ['2.675', 268n], // 2.675 is 2.67499999… as a double: decimal arithmetic must not see that
    ['1.005', 101n],
    ['0', 0n],
    ['-0.005', -1n], // half away from zero, as ROUND_HALF_UP does in decimal.js
  ])('%s yuan → %i fen', (yuan, fen) => {
    expect(roundToFen(new Dec(yuan))).toBe(fen);
  });

  it('fenToDec is exact and sumFen adds fen', () => {
    expect(plain(fenToDec(193450n))).toBe('1934.5');
    expect(plain(fenToDec(-5n))).toBe('-0.05');
    expect(sumFen([193450n, 100000n, 5000n])).toBe(298450n);
    expect(sumFen([])).toBe(0n);
  });
});

describe('parseArea', () => {
  it.each([
    ['89.56', '89.56'],
    ['89.5', '89.5'],
    ['89.50', '89.5'],
    ['0.01', '0.01'],
    ['100000', '100000'],
    ['100000.00', '100000'],
  ])('%s → %s', (text, canonical) => {
    expect(plain(parseArea(text))).toBe(canonical);
  });

  it.each([
    ['zero', '0'],
    ['zero with decimals', '0.00'],
    ['negative', '-89.56'],
    ['over 100000', '100000.01'],
    ['far over 100000', '1000000'],
    ['three decimals', '89.565'],
    ['a JSON number', 89.56],
    ['an exponent', '1e2'],
    ['empty', ''],
    ['NaN', 'NaN'],
    ['Infinity', 'Infinity'],
    ['a leading zero', '089.56'],
    ['a plus sign', '+89.56'],
  ])('rejects %s', (_what, value) => {
    expectValidation(() => parseArea(value, 'unit.area'), 'unit.area', 'INVALID_AREA');
  });

  it('names the field "area" by default', () => {
    expectValidation(() => parseArea('0'), 'area', 'INVALID_AREA');
  });
});

describe('parseRate', () => {
  it.each([
    ['1.8', '1.8'],
    ['1.8000', '1.8'],
    ['0.0001', '0.0001'],
    ['30', '30'],
    ['0', '0'],
  ])('%s → %s', (text, canonical) => {
    expect(plain(parseRate(text))).toBe(canonical);
  });

  it.each([
    ['five decimals', '1.80001'],
    ['a JSON number', 1.8],
    ['negative', '-1.8'],
    ['an exponent', '18e-1'],
    ['empty', ''],
  ])('rejects %s', (_what, value) => {
    expectValidation(
      () => parseRate(value, 'rates.PARKING_SPACE_FEE'),
      'rates.PARKING_SPACE_FEE',
      'INVALID_RATE',
    );
  });
});

describe('chineseUppercase (大写金额, 《会计基础工作规范》第52条)', () => {
  it.each([
    // SPEC.md §1
    [193450n, '人民币壹仟玖佰叁拾肆元伍角整'],
    [100000n, '人民币壹仟元整'],
    [5n, '人民币伍分'],
    [1001001n, '人民币壹万零壹拾元零壹分'],
    // derived from the convention: 整 after 元 or 角, never after 分; one 零 for a run of zeros
    [0n, '人民币零元整'],
    [1000n, '人民币壹拾元整'],
    [105n, '人民币壹元零伍分'],
    [50n, '人民币伍角整'],
    [55n, '人民币伍角伍分'],
    [100n, '人民币壹元整'],
    [110n, '人民币壹元壹角整'],
    [10010000n, '人民币壹拾万零壹佰元整'],
    [10000000100n, '人民币壹亿零壹元整'],
    [10000000000n, '人民币壹亿元整'],
    [1000000n, '人民币壹万元整'],
    [1100000n, '人民币壹万壹仟元整'],
    [101000n, '人民币壹仟零壹拾元整'],
    [100100n, '人民币壹仟零壹元整'],
    [1000100n, '人民币壹万零壹元整'],
    [200000000n, '人民币贰佰万元整'],
    [1234567800n, '人民币壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元整'],
    // the regulation's own examples (where it allows two forms, one of them)
    [140950n, '人民币壹仟肆佰零玖元伍角整'],
    [600714n, '人民币陆仟零柒元壹角肆分'],
    [168032n, '人民币壹仟陆佰捌拾元叁角贰分'],
    [10700053n, '人民币壹拾万零柒仟元伍角叁分'],
    // a payment's 2000.00 tendered for 1934.50 leaves change 65.50
    [6550n, '人民币陆拾伍元伍角整'],
    [10_000_000_000_000n, '人民币壹仟亿元整'],
  ])('%i fen → %s', (fen, words) => {
    expect(chineseUppercase(fen)).toBe(words);
  });

  it('writes a reversal with 负', () => {
    expect(chineseUppercase(-193450n)).toBe('人民币负壹仟玖佰叁拾肆元伍角整');
  });

  it('never writes two 零 in a row, nor 零 before 元/万/亿, nor 整 after 分', () => {
    for (const fen of [1n, 11n, 101n, 1001n, 10001n, 100001n, 10000001n, 1000000001n, 100000000001n]) {
      const words = chineseUppercase(fen);
      expect(words).not.toMatch(/零零|零元|零万|零亿|分整/);
      expect(words.endsWith('分')).toBe(true);
    }
  });
});
