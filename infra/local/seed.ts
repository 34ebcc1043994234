/** The demo estate of `npm start`: seed tariffs, a unit of every type, and an owned space. */
import type { Ctx } from '../../lib/billing/context.js';
import { createEstate } from '../../lib/billing/estates.js';
import type { Unit } from '../../lib/billing/records.js';
import { createUnit, registerSpace } from '../../lib/billing/units.js';
import { key } from '../../lib/store/keys.js';
import type { UnitType } from '../../lib/tariffs/catalog.js';

export const DEMO_ESTATE = 'DEMO';
export const DEMO_OWNER = 'owner-demo';

const UNITS: { building: string; room: string; unitType: UnitType; area: string; deliveryDate: string }[] = [
  { building: '1栋', room: '1801', unitType: 'HIGH_RISE', area: '89.56', deliveryDate: '2025-06-01' },
  { building: '5栋', room: '201', unitType: 'GARDEN_HOUSE', area: '135.27', deliveryDate: '2025-06-01' },
  { building: '9栋', room: 'A', unitType: 'SEMI_DETACHED', area: '210.00', deliveryDate: '2024-09-15' },
  { building: '商业街', room: '12', unitType: 'COMMERCIAL', area: '120.50', deliveryDate: '2023-03-01' },
  { building: '2栋', room: '1206', unitType: 'APARTMENT', area: '45.33', deliveryDate: '2025-12-20' },
];

export async function seedDemo(admin: Ctx): Promise<Unit[]> {
  await createEstate(admin, { estateId: DEMO_ESTATE, name: '示范花园' });
  const units: Unit[] = [];
  for (const u of UNITS) {
    units.push(await createUnit(admin, DEMO_ESTATE, { ...u, ownerIds: [DEMO_OWNER] }));
  }
  await registerSpace(admin, units[0]!.unitId, { spaceNo: 'B1-018', kind: 'OWNED', plates: ['粤B12345'] });
  return units;
}

/** The unit the demo owner's token names, found again after a restart; undefined if never seeded. */
export async function findDemoOwnerUnit(ctx: Pick<Ctx, 'db'>): Promise<string | undefined> {
  const first = UNITS[0]!;
  const guard = await ctx.db.get(key.unitNoGuard(DEMO_ESTATE, first.building, first.room));
  return typeof guard?.['unitId'] === 'string' ? guard['unitId'] : undefined;
}
