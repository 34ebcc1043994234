/**
 * What a commit would do with each row (SPEC.md §8): create the unit, update its descriptive fields
 * (owner, phone, plates), or leave it alone. Billed facts (type, area, dates, opening arrears,
 * spaces) of a unit that exists are never changed by an import; a row that differs there is
 * reported with a warning naming the fields left alone. "Unchanged" compares values, not spellings.
 */

import { addressOf } from '../address.js';
import type { Ctx } from '../billing/context.js';
import { getEstate } from '../billing/estates.js';
import type { Space, Unit } from '../billing/records.js';
import { getUnit, listSpaces } from '../billing/units.js';
import { Dec } from '../money.js';
import { key } from '../store/keys.js';
import { addDays } from '../time.js';
import type { RosterField } from './columns.js';
import { CHUNK_ITEMS } from './commit.js';
import type { ParsedSheet } from './parse.js';
import { rowWeight } from './unit-items.js';
import {
  anchorOf,
  headerLookup,
  headerProblems,
  type Problem,
  problem,
  type RosterRow,
  unitKeyOf,
  validateRow,
} from './validate.js';

export type RowAction = 'create' | 'update' | 'unchanged' | 'invalid';

export interface PlannedRow {
  row: number;
  action: RowAction;
  value?: RosterRow;
  /** The unit a row updates or leaves alone. */
  existing?: { unit: Unit; spaces: Space[] };
  /** Descriptive fields an update changes. */
  changes?: RosterField[];
  /** Billed facts the file states differently and the import leaves alone. */
  ignored?: RosterField[];
}

export interface Counts {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  invalid: number;
}

export interface Plan {
  rows: PlannedRow[];
  problems: Problem[];
  counts: Counts;
  /** Columns the file has: a blank cell in one of them clears a descriptive field; a missing column keeps it. */
  present: ReadonlySet<RosterField>;
}

/** Runs `fn` over `items` with at most `limit` calls in flight (a 20,000-row file must not open 20,000 reads). */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (t: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

const READ_CONCURRENCY = 16;

export const maskPhone = (phone: string) => `${'*'.repeat(Math.max(0, phone.length - 4))}${phone.slice(-4)}`;

export async function planImport(ctx: Pick<Ctx, 'db'>, estateId: string, sheet: ParsedSheet): Promise<Plan> {
  await getEstate(ctx, estateId);
  const header = headerLookup(sheet);
  const present = new Set(sheet.headers.flatMap((h) => (h.field ? [h.field] : [])));
  const problems = headerProblems(sheet);
  const rows: PlannedRow[] = [];
  const byKey = new Map<string, number>();
  const spaceRow = new Map<string, number>();
  for (const r of sheet.rows) {
    const v = validateRow(r.row, r.cells, header);
    problems.push(...v.problems);
    const value = v.value;
    if (!value) {
      rows.push({ row: r.row, action: 'invalid' });
      continue;
    }
    const k = unitKeyOf(value);
    const first = byKey.get(k);
    let bad = false;
    if (first !== undefined) {
      problems.push(
        problem(
          r.row,
          header('room'),
          'DUPLICATE_UNIT',
          `${addressOf(value)} 与第 ${first} 行重复`,
          `${addressOf(value)} repeats row ${first}`,
        ),
      );
      bad = true;
    } else byKey.set(k, r.row);
    for (const s of value.spaceNos) {
      const other = spaceRow.get(s);
      if (other !== undefined) {
        problems.push(
          problem(
            r.row,
            header('spaceNos'),
            'DUPLICATE_SPACE',
            `车位 ${s} 与第 ${other} 行重复`,
            `space ${s} repeats row ${other}`,
          ),
        );
        bad = true;
      } else spaceRow.set(s, r.row);
    }
    rows.push(bad ? { row: r.row, action: 'invalid' } : { row: r.row, action: 'create', value });
  }
  await compareWithStore(ctx, estateId, rows, problems, header, present);
  // A row is written by one transaction with its chunk: one whose items do not fit could never commit.
  for (const r of rows) {
    if ((r.action !== 'create' && r.action !== 'update') || !r.value) continue;
    if (rowWeight(r.value, r.action) <= CHUNK_ITEMS) continue;
    problems.push(
      problem(
        r.row,
        header('spaceNos'),
        'TOO_MANY_SPACES',
        `车位和车牌太多：一行最多写入 ${CHUNK_ITEMS} 项（房屋 2 项，每个车位 2 项，每个车牌 1 项），其余请在前台登记`,
        `too many spaces and plates: a row writes at most ${CHUNK_ITEMS} items (2 for the unit, 2 per space, 1 per plate); register the rest at the counter`,
      ),
    );
  }
  // A problem on a row makes it invalid unless it is only a warning.
  const invalidRows = new Set(problems.filter((p) => p.severity === 'error' && p.row > 1).map((p) => p.row));
  for (const r of rows) if (invalidRows.has(r.row) && r.action !== 'invalid') r.action = 'invalid';
  // A header error (a missing required column) leaves no row valid.
  if (problems.some((p) => p.row === 1 && p.severity === 'error')) {
    for (const r of rows) r.action = 'invalid';
  }
  problems.sort((a, b) => a.row - b.row);
  const count = (a: RowAction) => rows.filter((r) => r.action === a).length;
  return {
    rows,
    problems,
    present,
    counts: {
      rows: rows.length,
      created: count('create'),
      updated: count('update'),
      unchanged: count('unchanged'),
      invalid: count('invalid'),
    },
  };
}

async function compareWithStore(
  ctx: Pick<Ctx, 'db'>,
  estateId: string,
  rows: PlannedRow[],
  problems: Problem[],
  header: (f: RosterField) => string,
  present: ReadonlySet<RosterField>,
) {
  const pk = key.estate(estateId).PK;
  const [guards, spaceGuards] = await Promise.all(
    ['UNITNO#', 'SPACENO#'].map((sk) =>
      ctx.db.queryAll({
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
        ExpressionAttributeValues: { ':pk': pk, ':sk': sk },
        ProjectionExpression: 'SK, unitId',
      }),
    ),
  );
  const unitOfGuard = new Map(guards!.map((g) => [String(g['SK']), String(g['unitId'])]));
  const unitOfSpace = new Map(
    spaceGuards!.map((g) => [String(g['SK']).slice('SPACENO#'.length), String(g['unitId'])]),
  );
  const candidates = rows.filter((r) => r.value);
  await mapLimit(candidates, READ_CONCURRENCY, async (r) => {
    const v = r.value!;
    const unitId = unitOfGuard.get(key.unitNoGuard(estateId, v.building, v.room, v.entrance).SK);
    if (unitId) {
      const [unit, spaces] = await Promise.all([getUnit(ctx, unitId), listSpaces(ctx, unitId)]);
      r.existing = { unit, spaces };
    }
    for (const s of v.spaceNos) {
      const holder = unitOfSpace.get(s);
      if (holder && holder !== unitId) {
        problems.push(
          problem(
            r.row,
            header('spaceNos'),
            'SPACE_TAKEN',
            `车位 ${s} 已登记在其他房屋`,
            `space ${s} is registered to another unit`,
          ),
        );
      }
    }
  });
  for (const r of candidates) {
    if (!r.existing) continue;
    const { ignored, changes, notes } = compareRow(r.value!, r.existing, present);
    r.action = changes.length > 0 ? 'update' : 'unchanged';
    if (changes.length) r.changes = changes;
    if (ignored.length) {
      r.ignored = ignored;
      problems.push(
        problem(
          r.row,
          header(ignored[0]!),
          'BILLED_FACT_KEPT',
          `房屋已存在，计费信息不因导入改变：${ignored.map((f) => header(f)).join('、')}`,
          `the unit exists; the import does not change its billed facts: ${ignored.join(', ')}`,
          'warning',
        ),
      );
    }
    for (const n of notes) problems.push({ ...n, column: header(n.column as RosterField) });
  }
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && new Set([...a, ...b]).size === new Set(a).size;

/** Which billed facts differ (left alone) and which descriptive fields change. */
export function compareRow(
  v: RosterRow,
  e: { unit: Unit; spaces: Space[] },
  present: ReadonlySet<RosterField>,
): { ignored: RosterField[]; changes: RosterField[]; notes: Problem[] } {
  const u = e.unit;
  const ignored: RosterField[] = [];
  if (v.unitType !== u.unitType) ignored.push('unitType');
  if (!new Dec(v.area).eq(new Dec(u.area))) ignored.push('area');
  if (v.deliveryDate !== u.deliveryDate) ignored.push('deliveryDate');
  if (anchorOf(v) !== u.billingAnchor) ignored.push('paidThrough');
  if ((v.openingArrears ?? 0n) !== (u.openingArrears ?? 0n)) ignored.push('openingArrears');
  const storedSpaces = e.spaces.map((s) => s.spaceNo);
  if (!sameSet(v.spaceNos, storedSpaces)) ignored.push('spaceNos');
  else if (e.spaces.length > 0) {
    if (e.spaces.some((s) => s.kind !== v.spaceKind)) ignored.push('spaceKind');
    const billFrom = v.spacePaidThrough ? addDays(v.spacePaidThrough, 1) : undefined;
    if (e.spaces.some((s) => s.billFrom !== billFrom)) ignored.push('spacePaidThrough');
  }
  const changes: RosterField[] = [];
  const notes: Problem[] = [];
  if (present.has('ownerName') && (v.ownerName ?? undefined) !== u.ownerName) changes.push('ownerName');
  if (present.has('phone')) {
    if (v.phone && 'tail' in v.phone) {
      // A masked phone from the roster export: equal when the last four digits agree.
      if (!u.phone?.endsWith(v.phone.tail)) {
        notes.push(
          problem(
            v.row,
            'phone',
            'PHONE_MASKED',
            '电话被遮盖，无法替换已存号码；请填写完整号码',
            'a masked phone cannot replace the stored number; give the full number',
            'warning',
          ),
        );
      }
    } else if ((v.phone?.full ?? undefined) !== u.phone) changes.push('phone');
  }
  if (present.has('plates') && e.spaces.length > 0 && sameSet(v.spaceNos, storedSpaces)) {
    const stored = new Set(e.spaces.flatMap((s) => s.plates));
    if (v.plates.some((p) => !stored.has(p))) changes.push('plates');
    const dropped = [...stored].filter((p) => !v.plates.includes(p));
    if (dropped.length > 0) {
      notes.push(
        problem(
          v.row,
          'plates',
          'PLATE_KEPT',
          `导入不注销车牌：${dropped.join('、')} 仍登记在该房屋的车位上`,
          `an import does not deregister plates: ${dropped.join(', ')} stay registered`,
          'warning',
        ),
      );
    }
  }
  return { ignored, changes, notes };
}
