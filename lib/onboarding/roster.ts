/**
 * The roster of an estate in the import layout (SPEC.md §8), so export → import changes nothing.
 * 已缴至 and 车位已缴至 are the opening facts the import recorded (the day before the billing anchor
 * and before the space's first billable day), not today's paid-through date: the file states what
 * the estate was brought in with. Phones are masked to the last four digits unless an admin asks
 * for the full roster, which is audited.
 */
import { auditItem, type Ctx } from '../billing/context.js';
import { getEstate } from '../billing/estates.js';
import type { Space, Unit } from '../billing/records.js';
import { compareAddress } from '../billing/unit-search.js';
import { getUnit, listSpaces } from '../billing/units.js';
import type { Column } from '../exports/table.js';
import { formatFen } from '../money.js';
import { naturalCompare } from '../natural-order.js';
import { key } from '../store/keys.js';
import { parseRecord, unitNoGuardRecordSchema } from '../store/records.js';
import { UNIT_TYPE_NAMES } from '../tariffs/catalog.js';
import { addDays } from '../time.js';
import { ROSTER_FIELDS, ROSTER_ZH, type RosterField } from './columns.js';
import { mapLimit, maskPhone } from './plan.js';

export interface RosterEntry {
  unit: Unit;
  spaces: Space[];
  full: boolean;
}

const dayBefore = (d: string | undefined) => (d ? addDays(d, -1) : undefined);

const VALUE: Record<RosterField, (e: RosterEntry) => string | bigint | undefined> = {
  building: (e) => e.unit.building,
  entrance: (e) => e.unit.entrance,
  room: (e) => e.unit.room,
  unitType: (e) => UNIT_TYPE_NAMES[e.unit.unitType],
  area: (e) => e.unit.area,
  deliveryDate: (e) => e.unit.deliveryDate,
  paidThrough: (e) => dayBefore(e.unit.billingAnchor),
  openingArrears: (e) => e.unit.openingArrears,
  ownerName: (e) => e.unit.ownerName,
  phone: (e) => (e.unit.phone && !e.full ? maskPhone(e.unit.phone) : e.unit.phone),
  spaceNos: (e) => e.spaces.map((s) => s.spaceNo).join(';') || undefined,
  spaceKind: (e) => (e.spaces[0] ? (e.spaces[0].kind === 'OWNED' ? '产权' : '使用权') : undefined),
  spacePaidThrough: (e) => dayBefore(e.spaces[0]?.billFrom),
  plates: (e) => [...new Set(e.spaces.flatMap((s) => s.plates))].join(';') || undefined,
};

const KIND: Partial<Record<RosterField, Column<RosterEntry>['kind']>> = {
  deliveryDate: 'date',
  paidThrough: 'date',
  spacePaidThrough: 'date',
  openingArrears: 'money',
};

export const ROSTER_COLUMNS: Column<RosterEntry>[] = ROSTER_FIELDS.map((f) => ({
  key: f,
  zh: ROSTER_ZH[f],
  kind: KIND[f] ?? 'text',
  value: VALUE[f],
}));

/** Every unit of the estate with its spaces, in natural address order; reads are bounded. */
export async function readRoster(ctx: Ctx, estateId: string, full: boolean): Promise<RosterEntry[]> {
  await getEstate(ctx, estateId);
  const guards = await ctx.db.queryAll({
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
    ExpressionAttributeValues: { ':pk': key.estate(estateId).PK, ':sk': 'UNITNO#' },
  });
  const ids = guards.map((g) => parseRecord(unitNoGuardRecordSchema, g, 'unit-number guard').unitId);
  const entries = await mapLimit(ids, 16, async (id) => {
    const [unit, spaces] = await Promise.all([getUnit(ctx, id), listSpaces(ctx, id)]);
    return { unit, spaces: spaces.sort((a, b) => naturalCompare(a.spaceNo, b.spaceNo)), full };
  });
  if (full) {
    // Personal data left the office unmasked: who and when (SPEC.md §8).
    await ctx.db.transact([
      auditItem(ctx, ctx.now(), {
        estateId,
        action: 'ROSTER_EXPORTED_FULL',
        document: estateId,
        details: { units: entries.length },
      }),
    ]);
  }
  return entries.sort((a, b) => compareAddress(a.unit, b.unit));
}

/** The JSON form of a roster row: the import layout's English headers as fields. */
export function rosterJson(e: RosterEntry): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of ROSTER_COLUMNS) {
    const v = c.value(e);
    if (v === undefined || v === null) continue;
    out[c.key] = typeof v === 'bigint' ? formatFen(v) : String(v);
  }
  return out;
}
