/**
 * Money, areas and rates. The single place where decimal arithmetic is configured and where a
 * money amount is rounded (SPEC.md §1).
 *
 * - Computation uses `Dec`, one decimal.js clone with ROUND_HALF_UP (四舍五入).
 * - A rounded amount is a `Fen`: an integer number of fen held in a bigint. Sums of fen are exact,
 *   and a bigint cannot silently turn into a float.
 * - On the wire an amount is a string with exactly two decimals; in DynamoDB an integer N of fen.
 */
import { Decimal } from 'decimal.js';
import { ValidationError } from './errors.js';

/** The one decimal constructor of the code base. Exponent notation is never produced below 1e21. */
export const Dec = Decimal.clone({
  precision: 40,
  rounding: Decimal.ROUND_HALF_UP,
  toExpNeg: -21,
  toExpPos: 21,
});
export type Dec = InstanceType<typeof Dec>;

/** An amount of money in fen (0.01 yuan). */
export type Fen = bigint;

const FEN_PER_YUAN = new Dec(100);
/** Amounts above this (one hundred billion yuan) are not plausible for a property office. */
export const MAX_MONEY_FEN = 10n ** 13n;

/**
 * The rounding rule: an exact amount in yuan, half-up to the fen. Called once per line item on the
 * exact product (quantity × rate × months), never on intermediate values.
 */
export function roundToFen(yuan: Dec): Fen {
  // toFixed(2) rounds the exact value once, half-up; "1934.50" → 193450n ("-0.00" → 0n).
  return BigInt(yuan.toFixed(2, Decimal.ROUND_HALF_UP).replace('.', ''));
}

/** Fen as a two-decimal string: 193450n → "1934.50", -100n → "-1.00". */
export function formatFen(fen: Fen): string {
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  const yuan = abs / 100n;
  const rest = (abs % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${yuan.toString()}.${rest}`;
}

export function fenToDec(fen: Fen): Dec {
  return new Dec(fen.toString()).dividedBy(FEN_PER_YUAN);
}

/** Sum of fen amounts (an invoice total is the sum of its rounded lines). */
export function sumFen(amounts: Iterable<Fen>): Fen {
  let total = 0n;
  for (const a of amounts) total += a;
  return total;
}

// Decimal strings: digits, an optional fraction, no sign, no exponent, no leading zeros.
const MONEY_RE = /^(0|[1-9]\d{0,12})(\.\d{1,2})?$/;
const SIGNED_MONEY_RE = /^-?(0|[1-9]\d{0,12})(\.\d{1,2})?$/;
const DECIMAL_RE = /^(0|[1-9]\d{0,11})(\.(\d+))?$/;

function describe(value: unknown): string {
  if (typeof value === 'number') return 'a JSON number; send a string such as "12.50"';
  if (value === null || value === undefined) return 'missing';
  if (typeof value !== 'string') return `of type ${typeof value}, expected a string`;
  if (value === '') return 'empty';
  if (/e/i.test(value)) return 'in exponent notation';
  if (/^[+-]/.test(value)) return 'signed';
  return 'not a plain decimal';
}

/**
 * Strictly parses a money amount such as "1934.50" (at most two decimals, non-negative unless
 * `allowNegative`). Anything else — a number, an exponent, a sign, NaN, Infinity, a third
 * decimal, an empty string — is a ValidationError naming `field`.
 */
export function parseMoney(value: unknown, field: string, opts: { allowNegative?: boolean } = {}): Fen {
  const re = opts.allowNegative ? SIGNED_MONEY_RE : MONEY_RE;
  if (typeof value !== 'string' || !re.test(value)) {
    const why =
      typeof value === 'string' && /^-?\d+\.\d{3,}$/.test(value)
        ? 'has more than two decimals'
        : `is ${describe(value)}`;
    throw ValidationError.of(field, 'INVALID_MONEY', `${field} ${why}; expected an amount like "1934.50"`);
  }
  const negative = value.startsWith('-');
  const [whole = '0', frac = ''] = (negative ? value.slice(1) : value).split('.');
  const fen = BigInt(whole) * 100n + BigInt(frac.padEnd(2, '0'));
  if (fen > MAX_MONEY_FEN) throw ValidationError.of(field, 'INVALID_MONEY', `${field} is implausibly large`);
  return negative ? -fen : fen;
}

function parseDecimal(
  value: unknown,
  field: string,
  maxDecimals: number,
  kind: string,
  example: string,
): Dec {
  const m = typeof value === 'string' ? DECIMAL_RE.exec(value) : null;
  if (!m) {
    throw ValidationError.of(
      field,
      `INVALID_${kind}`,
      `${field} is ${describe(value)}; expected a decimal string like "${example}"`,
    );
  }
  if ((m[3]?.length ?? 0) > maxDecimals) {
    throw ValidationError.of(field, `INVALID_${kind}`, `${field} has more than ${maxDecimals} decimals`);
  }
  return new Dec(value as string);
}

/** Building area in m²: a decimal string, at most 2 decimals, > 0 and ≤ 100000. */
export function parseArea(value: unknown, field = 'area'): Dec {
  const area = parseDecimal(value, field, 2, 'AREA', '89.56');
  if (area.lte(0) || area.gt(100000)) {
    throw ValidationError.of(field, 'INVALID_AREA', `${field} must be greater than 0 and at most 100000 m²`);
  }
  return area;
}

/** A tariff rate: a decimal string with at most 4 decimals, ≥ 0 (positivity is a tariff rule). */
export function parseRate(value: unknown, field = 'rate'): Dec {
  return parseDecimal(value, field, 4, 'RATE', '1.8');
}

/** The canonical string of a decimal without trailing zeros: "1.80" → "1.8", "89.50" → "89.5". */
export function plain(d: Dec): string {
  return d.toFixed();
}

// 大写金额 (《会计基础工作规范》第52条).
const DIGITS = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
const IN_GROUP = ['', '拾', '佰', '仟'];
const GROUPS = ['', '万', '亿', '万亿'];

function integerInWords(n: bigint): string {
  if (n === 0n) return '';
  const digits = n.toString();
  if (digits.length > 16) throw new RangeError('amount too large for 大写');
  let out = '';
  let zeroPending = false;
  const groupCount = Math.ceil(digits.length / 4);
  const padded = digits.padStart(groupCount * 4, '0');
  for (let g = 0; g < groupCount; g++) {
    const group = padded.slice(g * 4, g * 4 + 4);
    if (group === '0000') {
      if (out) zeroPending = true;
      continue;
    }
    for (let i = 0; i < 4; i++) {
      const d = group.charCodeAt(i) - 48;
      if (d === 0) {
        if (out) zeroPending = true;
        continue;
      }
      if (zeroPending) out += '零';
      zeroPending = false;
      out += DIGITS[d]! + IN_GROUP[3 - i]!;
    }
    out += GROUPS[groupCount - 1 - g]!;
  }
  return out;
}

/**
 * The amount in Chinese uppercase as a receipt prints it: 193450n → "人民币壹仟玖佰叁拾肆元伍角整",
 * 5n → "人民币伍分", 1001001n → "人民币壹万零壹拾元零壹分". "整" follows an amount ending at 元 or 角.
 */
export function chineseUppercase(fen: Fen): string {
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  const prefix = negative ? '人民币负' : '人民币';
  if (abs === 0n) return `${prefix}零元整`;
  const yuan = abs / 100n;
  const jiao = Number((abs / 10n) % 10n);
  const fenDigit = Number(abs % 10n);
  let out = yuan > 0n ? `${integerInWords(yuan)}元` : '';
  if (jiao > 0) out += `${DIGITS[jiao]}角`;
  else if (fenDigit > 0 && yuan > 0n) out += '零';
  if (fenDigit > 0) out += `${DIGITS[fenDigit]}分`;
  else out += '整';
  return prefix + out;
}
