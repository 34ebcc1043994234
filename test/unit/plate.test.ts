// Plates (SPEC.md §4.2): the formats a residential gate meets, normalised before they are compared.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalisePlate } from '../../lib/billing/units.js';
import {
  canonicalPlate,
  PLATE_SUFFIXES,
  PROVINCES,
  parsePlate,
  plateFormat,
} from '../../lib/parking/plate.js';
import { expectValidation } from './expect-validation.js';

describe('the plate table', () => {
  it.each([
    ['粤B12345', '粤B12345', 'ordinary'],
    ['粤b·12345', '粤B12345', 'ordinary'],
    ['京A-1234 5', '京A12345', 'ordinary'],
    ['粤B123456', '粤B123456', 'new-energy'],
    ['粤BD12345', '粤BD12345', 'new-energy'],
    // Issue 17, item 4: seen at the gate every day, refused before.
    ['粤Z1234港', '粤Z1234港', 'ordinary'],
    ['京A1234警', '京A1234警', 'ordinary'],
    ['粤B1234学', '粤B1234学', 'ordinary'],
    ['沪A1234领', '沪A1234领', 'ordinary'],
    ['粤Z1234澳', '粤Z1234澳', 'ordinary'],
    ['粤B1234挂', '粤B1234挂', 'ordinary'],
    ['使123456', '使123456', 'embassy'],
    ['WJ粤12345', 'WJ粤12345', 'armed-police'],
    ['wj 粤 1234x', 'WJ粤1234X', 'armed-police'],
    // Full-width letters and digits, as a phone keyboard may send them.
    ['粤Ｂ１２３４５', '粤B12345', 'ordinary'],
  ])('accepts %s as %s (%s)', (raw, canonical, format) => {
    expect(parsePlate(raw)).toBe(canonical);
    expect(plateFormat(canonical)).toBe(format);
    expect(normalisePlate(raw)).toBe(canonical);
  });

  it.each([
    ['', 'empty'],
    ['not a plate', 'words'],
    ['粤B1234', 'too short'],
    ['粤B1234567', 'too long'],
    ['中A12345', 'not a province'],
    ['粤112345', 'no authority letter'],
    ['粤B123港4', 'special character not last'],
    ['粤B12345港', 'special character after five'],
    ['粤B12345学', 'special character on a new-energy plate'],
    ['粤B1234军', 'not a special character of §4.2'],
    ['使12345', 'embassy too short'],
    ['使A23456', 'embassy letters'],
    ['WJ12345', 'armed police without a province'],
    ['WJ粤1234', 'armed police too short'],
  ])('refuses %s (%s) with a 400 naming the field', (raw) => {
    expectValidation(() => parsePlate(raw, 'plates[0]'), 'plates[0]', 'INVALID_PLATE');
  });

  it('refuses a value that is not a string', () => {
    expectValidation(() => parsePlate(12345), 'plate', 'INVALID_PLATE');
  });
});

const alnum = fc.constantFrom(...'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789'.split(''));
const letter = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split(''));
const province = fc.constantFrom(...PROVINCES.split(''));
const suffix = fc.constantFrom(...PLATE_SUFFIXES.split(''));
const chars = (n: number) => fc.array(alnum, { minLength: n, maxLength: n }).map((a) => a.join(''));
const digits = (n: number) => fc.stringMatching(new RegExp(`^\\d{${n}}$`));

/** Every plate of every format of §4.2, in its canonical form. */
const validPlate = fc.oneof(
  fc.tuple(province, letter, chars(5)).map((p) => p.join('')),
  fc.tuple(province, letter, chars(4), suffix).map((p) => p.join('')),
  fc.tuple(province, letter, chars(6)).map((p) => p.join('')),
  digits(6).map((d) => `使${d}`),
  fc.tuple(province, chars(5)).map(([p, c]) => `WJ${p}${c}`),
);

/** How people and cameras write one plate: lower case, separators anywhere. */
const decorated = (plate: string) =>
  fc
    .tuple(
      fc.array(fc.constantFrom('', ' ', '-', '·', '.'), {
        minLength: plate.length + 1,
        maxLength: plate.length + 1,
      }),
      fc.boolean(),
    )
    .map(([seps, lower]) => {
      const body = [...plate].map((c, i) => `${seps[i]}${c}`).join('') + seps[plate.length];
      return lower ? body.toLowerCase() : body;
    });

describe('plate properties', () => {
  it('accepts every plate of every format, however it is written, as the same canonical plate', () => {
    fc.assert(
      fc.property(
        validPlate.chain((p) => fc.tuple(fc.constant(p), decorated(p))),
        ([plate, written]) => {
          expect(parsePlate(written)).toBe(plate);
          expect(plateFormat(plate)).toBeDefined();
        },
      ),
    );
  });

  it('normalising twice changes nothing, and whatever it accepts is canonical', () => {
    fc.assert(
      fc.property(fc.oneof(validPlate, fc.string({ maxLength: 12 })), (raw) => {
        let accepted: string | undefined;
        try {
          accepted = parsePlate(raw);
        } catch {
          expect(plateFormat(canonicalPlate(raw))).toBeUndefined();
          return;
        }
        expect(parsePlate(accepted)).toBe(accepted);
        expect(canonicalPlate(accepted)).toBe(accepted);
        expect(accepted).toMatch(/^(WJ|使)?[\p{Script=Han}A-Z0-9]{6,9}$/u);
      }),
    );
  });

  it('refuses a valid plate with one more character appended', () => {
    fc.assert(
      fc.property(validPlate, fc.constantFrom(...'0123456789'.split('')), (plate, extra) => {
        // A new-energy plate is an ordinary plate plus one: only those two formats may grow.
        const grown = `${plate}${extra}`;
        const format = plateFormat(plate);
        if (format === 'ordinary' && /[0-9A-Z]$/.test(plate)) expect(plateFormat(grown)).toBe('new-energy');
        else expect(plateFormat(grown)).toBeUndefined();
      }),
    );
  });
});
