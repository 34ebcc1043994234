/**
 * The uploaded file of an import left to the worker, kept in the table until the worker has read
 * it: parts of FILE_PART_BYTES (well under DynamoDB's 400 KB item limit) under the import's own
 * partition, keyed by the file's digest so that two requests racing on one Idempotency-Key with
 * different files can never mix their parts. Each put is plain and repeatable (same key, same
 * bytes), so a request cut off half-way simply writes them again; the parts expire by the table's
 * TTL a week later (no function may delete items). The worker checks the digest of what it reads.
 */
import type { Db } from '../store/db.js';
import { digestOf } from './digest.js';
import { mapLimit } from './plan.js';

export const FILE_PART_BYTES = 256 * 1024;
/** How long the parts stay: longer than the queue keeps a message and its dead letter. */
export const FILE_KEEP_SECONDS = 7 * 24 * 3600;

export const importFileKey = (importId: string, digest: string, part: number) => ({
  PK: `IMPORTFILE#${importId}`,
  SK: `${digest}#${String(part).padStart(3, '0')}`,
});

export async function storeImportFile(
  db: Db,
  importId: string,
  bytes: Uint8Array,
  now: number,
): Promise<number> {
  const digest = digestOf(bytes);
  const parts = Math.max(1, Math.ceil(bytes.length / FILE_PART_BYTES));
  const expiresAt = Math.floor(now / 1000) + FILE_KEEP_SECONDS;
  await mapLimit(
    Array.from({ length: parts }, (_, i) => i),
    4,
    (i) =>
      db.put({
        ...importFileKey(importId, digest, i),
        type: 'IMPORTFILE',
        parts,
        data: bytes.subarray(i * FILE_PART_BYTES, (i + 1) * FILE_PART_BYTES),
        expiresAt,
      }),
  );
  return parts;
}

/** The stored file, or undefined when its parts are missing (expired) or do not add up to the digest. */
export async function loadImportFile(
  db: Db,
  importId: string,
  digest: string,
): Promise<Uint8Array | undefined> {
  const items = await db.queryAll({
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :digest)',
    ExpressionAttributeValues: { ':pk': `IMPORTFILE#${importId}`, ':digest': `${digest}#` },
  });
  if (items.length === 0 || items.length !== Number(items[0]!['parts'])) return undefined;
  const chunks = items
    .sort((a, b) => String(a['SK']).localeCompare(String(b['SK'])))
    .map((i) => i['data'] as Uint8Array);
  const bytes = Buffer.concat(chunks);
  return digestOf(bytes) === digest ? new Uint8Array(bytes) : undefined;
}
