/**
 * Validating roster rows (SPEC.md §8): every row, every column, each problem with the row number as
 * the spreadsheet shows it, the header as written, a code and a message in Chinese and English.
 * Values are compared later by value, not spelling, so everything is normalised here: areas and
 * money to plain decimals, dates to YYYY-MM-DD, plates to their canonical form.
 */
import { Temporal } from 'temporal-polyfill';
import { Dec, type Fen, MAX_MONEY_FEN, plain, roundToFen } from '../money.js';
import { canonicalPlate, plateFormat } from '../parking/plate.js';
import { UNIT_TYPE_NAMES, UNIT_TYPES, type UnitType } from '../tariffs/catalog.js';
import { addDays, type BizDate } from '../time.js';
import { REQUIRED_FIELDS, ROSTER_FIELDS, ROSTER_ZH, type RosterField } from './columns.js';
import type { Cell, ParsedSheet } from './parse.js';

export interface Problem {
  row: number;
  column: string;
  code: string;
  message: { zh: string; en: string };
  /** Warnings (an unknown column, a billed fact a re-import leaves alone) do not make a row invalid. */
  severity: 'error' | 'warning';
}

export type SpaceKind = 'OWNED' | 'USE_RIGHT';

/** A valid row, normalised. */
export interface RosterRow {
  row: number;
  building: string;
  entrance?: string;
  room: string;
  unitType: UnitType;
  area: string;
  deliveryDate: BizDate;
  /** Last covered day, inclusive. */
  paidThrough?: BizDate;
  openingArrears?: Fen;
  ownerName?: string;
  /** Digits as given, or only the last four when the file holds a masked phone (`*******1234`). */
  phone?: { full: string } | { tail: string };
  spaceNos: string[];
  spaceKind?: SpaceKind;
  spacePaidThrough?: BizDate;
  plates: string[];
}

/** The key a unit is known by: building, entrance and room (SPEC.md §8). */
export const unitKeyOf = (r: { building: string; entrance?: string; room: string }) =>
  JSON.stringify([r.building, r.entrance ?? '', r.room]);

const UNIT_TYPE_BY_NAME = new Map<string, UnitType>(
  UNIT_TYPES.flatMap((t) => [
    [t, t],
    [UNIT_TYPE_NAMES[t], t],
  ]),
);
const SPACE_KINDS = new Map<string, SpaceKind>([
  ['OWNED', 'OWNED'],
  ['USE_RIGHT', 'USE_RIGHT'],
  ['产权', 'OWNED'],
  ['私家产权', 'OWNED'],
  ['使用权', 'USE_RIGHT'],
]);

const DATE_RE = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/;
const DECIMAL_RE = /^\d+(\.\d+)?$/;

class CellError extends Error {
  constructor(
    readonly code: string,
    readonly zh: string,
    readonly en: string,
  ) {
    super(en);
  }
}

const textOf = (c: Cell): string => ('text' in c ? c.text.normalize('NFKC').trim() : c.date);

function dateOf(c: Cell): BizDate {
  if ('date' in c) return c.date;
  const m = DATE_RE.exec(textOf(c));
  if (m) {
    try {
      return Temporal.PlainDate.from(
        { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) },
        { overflow: 'reject' },
      ).toString();
    } catch {
      // not a calendar date: reported below
    }
  }
  throw new CellError(
    'INVALID_DATE',
    `日期"${textOf(c)}"无效，请写成 2026-05-31 或 2026/5/31`,
    `"${textOf(c)}" is not a date; write 2026-05-31 or 2026/5/31`,
  );
}

function decimalOf(c: Cell, max: number, code: string, what: { zh: string; en: string }): Dec {
  const t = textOf(c).replace(/,/g, '');
  if (!DECIMAL_RE.test(t)) {
    throw new CellError(code, `${what.zh}"${t}"不是数字`, `${what.en} "${t}" is not a number`);
  }
  const d = new Dec(t);
  if (d.decimalPlaces() > max) {
    throw new CellError(code, `${what.zh}最多 ${max} 位小数`, `${what.en} has more than ${max} decimals`);
  }
  return d;
}

const list = (c: Cell | undefined) =>
  c === undefined
    ? []
    : textOf(c)
        .split(/[;；,，、\s]+/)
        .map((s) => s.trim())
        .filter(Boolean);

/** Entrance and room become part of the unit's key after the building: they must not hold its separator. */
function keyText(c: Cell, max: number, noHash = false): string {
  const t = textOf(c);
  if (noHash && t.includes('#')) throw new CellError('INVALID_TEXT', '不能含 #', 'must not contain #');
  if (t.length > max) throw new CellError('TOO_LONG', `最多 ${max} 个字`, `at most ${max} characters`);
  return t;
}

export function problem(
  row: number,
  column: string,
  code: string,
  zh: string,
  en: string,
  severity: Problem['severity'] = 'error',
): Problem {
  return { row, column, code, message: { zh, en }, severity };
}

/** Problems of the header row: unknown columns (warnings), repeated and missing ones (errors). */
export function headerProblems(sheet: ParsedSheet): Problem[] {
  const out: Problem[] = [];
  const seen = new Set<RosterField>();
  for (const h of sheet.headers) {
    if (!h.text) continue;
    if (!h.field) {
      out.push(
        problem(
          1,
          h.text,
          'UNKNOWN_COLUMN',
          `未知的列"${h.text}"，导入时不读取`,
          `unknown column "${h.text}" is not imported`,
          'warning',
        ),
      );
    } else if (seen.has(h.field)) {
      out.push(
        problem(1, h.text, 'DUPLICATE_COLUMN', `列"${h.text}"重复`, `column "${h.text}" appears twice`),
      );
    } else {
      seen.add(h.field);
    }
  }
  for (const f of REQUIRED_FIELDS) {
    if (!seen.has(f)) {
      out.push(
        problem(
          1,
          ROSTER_ZH[f],
          'MISSING_COLUMN',
          `缺少必填列"${ROSTER_ZH[f]}"（或 ${f}）`,
          `required column "${f}" (${ROSTER_ZH[f]}) is missing`,
        ),
      );
    }
  }
  return out;
}

/** Validates one data row; `header(f)` is the column's header as written. */
export function validateRow(
  row: number,
  cells: Partial<Record<RosterField, Cell>>,
  header: (f: RosterField) => string,
): { value?: RosterRow; problems: Problem[] } {
  const problems: Problem[] = [];
  const out: Partial<RosterRow> = { row, spaceNos: [], plates: [] };
  const read = <T>(f: RosterField, fn: (c: Cell) => T): T | undefined => {
    const c = cells[f];
    if (c === undefined) {
      if (REQUIRED_FIELDS.includes(f)) {
        problems.push(
          problem(row, header(f), 'REQUIRED', `"${header(f)}"必填`, `"${header(f)}" is required`),
        );
      }
      return undefined;
    }
    try {
      return fn(c);
    } catch (e) {
      if (!(e instanceof CellError)) throw e;
      problems.push(problem(row, header(f), e.code, e.zh, e.en));
      return undefined;
    }
  };
  out.building = read('building', (c) => keyText(c, 20));
  out.entrance = read('entrance', (c) => keyText(c, 20, true));
  out.room = read('room', (c) => keyText(c, 20, true));
  out.unitType = read('unitType', (c) => {
    const t = UNIT_TYPE_BY_NAME.get(textOf(c)) ?? UNIT_TYPE_BY_NAME.get(textOf(c).toUpperCase());
    if (!t) {
      throw new CellError(
        'INVALID_UNIT_TYPE',
        `类型"${textOf(c)}"无效，可填：${UNIT_TYPES.map((u) => UNIT_TYPE_NAMES[u]).join('、')}`,
        `unit type "${textOf(c)}" is not one of ${UNIT_TYPES.join(', ')}`,
      );
    }
    return t;
  });
  out.area = read('area', (c) => {
    const a = decimalOf(c, 2, 'INVALID_AREA', { zh: '面积', en: 'area' });
    if (a.lte(0) || a.gt(100000)) {
      throw new CellError(
        'INVALID_AREA',
        '面积须大于 0 且不超过 100000',
        'area must be above 0 and at most 100000',
      );
    }
    return plain(a);
  });
  out.deliveryDate = read('deliveryDate', dateOf);
  out.paidThrough = read('paidThrough', dateOf);
  out.openingArrears = read('openingArrears', (c) => {
    const fen = roundToFen(
      decimalOf(c, 2, 'INVALID_MONEY', { zh: ROSTER_ZH.openingArrears, en: 'opening arrears' }),
    );
    // The API's limit for any amount: beyond it the invoice could not be stored or written in 大写.
    if (fen > MAX_MONEY_FEN) {
      throw new CellError(
        'INVALID_MONEY',
        `${ROSTER_ZH.openingArrears}金额过大，请核对该列`,
        'opening arrears is implausibly large; check the column',
      );
    }
    return fen;
  });
  out.ownerName = read('ownerName', (c) => keyText(c, 50));
  out.phone = read('phone', (c) => {
    const t = textOf(c).replace(/[\s\-()+]/g, '');
    const masked = /^\*+(\d{4})$/.exec(t);
    if (masked) return { tail: masked[1]! };
    if (!/^\d{5,20}$/.test(t)) {
      throw new CellError(
        'INVALID_PHONE',
        `电话"${textOf(c)}"无效`,
        `phone "${textOf(c)}" is not a phone number`,
      );
    }
    return { full: t };
  });
  out.spaceNos = read('spaceNos', (c) => list(c).map((s) => s.slice(0, 30))) ?? [];
  out.spaceKind = read('spaceKind', (c) => {
    const k = SPACE_KINDS.get(textOf(c).toUpperCase()) ?? SPACE_KINDS.get(textOf(c));
    if (!k) {
      throw new CellError(
        'INVALID_SPACE_KIND',
        `车位类型"${textOf(c)}"无效，可填：产权、使用权`,
        `space kind "${textOf(c)}" is not OWNED or USE_RIGHT`,
      );
    }
    return k;
  });
  out.spacePaidThrough = read('spacePaidThrough', dateOf);
  // A plate written twice (粤B12345;粤b12345) is one car: kept once, as the commit writes one marker per plate.
  out.plates = [
    ...new Set(
      read('plates', (c) =>
        list(c).map((p) => {
          const plate = canonicalPlate(p);
          if (!plateFormat(plate)) {
            throw new CellError('INVALID_PLATE', `车牌"${p}"格式不对`, `"${p}" is not a Chinese plate`);
          }
          return plate;
        }),
      ) ?? [],
    ),
  ];
  rowRules(out, header, problems);
  if (problems.length > 0) return { problems };
  return { value: compactRow(out as RosterRow), problems };
}

function rowRules(r: Partial<RosterRow>, header: (f: RosterField) => string, problems: Problem[]) {
  const row = r.row!;
  if (r.deliveryDate && r.paidThrough && r.paidThrough < r.deliveryDate) {
    problems.push(
      problem(
        row,
        header('paidThrough'),
        'PAID_THROUGH_BEFORE_DELIVERY',
        `已缴至 ${r.paidThrough} 早于交付日期 ${r.deliveryDate}`,
        `paid through ${r.paidThrough} is before the delivery date ${r.deliveryDate}`,
      ),
    );
  }
  const spaces = r.spaceNos ?? [];
  if (spaces.length > 0 && !r.spaceKind && !problems.some((p) => p.column === header('spaceKind'))) {
    problems.push(
      problem(row, header('spaceKind'), 'REQUIRED', '有车位时"车位类型"必填', 'a space needs its kind'),
    );
  }
  if (spaces.length === 0) {
    for (const f of ['spaceKind', 'spacePaidThrough', 'plates'] as const) {
      const v = r[f];
      if (v !== undefined && !(Array.isArray(v) && v.length === 0)) {
        problems.push(
          problem(
            row,
            header(f),
            'NO_SPACE',
            `没有车位，不能填"${header(f)}"`,
            `"${header(f)}" needs a space`,
          ),
        );
      }
    }
  }
  if (new Set(spaces).size !== spaces.length) {
    problems.push(
      problem(row, header('spaceNos'), 'DUPLICATE_SPACE', '车位号重复', 'a space is listed twice'),
    );
  }
}

function compactRow(r: RosterRow): RosterRow {
  return Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as unknown as RosterRow;
}

/** The opening anchor a row sets: the day after 已缴至 (SPEC.md §8). */
export const anchorOf = (r: Pick<RosterRow, 'paidThrough'>) =>
  r.paidThrough ? addDays(r.paidThrough, 1) : undefined;

/** Header as written for each field, falling back to the Chinese header when the file has no such column. */
export function headerLookup(sheet: ParsedSheet): (f: RosterField) => string {
  const m = new Map<RosterField, string>();
  for (const h of sheet.headers) if (h.field && !m.has(h.field)) m.set(h.field, h.text);
  return (f) => m.get(f) ?? ROSTER_ZH[f];
}

export { ROSTER_FIELDS };
