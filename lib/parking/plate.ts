/**
 * Chinese number plates as a residential gate meets them (SPEC.md §4.2, after GA 36). Pure: the
 * gate, the counter and space registration all call `plateProblem` through `normalisePlate`.
 * Deliberately permissive inside each format (every serial letter is allowed, I and O included):
 * a camera misreading is the gate's concern, and a gate must never stop a car it sees every day.
 */

import { ValidationError } from '../errors.js';

/** The 31 province-level abbreviations that open a civil plate (and follow WJ on an armed-police plate). */
export const PROVINCES = '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼';
/** The special last characters: 学 coach, 警 police, 港/澳 cross-border, 挂 trailer, 领 consulate, 试 test, 超 oversize. */
export const PLATE_SUFFIXES = '学警港澳挂领试超';

const P = `[${PROVINCES}]`;
const FORMATS: readonly { name: string; re: RegExp }[] = [
  // Province + issuing-authority letter + 5 letters/digits; the last may be a special character.
  { name: 'ordinary', re: new RegExp(`^${P}[A-Z][A-Z0-9]{4}[A-Z0-9${PLATE_SUFFIXES}]$`) },
  // New-energy vehicles (green plates): 6 letters/digits after the authority letter.
  { name: 'new-energy', re: new RegExp(`^${P}[A-Z][A-Z0-9]{6}$`) },
  // Embassy plates.
  { name: 'embassy', re: /^使\d{6}$/ },
  // Armed police: WJ, the province, 5 letters/digits.
  { name: 'armed-police', re: new RegExp(`^WJ${P}[A-Z0-9]{5}$`) },
];

/** What the gate and the counter store: NFKC (full-width letters and digits), upper case, no spaces, dots, dashes or middle dots. */
export function canonicalPlate(raw: string): string {
  return raw
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s.\-·•]/g, '');
}

/** The plate format a canonical plate matches, or undefined. */
export function plateFormat(plate: string): string | undefined {
  return FORMATS.find((f) => f.re.test(plate))?.name;
}

/** The canonical plate, or a 400 naming `field` when it fits none of the formats. */
export function parsePlate(value: unknown, field = 'plate'): string {
  if (typeof value !== 'string')
    throw ValidationError.of(field, 'INVALID_PLATE', `${field} must be a string`);
  const plate = canonicalPlate(value);
  if (!plateFormat(plate)) {
    throw ValidationError.of(
      field,
      'INVALID_PLATE',
      `${field} "${value}" is not a Chinese plate (e.g. 粤B12345, 粤B123456D, 粤Z1234港, 使123456, WJ粤12345)`,
    );
  }
  return plate;
}
