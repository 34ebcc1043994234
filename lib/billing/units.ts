/** Units (房屋) and their owned or use-right parking spaces. */
import { ConflictError, NotFoundError } from '../errors.js';
import { parseArea, plain } from '../money.js';
import { parsePlate } from '../parking/plate.js';
import { TransactionCancelled } from '../store/db.js';
import { documentNumber, key, SERIES } from '../store/keys.js';
import { transactWithNumbers } from '../store/numbering.js';
import { parseRecord, spaceRecordSchema } from '../store/records.js';
import type { UnitType } from '../tariffs/catalog.js';
import { formatInstant, parseBizDate } from '../time.js';
import { auditItem, type Ctx } from './context.js';
import { getEstate } from './estates.js';
import { type Space, type SpaceKind, type Unit, unitFromItem } from './records.js';

export interface NewUnit {
  building: string;
  room: string;
  unitType: UnitType;
  area: string;
  deliveryDate: string;
  ownerIds: string[];
  occupantName?: string;
}

export async function createUnit(ctx: Ctx, estateId: string, input: NewUnit): Promise<Unit> {
  await getEstate(ctx, estateId);
  const area = plain(parseArea(input.area, 'area'));
  const deliveryDate = parseBizDate(input.deliveryDate, 'deliveryDate');
  const at = ctx.now();
  let unit: Unit | undefined;
  try {
    await transactWithNumbers(ctx.db, [{ estateId, series: SERIES.unit, year: 'ALL' }], async ([n]) => {
      const unitId = documentNumber(SERIES.unit, estateId, 0, n!);
      unit = {
        unitId,
        estateId,
        building: input.building,
        room: input.room,
        unitType: input.unitType,
        area,
        deliveryDate,
        ownerIds: input.ownerIds,
        createdAt: formatInstant(at),
        ...(input.occupantName ? { occupantName: input.occupantName } : {}),
      };
      return {
        items: [
          {
            Put: {
              Item: { ...key.unitNoGuard(estateId, input.building, input.room), type: 'UNITNO', unitId },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          {
            Put: {
              Item: { ...key.unit(unitId), type: 'UNIT', ...unit },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          auditItem(ctx, at, { estateId, action: 'UNIT_CREATED', document: unitId }),
        ],
      };
    });
  } catch (e) {
    if (e instanceof TransactionCancelled && e.failedAt(0)) {
      throw new ConflictError('UNIT_EXISTS', `building ${input.building} room ${input.room} already exists`);
    }
    throw e;
  }
  return unit!;
}

export async function getUnit(ctx: Pick<Ctx, 'db'>, unitId: string): Promise<Unit> {
  const item = await ctx.db.get(key.unit(unitId));
  if (!item) throw new NotFoundError('UNIT_NOT_FOUND', `unit ${unitId} does not exist`);
  return unitFromItem(item);
}

export async function listSpaces(ctx: Pick<Ctx, 'db'>, unitId: string): Promise<Space[]> {
  const items = await ctx.db.queryAll({
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
    ExpressionAttributeValues: { ':pk': key.unit(unitId).PK, ':sk': 'SPACE#' },
  });
  return items.map((i) => {
    const { plates, ...space } = parseRecord(spaceRecordSchema, i, 'space');
    return { ...space, plates: plates ?? [] };
  });
}

/** Upper-cases and drops spaces, dots and dashes, then validates (SPEC.md §4.2). */
export const normalisePlate = parsePlate;

export async function registerSpace(
  ctx: Ctx,
  unitId: string,
  input: { spaceNo: string; kind: SpaceKind; plates: string[] },
): Promise<Space> {
  const unit = await getUnit(ctx, unitId);
  const plates = [...new Set(input.plates.map((p, i) => normalisePlate(p, `plates[${i}]`)))];
  const space: Space = { unitId, estateId: unit.estateId, spaceNo: input.spaceNo, kind: input.kind, plates };
  const at = ctx.now();
  try {
    await ctx.db.transact([
      {
        Put: {
          Item: { ...key.spaceNoGuard(unit.estateId, input.spaceNo), type: 'SPACENO', unitId },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      {
        Put: {
          Item: { ...key.space(unitId, input.spaceNo), type: 'SPACE', ...space },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      ...plates.map((plate) => ({
        Put: {
          // A registered plate parks free in the estate (SPEC.md §4.2); the gate looks it up by plate.
          Item: {
            PK: `ESTATE#${unit.estateId}`,
            SK: `FREEPLATE#${plate}#SPACE#${input.spaceNo}`,
            type: 'FREEPLATE',
            plate,
            unitId,
            spaceNo: input.spaceNo,
          },
        },
      })),
      auditItem(ctx, at, {
        estateId: unit.estateId,
        action: 'SPACE_REGISTERED',
        document: `${unitId}/${input.spaceNo}`,
      }),
    ]);
  } catch (e) {
    if (e instanceof TransactionCancelled && (e.failedAt(0) || e.failedAt(1))) {
      throw new ConflictError('SPACE_EXISTS', `space ${input.spaceNo} is already registered`);
    }
    throw e;
  }
  return space;
}
