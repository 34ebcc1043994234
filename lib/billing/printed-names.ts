/**
 * The names a document prints (estate name, building, entrance when the unit has one, and room),
 * read from the estate and the unit.
 * Receipts record them when they are written (store/items.ts PrintedNames); reprints of documents
 * that did not record them look them up here, once per estate and unit per request.
 */
import { NotFoundError } from '../errors.js';
import type { PrintedNames } from '../store/items.js';
import type { Ctx } from './context.js';
import { getEstate } from './estates.js';
import { getUnit } from './units.js';

type UnitAddress = { building: string; entrance?: string; room: string };

/** A request's lookups: each estate and unit is read at most once, however many documents print it. */
export class NameBook {
  private readonly estates = new Map<string, Promise<string | undefined>>();
  private readonly units = new Map<string, Promise<UnitAddress | undefined>>();

  constructor(private readonly ctx: Pick<Ctx, 'db'>) {}

  estateName(estateId: string): Promise<string | undefined> {
    let name = this.estates.get(estateId);
    if (!name) {
      name = getEstate(this.ctx, estateId).then((e) => e.name, missing);
      this.estates.set(estateId, name);
    }
    return name;
  }

  unit(unitId: string): Promise<UnitAddress | undefined> {
    let unit = this.units.get(unitId);
    if (!unit) {
      unit = getUnit(this.ctx, unitId).then(
        (u) => ({ building: u.building, ...(u.entrance ? { entrance: u.entrance } : {}), room: u.room }),
        missing,
      );
      this.units.set(unitId, unit);
    }
    return unit;
  }

  /** What `doc` prints: its recorded names, the gaps filled from the estate and the unit. */
  async namesOf(
    doc: { estateId: string; unitId?: string | undefined } & PrintedNames,
  ): Promise<PrintedNames> {
    const [estateName, unit] = await Promise.all([
      doc.estateName ?? this.estateName(doc.estateId),
      doc.building !== undefined || !doc.unitId ? undefined : this.unit(doc.unitId),
    ]);
    const building = doc.building ?? unit?.building;
    // A document that recorded its address recorded its entrance with it (or had none to record).
    const entrance = doc.building !== undefined ? doc.entrance : unit?.entrance;
    const room = doc.room ?? unit?.room;
    return {
      ...(estateName !== undefined ? { estateName } : {}),
      ...(building !== undefined ? { building } : {}),
      ...(entrance ? { entrance } : {}),
      ...(room !== undefined ? { room } : {}),
    };
  }
}

/** A document whose estate or unit is gone still prints (with the ids it carries). */
function missing(e: unknown): undefined {
  if (e instanceof NotFoundError) return undefined;
  throw e;
}

/** The names a new document records: read alongside whatever else its write reads. */
export function printedNames(
  ctx: Pick<Ctx, 'db'>,
  doc: { estateId: string; unitId?: string | undefined },
): Promise<PrintedNames> {
  return new NameBook(ctx).namesOf(doc);
}
