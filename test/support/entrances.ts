/**
 * Two neighbours that differ only in their entrance (单元, SPEC.md §8): 3栋 1单元 1201 and
 * 3栋 2单元 1201. Units with an entrance are made by the roster import alone (the create-unit
 * route takes none), so the tests import them the way an office does. Every place that prints an
 * address must tell these two apart.
 */
import type { Ctx } from '../../lib/billing/context.js';
import { runImport } from '../../lib/onboarding/import.js';
import { key } from '../../lib/store/keys.js';
import { utf8Csv, ZH_HEADER } from './roster-files.js';

export const NEIGHBOURS = { building: '3栋', room: '1201', entrances: ['1单元', '2单元'] as const };

let imports = 0;

/**
 * Imports the two neighbours into `estateId` (delivered `deliveryDate`, optional 期初欠费 each) and
 * answers their unit ids, 1单元 first. `admin` must be an admin of the estate.
 */
export async function importNeighbours(
  admin: Ctx,
  estateId: string,
  opts: { deliveryDate?: string; openingArrears?: string; ownerName?: string } = {},
): Promise<{ one: string; two: string }> {
  const row = (entrance: string) => [
    NEIGHBOURS.building,
    entrance,
    NEIGHBOURS.room,
    '高层',
    '89.56',
    opts.deliveryDate ?? '2024-06-01',
    '',
    opts.openingArrears ?? '',
    opts.ownerName ?? '',
    '',
    '',
    '',
    '',
    '',
  ];
  await runImport(admin, estateId, utf8Csv([[...ZH_HEADER], ...NEIGHBOURS.entrances.map(row)]), {
    dryRun: false,
    idempotencyKey: `neighbours-${++imports}`,
  });
  const idOf = async (entrance: string) => {
    const guard = await admin.db.get(
      key.unitNoGuard(estateId, NEIGHBOURS.building, NEIGHBOURS.room, entrance),
    );
    if (!guard) throw new Error(`no unit at ${entrance} after the import`);
    return String(guard['unitId']);
  };
  return { one: await idOf('1单元'), two: await idOf('2单元') };
}
