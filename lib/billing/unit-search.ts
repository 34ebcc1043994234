/**
 * Finding a unit by building and room at the counter. The unit-number guards
 * (`ESTATE#{e}` / `UNITNO#{building}#{room}`) already index every unit of an estate by its printed
 * address, so a search is one query on the estate's partition, never a scan.
 */
import { ValidationError } from '../errors.js';
import { cursor } from '../store/db.js';
import { key } from '../store/keys.js';
import { parseRecord, unitNoGuardRecordSchema } from '../store/records.js';
import type { Ctx } from './context.js';
import { getEstate } from './estates.js';
import type { Unit } from './records.js';
import { getUnit } from './units.js';

export interface UnitSearch {
  building?: string;
  room?: string;
  limit: number;
  cursor?: string;
}

/**
 * Units of an estate: one building and room (exact), every unit of a building, or every unit of the
 * estate, in building/room order. A room without a building is refused: "1801" exists in every
 * tower, and a guess would put money on the wrong home.
 */
export async function searchUnits(
  ctx: Pick<Ctx, 'db'>,
  estateId: string,
  q: UnitSearch,
): Promise<{ items: Unit[]; nextCursor?: string }> {
  if (q.room !== undefined && q.building === undefined) {
    throw ValidationError.of('building', 'BUILDING_REQUIRED', 'give the building together with the room');
  }
  await getEstate(ctx, estateId);
  const pk = key.estate(estateId).PK;
  // The trailing `#` keeps building 1栋 apart from 11栋; an exact room is its full guard key.
  const prefix =
    q.building === undefined
      ? 'UNITNO#'
      : q.room === undefined
        ? `UNITNO#${q.building}#`
        : key.unitNoGuard(estateId, q.building, q.room).SK;
  const start = cursor.decode(q.cursor, { PK: pk });
  // A start key outside the searched range is a client's doing: DynamoDB would answer it with an
  // error of its own, which must not surface as a 500.
  if (start && (Object.keys(start).length !== 2 || !String(start['SK']).startsWith(prefix))) {
    throw ValidationError.of('cursor', 'INVALID_CURSOR', 'cursor is not one this list returned');
  }
  const page = await ctx.db.query({
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
    ExpressionAttributeValues: { ':pk': pk, ':sk': prefix },
    Limit: q.limit,
    ...(start ? { ExclusiveStartKey: start } : {}),
  });
  const units = await Promise.all(
    page.items.map((g) => getUnit(ctx, parseRecord(unitNoGuardRecordSchema, g, 'unit-number guard').unitId)),
  );
  // Building names may hold `#` (1#楼 is common), so a prefix can also catch a neighbour's key:
  // the unit's own fields decide.
  const items = units.filter(
    (u) =>
      (q.building === undefined || u.building === q.building) && (q.room === undefined || u.room === q.room),
  );
  const next = cursor.encode(page.lastKey);
  return { items, ...(next ? { nextCursor: next } : {}) };
}
