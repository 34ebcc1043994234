/**
 * A page of a list the store returns whole (an estate's tariff versions: a handful, read in one
 * query), so that it answers `limit`, `cursor`, `items` and `nextCursor` like every other list
 * (API.md conventions). The cursor is the store key of the last item given, like the store's own.
 */
import { ValidationError } from '../errors.js';
import { cursor } from '../store/db.js';

export function pageOf<T>(
  all: readonly T[],
  keyOf: (item: T) => { PK: string; SK: string },
  q: { limit: number; cursor?: string | undefined },
  partition: string,
): { items: T[]; nextCursor?: string } {
  const start = cursor.decode(q.cursor, { PK: partition });
  let from = 0;
  if (start) {
    from = all.findIndex((item) => keyOf(item).SK === start['SK']) + 1;
    if (from === 0)
      throw ValidationError.of('cursor', 'INVALID_CURSOR', 'cursor is not one this list returned');
  }
  const items = all.slice(from, from + q.limit);
  const last = items.at(-1);
  const next = from + q.limit < all.length && last ? cursor.encode(keyOf(last)) : undefined;
  return { items, ...(next ? { nextCursor: next } : {}) };
}
