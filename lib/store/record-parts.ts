/**
 * The building blocks of the stored-record schemas (lib/store/records.ts and its parking and
 * renovation siblings): optional attributes, counts read back as numbers, fen as bigint.
 */
import * as z from 'zod/mini';
import type { FeeCode } from '../fee-types/catalog.js';

/** An optional attribute: absent or null both read as undefined. */
export const opt = <T extends z.ZodMiniType>(schema: T) =>
  z.pipe(
    z.optional(z.nullable(schema)),
    z.transform((v) => v ?? undefined),
  );
/** A count or an instant in ms: stored as a number, read back as bigint. */
export const count = z.pipe(
  z.union([z.bigint(), z.number()]),
  z.transform((v) => Number(v)),
);
export const fen = z.bigint();
export const str = z.string();
export const feeCode = z.custom<FeeCode>((v) => typeof v === 'string' && v.length > 0);
export const period = z.object({ start: str, end: str });

/** Optional text of a ledger row: absent, null and empty all read as absent. */
export const optText = z.pipe(
  z.optional(z.nullable(str)),
  z.transform((v) => (v ? v : undefined)),
);

/** The names a document prints, recorded at writing (absent on documents written before). */
export const printed = { estateName: opt(str), building: opt(str), entrance: opt(str), room: opt(str) };
