/**
 * Building and room of the units named by ledger entries. Entries carry only the unit id; an
 * accountant reads 楼栋/房号. Units are never renamed or deleted, so a label read once is kept for
 * the whole export: a 500-unit estate costs 500 reads however many rows.
 *
 * GetItem, a few at a time, and not BatchGetItem: the functions' IAM grants are GetItem and Query
 * only (infra/constructs/table-access.ts), and GetItem goes through Db's retry policy.
 */
import type { Db } from '../store/db.js';
import { key } from '../store/keys.js';
import { parseRecord, unitLabelRecordSchema } from '../store/records.js';

export interface UnitLabel {
  building: string;
  room: string;
}

const PARALLEL_READS = 16;

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
    let next = 0;
    const reader = async () => {
      while (next < missing.length) {
        const unitId = missing[next++]!;
        // Eventually consistent: a unit is written once, long before any entry names it.
        const item = await this.db.get(key.unit(unitId), false);
        this.labels.set(unitId, item ? parseRecord(unitLabelRecordSchema, item, 'unit') : null);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_READS, missing.length) }, reader));
  }
}
