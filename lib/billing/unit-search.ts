/**
 * Finding a unit at the counter: by building and room, or by `q` (a room, an owner's name or the
 * last four digits of a phone), in natural address order (1栋 < 2栋 < 10栋; 101 < 1001). The
 * unit-number guards (`ESTATE#{e}` / `UNITNO#…`) index every unit of an estate by its address and
 * carry the owner's name and phone tail, so a search is one query on the estate's partition (a
 * building's part of it when a building is given), never a scan; only the page's units are read,
 * at most 16 at a time.
 */
import { ValidationError } from '../errors.js';
import { naturalCompare } from '../natural-order.js';
import { key } from '../store/keys.js';
import { parseRecord, unitNoGuardRecordSchema } from '../store/records.js';
import type { Ctx } from './context.js';
import { getEstate } from './estates.js';
import type { Unit } from './records.js';
import { getUnit } from './units.js';

export interface UnitSearch {
  building?: string;
  room?: string;
  q?: string;
  limit: number;
  cursor?: string;
}

interface Address {
  building: string;
  entrance?: string;
  room: string;
}

const codeOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Natural order of addresses: 1栋 < 2栋 < 10栋, 101 < 1001. Two spellings the collation calls equal
 * (0101 and 101) are two units: they are told apart by their characters, or a cursor would skip one.
 */
export function compareAddress(a: Address, b: Address): number {
  return (
    naturalCompare(a.building, b.building) ||
    naturalCompare(a.entrance ?? '', b.entrance ?? '') ||
    naturalCompare(a.room, b.room) ||
    codeOrder(a.building, b.building) ||
    codeOrder(a.entrance ?? '', b.entrance ?? '') ||
    codeOrder(a.room, b.room)
  );
}

/** Full-width digits and letters typed on a Chinese keyboard read as their ASCII forms. */
const fold = (s: string) => s.normalize('NFKC').trim().toLowerCase();

/** Runs `fn` over `items` with at most `limit` calls in flight. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
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
const READS_IN_FLIGHT = 16;

interface Entry extends Address {
  unitId: string;
  ownerName?: string;
  phoneTail?: string;
}

const listKey = (q: UnitSearch) => JSON.stringify([q.building ?? null, q.room ?? null, q.q ?? null]);

/**
 * A cursor is the last address returned and the list it belongs to, shaped as a store key
 * ({PK, SK}) like every other list cursor of the API.
 */
function encodeCursor(q: UnitSearch, a: Address): string {
  return Buffer.from(
    JSON.stringify({ PK: listKey(q), SK: JSON.stringify([a.building, a.entrance ?? '', a.room]) }),
  ).toString('base64url');
}

function decodeCursor(value: string, q: UnitSearch): Address {
  try {
    const c = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Record<string, unknown>;
    const sk = typeof c['SK'] === 'string' ? (JSON.parse(c['SK']) as unknown) : undefined;
    if (
      c['PK'] === listKey(q) &&
      Array.isArray(sk) &&
      sk.length === 3 &&
      sk.every((x) => typeof x === 'string')
    ) {
      const [building, entrance, room] = sk as [string, string, string];
      return { building, room, ...(entrance ? { entrance } : {}) };
    }
  } catch {
    // reported below
  }
  throw ValidationError.of('cursor', 'INVALID_CURSOR', 'cursor is not one this list returned');
}

/**
 * Units of an estate, in natural address order. A room without a building is refused ("1801"
 * exists in every tower, and a guess would put money on the wrong home); `q` searches the estate.
 */
export async function searchUnits(
  ctx: Pick<Ctx, 'db'>,
  estateId: string,
  q: UnitSearch,
): Promise<{ items: Unit[]; nextCursor?: string }> {
  if (q.room !== undefined && q.building === undefined) {
    throw ValidationError.of('building', 'BUILDING_REQUIRED', 'give the building together with the room');
  }
  const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, q);
  await getEstate(ctx, estateId);
  // The trailing `#` keeps building 1栋 apart from 11栋.
  const prefix = q.building === undefined ? 'UNITNO#' : `UNITNO#${q.building}#`;
  const guards = await ctx.db.queryAll({
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
    ExpressionAttributeValues: { ':pk': key.estate(estateId).PK, ':sk': prefix },
  });
  const parsed = guards.map((g) => parseRecord(unitNoGuardRecordSchema, g, 'unit-number guard'));
  // Guards written before they carried the address are completed from their unit.
  const entries = await mapLimit(parsed, READS_IN_FLIGHT, async (g): Promise<Entry> => {
    if (g.building !== undefined && g.room !== undefined) {
      return { ...g, building: g.building, room: g.room };
    }
    const u = await getUnit(ctx, g.unitId);
    return {
      unitId: u.unitId,
      building: u.building,
      room: u.room,
      ...(u.entrance ? { entrance: u.entrance } : {}),
      ...(u.ownerName ? { ownerName: u.ownerName } : {}),
      ...(u.phone ? { phoneTail: u.phone.slice(-4) } : {}),
    };
  });
  const needle = q.q === undefined ? undefined : fold(q.q);
  const matches = (e: Entry) =>
    // Building names may hold `#` (1#楼 is common), so a prefix can also catch a neighbour's key.
    (q.building === undefined || e.building === q.building) &&
    (q.room === undefined || e.room === q.room) &&
    (needle === undefined ||
      needle === '' ||
      fold(e.room).includes(needle) ||
      (e.ownerName !== undefined && fold(e.ownerName).includes(needle)) ||
      (/^\d{4}$/.test(needle) && e.phoneTail === needle));
  const sorted = entries
    .filter(matches)
    .filter((e) => after === undefined || compareAddress(e, after) > 0)
    .sort(compareAddress);
  const page = sorted.slice(0, q.limit);
  const items = await mapLimit(page, READS_IN_FLIGHT, (e) => getUnit(ctx, e.unitId));
  const last = page.at(-1);
  const nextCursor = sorted.length > q.limit && last ? encodeCursor(q, last) : undefined;
  return { items, ...(nextCursor ? { nextCursor } : {}) };
}
