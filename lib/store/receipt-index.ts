/**
 * Receipts written before receipts were indexed (issue 17) carry no GSI1/GSI3 keys, so the receipts
 * list cannot find them (they stay readable by number). `backfillReceiptIndex` gives each such
 * receipt the keys `receiptItem` writes today. It is an operator's one-off, not a request path: it
 * scans the table. It sets only the index attributes, under the condition that they are still
 * absent, so the receipt's content is untouched and running it twice changes nothing.
 */
import { ConditionFailed, type Db, type Item } from './db.js';
import { key, receiptIndexKeys } from './keys.js';

const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/** Indexes every unindexed receipt; returns how many it indexed. */
export async function backfillReceiptIndex(db: Db): Promise<number> {
  let done = 0;
  let start: Item | undefined;
  do {
    const page = await db.scan({
      FilterExpression: '#type = :receipt AND attribute_not_exists(GSI3PK)',
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: { ':receipt': 'RECEIPT' },
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    for (const item of page.items) {
      const receiptNo = text(item['receiptNo']);
      const estateId = text(item['estateId']);
      const paidAt = text(item['paidAt']);
      const businessDate = text(item['businessDate']);
      if (!receiptNo || !estateId || !paidAt || !businessDate) continue;
      const keys = receiptIndexKeys({
        receiptNo,
        estateId,
        paidAt,
        businessDate,
        unitId: text(item['unitId']),
        plate: text(item['plate']),
      });
      const names = Object.keys(keys);
      try {
        await db.update({
          Key: key.receipt(receiptNo),
          UpdateExpression: `SET ${names.map((n) => `${n} = :${n}`).join(', ')}`,
          ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(GSI3PK)',
          ExpressionAttributeValues: Object.fromEntries(names.map((n) => [`:${n}`, keys[n]])),
        });
        done++;
      } catch (e) {
        // Indexed meanwhile (another run): nothing to do.
        if (!(e instanceof ConditionFailed)) throw e;
      }
    }
    start = page.lastKey;
  } while (start);
  return done;
}
