/**
 * Building, entrance and room of the units named by ledger entries. Entries carry only the unit
 * id; an accountant reads 楼栋/单元/房号. Units are never renamed or deleted, so a label read once
 * is kept for the whole export: a 500-unit estate costs 500 reads however many rows.
 *
 * BatchGetItem, 100 keys to a request, a few requests in flight (Db.batchGet; granted to every
 * function with read access, infra/constructs/table-access.ts).
 */
import type { Db } from '../store/db.js';
import { key } from '../store/keys.js';
import { parseRecord, unitLabelRecordSchema } from '../store/records.js';

export interface UnitLabel {
  building: string;
  /** 单元, when the unit has one (SPEC.md §8). */
  entrance?: string | undefined;
  room: string;
}

const PARALLEL_BATCHES = 4;

export class UnitDirectory {
  private readonly labels = new Map<string, UnitLabel | null>();

  constructor(private readonly db: Db) {}

  label(unitId: string | undefined): UnitLabel | undefined {
    return unitId === undefined ? undefined : (this.labels.get(unitId) ?? undefined);
  }

  /** Reads the units not seen yet; an id that names no unit is remembered as unknown. */
  async load(unitIds: Iterable<string | undefined>): Promise<void> {
    const missing = [
      ...new Set([...unitIds].filter((u): u is string => u !== undefined && !this.labels.has(u))),
    ];
    // Eventually consistent: a unit is written once, long before any entry names it.
    const items = await this.db.batchGet(missing.map(key.unit), PARALLEL_BATCHES);
    for (const u of missing) this.labels.set(u, null);
    for (const item of items) {
      const unitId = String(item['PK']).slice('UNIT#'.length);
      this.labels.set(unitId, parseRecord(unitLabelRecordSchema, item, 'unit'));
    }
  }
}
