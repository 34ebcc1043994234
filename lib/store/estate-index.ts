/**
 * Estates found through a per-estate partition of the sparse GSI2 (units due for renewal, pending
 * payment orders). Estates themselves live under their own partitions, so no key lists them all;
 * scanning this small index (never the table, whose history grows for ever) does. The scheduler
 * function is the only one granted the Scan, and only on this index.
 */
import type { Db } from './db.js';
import { TABLE_KEYS } from './table.js';

/** One kind of per-estate GSI2 partition key, built by `keyOf(estateId)`. */
export class EstateIndexKey {
  private readonly prefix: string;
  private readonly suffix: string;

  constructor(keyOf: (estateId: string) => string) {
    const mark = '\u0000';
    [this.prefix, this.suffix] = keyOf(mark).split(mark) as [string, string];
  }

  /** The estate of a partition key of this kind, or undefined for any other GSI2 entry. */
  estateOf(gsi2pk: unknown): string | undefined {
    if (typeof gsi2pk !== 'string' || !gsi2pk.startsWith(this.prefix) || !gsi2pk.endsWith(this.suffix)) {
      return undefined;
    }
    const estateId = gsi2pk.slice(this.prefix.length, gsi2pk.length - this.suffix.length);
    return estateId === '' ? undefined : estateId;
  }

  /** Every estate with at least one entry of this kind, sorted. */
  async estates(db: Db): Promise<string[]> {
    const { partitionKey } = TABLE_KEYS.gsi2;
    const estates = new Set<string>();
    let start: Record<string, unknown> | undefined;
    do {
      const page = await db.scan({
        IndexName: TABLE_KEYS.gsi2.name,
        ProjectionExpression: '#pk',
        FilterExpression: 'begins_with(#pk, :prefix)',
        ExpressionAttributeNames: { '#pk': partitionKey },
        ExpressionAttributeValues: { ':prefix': this.prefix },
        ...(start ? { ExclusiveStartKey: start } : {}),
      });
      for (const item of page.items) {
        const estateId = this.estateOf(item[partitionKey]);
        if (estateId) estates.add(estateId);
      }
      start = page.lastKey;
    } while (start);
    return [...estates].sort();
  }
}
