/**
 * The transaction items one roster row writes: a new unit with its key guard, spaces and plates,
 * or the descriptive update of a unit that exists. Every put is conditional on its key, so a
 * retried chunk can never make a second unit for the same building, entrance and room.
 */
import type { Space, Unit } from '../billing/records.js';
import { renewalIssueFrom } from '../fees/periods.js';
import { naturalCompare } from '../natural-order.js';
import type { TxItem } from '../store/db.js';
import { putNew, renewalKey } from '../store/items.js';
import { gsi2, key } from '../store/keys.js';
import { addDays } from '../time.js';
import type { RosterField } from './columns.js';
import { anchorOf, type RosterRow } from './validate.js';

const phoneTail = (phone: string | undefined) => (phone ? phone.slice(-4) : undefined);
const defined = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== ''));

const freePlate = (estateId: string, plate: string, unitId: string, spaceNo: string) => ({
  PK: `ESTATE#${estateId}`,
  SK: `FREEPLATE#${plate}#SPACE#${spaceNo}`,
  type: 'FREEPLATE',
  plate,
  unitId,
  spaceNo,
});

/** Items a new unit needs; its plates go on its first space (the gate needs one space per plate). */
export function createUnitItems(estateId: string, unitId: string, r: RosterRow, createdAt: string): TxItem[] {
  const anchor = anchorOf(r);
  const phone = r.phone && 'full' in r.phone ? r.phone.full : undefined;
  const unit = defined({
    unitId,
    estateId,
    building: r.building,
    entrance: r.entrance,
    room: r.room,
    unitType: r.unitType,
    area: r.area,
    deliveryDate: r.deliveryDate,
    ownerIds: [],
    ownerName: r.ownerName,
    phone,
    createdAt,
    billingAnchor: anchor,
    // Paid through the anchor (exclusive): the renewal job bills the period starting there.
    paidThrough: anchor,
    openingArrears: r.openingArrears ? r.openingArrears : undefined,
    ...(anchor
      ? { GSI2PK: gsi2.renewalDue(estateId), GSI2SK: renewalKey(renewalIssueFrom(anchor), unitId) }
      : {}),
  });
  const billFrom = r.spacePaidThrough ? addDays(r.spacePaidThrough, 1) : undefined;
  const spaces = r.spaceNos.flatMap((spaceNo, i) => {
    const plates = i === 0 ? r.plates : [];
    return [
      putNew({ ...key.spaceNoGuard(estateId, spaceNo), type: 'SPACENO', unitId }),
      putNew(
        defined({
          ...key.space(unitId, spaceNo),
          type: 'SPACE',
          unitId,
          estateId,
          spaceNo,
          kind: r.spaceKind,
          plates,
          billFrom,
        }),
      ),
      ...plates.map((p) => ({ Put: { Item: freePlate(estateId, p, unitId, spaceNo) } })),
    ];
  });
  return [
    putNew(
      defined({
        ...key.unitNoGuard(estateId, r.building, r.room, r.entrance),
        type: 'UNITNO',
        unitId,
        building: r.building,
        entrance: r.entrance,
        room: r.room,
        ownerName: r.ownerName,
        phoneTail: phoneTail(phone),
      }),
    ),
    // A new unit's billing state starts empty under version 0 (lib/billing/unit-billing.ts).
    putNew({ ...key.unit(unitId), type: 'UNIT', ...unit, version: 0, propertyPeriods: {} }),
    ...spaces,
  ];
}

/** How many items a row may write, from the file alone (chunks are cut the same way on every retry). */
export function rowWeight(r: RosterRow, action: 'create' | 'update'): number {
  return action === 'create'
    ? 2 + 2 * r.spaceNos.length + r.plates.length
    : // unit, guard, the first space, a marker per plate
      3 + r.plates.length;
}

function setOrRemove(fields: Record<string, string | undefined>): {
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
} {
  const set: string[] = [];
  const remove: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  for (const [f, v] of Object.entries(fields)) {
    names[`#${f}`] = f;
    if (v === undefined || v === '') remove.push(`#${f}`);
    else {
      set.push(`#${f} = :${f}`);
      values[`:${f}`] = v;
    }
  }
  const expr = [set.length ? `SET ${set.join(', ')}` : '', remove.length ? `REMOVE ${remove.join(', ')}` : '']
    .filter(Boolean)
    .join(' ');
  return {
    UpdateExpression: expr,
    ExpressionAttributeNames: names,
    ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
  };
}

/** Items that bring a unit's owner, phone and plates to the row's values (never a billed fact). */
export function updateUnitItems(
  estateId: string,
  r: RosterRow,
  e: { unit: Unit; spaces: Space[] },
  changes: readonly RosterField[],
): TxItem[] {
  const u = e.unit;
  const out: TxItem[] = [];
  const fields: Record<string, string | undefined> = {};
  if (changes.includes('ownerName')) fields['ownerName'] = r.ownerName;
  if (changes.includes('phone')) fields['phone'] = r.phone && 'full' in r.phone ? r.phone.full : undefined;
  if (Object.keys(fields).length > 0) {
    out.push({
      Update: {
        Key: key.unit(u.unitId),
        ConditionExpression: 'attribute_exists(PK)',
        ...setOrRemove(fields),
      },
    });
    const phone = 'phone' in fields ? fields['phone'] : u.phone;
    out.push({
      Update: {
        Key: key.unitNoGuard(estateId, u.building, u.room, u.entrance),
        ConditionExpression: 'unitId = :unitId',
        ...merge(
          setOrRemove({
            ownerName: 'ownerName' in fields ? fields['ownerName'] : u.ownerName,
            phoneTail: phoneTail(phone),
            building: u.building,
            room: u.room,
          }),
          { ':unitId': u.unitId },
        ),
      },
    });
  }
  if (changes.includes('plates')) {
    // Plates are added to the first space; a plate the file leaves out stays registered (no
    // function deletes items: the report warns instead, see plan.ts).
    const first = [...e.spaces].sort((a, b) => naturalCompare(a.spaceNo, b.spaceNo))[0]!;
    const had = new Set(e.spaces.flatMap((s) => s.plates));
    const added = r.plates.filter((p) => !had.has(p));
    for (const p of added) out.push({ Put: { Item: freePlate(estateId, p, u.unitId, first.spaceNo) } });
    out.push({
      Update: {
        Key: key.space(u.unitId, first.spaceNo),
        ConditionExpression: 'attribute_exists(PK)',
        UpdateExpression: 'SET plates = :plates',
        ExpressionAttributeValues: { ':plates': [...first.plates, ...added] },
      },
    });
  }
  return out;
}

function merge<T extends { ExpressionAttributeValues?: Record<string, unknown> }>(
  u: T,
  values: Record<string, unknown>,
): T {
  return { ...u, ExpressionAttributeValues: { ...(u.ExpressionAttributeValues ?? {}), ...values } };
}
