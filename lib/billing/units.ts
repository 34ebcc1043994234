/** Units (房屋) and their owned or use-right parking spaces. */
import { ConflictError, NotFoundError } from '../errors.js';
import { registeredSpaceBillFrom } from '../fees/periods.js';
import { parseArea, plain } from '../money.js';
import { parsePlate } from '../parking/plate.js';
import { TransactionCancelled, type TxItem } from '../store/db.js';
import { documentNumber, key, SERIES } from '../store/keys.js';
import { transactOptimistic, transactWithNumbers } from '../store/numbering.js';
import { parseRecord, spaceRecordSchema } from '../store/records.js';
import type { UnitType } from '../tariffs/catalog.js';
import { businessDate, formatInstant, parseBizDate } from '../time.js';
import { auditItem, type Ctx } from './context.js';
import { getEstate } from './estates.js';
import { type Space, type SpaceKind, type Unit, unitFromItem } from './records.js';
import { paidStarts, readUnitBilling, unitBillingWrite } from './unit-billing.js';

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
              // The address rides on the guard: the unit search sorts and filters without reading units.
              Item: {
                ...key.unitNoGuard(estateId, input.building, input.room),
                type: 'UNITNO',
                unitId,
                building: input.building,
                room: input.room,
              },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          {
            Put: {
              // Born with an empty billing state, so its first billing write needs no rebuild from claims.
              Item: { ...key.unit(unitId), type: 'UNIT', ...unit, version: 0, propertyPeriods: {} },
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

/**
 * Registers an owned or use-right space. It is billed from the start of the unit's period in which it
 * is registered, or of the next if that period is already paid (SPEC.md §4.1). Registering moves the
 * unit's billing version on, under the lock of the state it read: a payment landing meanwhile sends
 * it round again (so `billFrom` never rests on a stale "unpaid"), and an invoice drafted from the
 * spaces before this one existed cannot commit after it.
 */
export async function registerSpace(
  ctx: Ctx,
  unitId: string,
  input: { spaceNo: string; kind: SpaceKind; plates: string[] },
): Promise<Space> {
  const first = await getUnit(ctx, unitId);
  const plates = [...new Set(input.plates.map((p, i) => normalisePlate(p, `plates[${i}]`)))];
  const at = ctx.now();
  let space: Space | undefined;
  let round = 0;
  try {
    await transactOptimistic(ctx.db, async () => {
      const billing = await readUnitBilling(ctx, unitId, round++ === 0 ? first : undefined);
      const unit = billing.unit;
      space = {
        unitId,
        estateId: unit.estateId,
        spaceNo: input.spaceNo,
        kind: input.kind,
        plates,
        billFrom: registeredSpaceBillFrom(unit, paidStarts(billing.periods), businessDate(at)),
      };
      const items: TxItem[] = [
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
          details: { billFrom: space.billFrom },
        }),
      ];
      const lock = items.push(unitBillingWrite(billing, billing.periods)) - 1;
      return { items, retryOn: [lock] };
    });
  } catch (e) {
    if (e instanceof TransactionCancelled && (e.failedAt(0) || e.failedAt(1))) {
      throw new ConflictError('SPACE_EXISTS', `space ${input.spaceNo} is already registered`);
    }
    throw e;
  }
  return space!;
}
