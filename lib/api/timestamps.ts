/**
 * Every time in a JSON answer in one shape (RFC 3339, +08:00, whole seconds: lib/time.ts
 * `formatInstant`). Documents are never rewritten, and older ones were stored with a varying number
 * of fraction digits, so times are made uniform on the way out, in one place for every route.
 * Only fields that name a time are touched (`at`, `…At`, `exitBy`): free text such as a reason is
 * shown as it was typed.
 */
import { canonicalInstant } from '../time.js';

const TIME_FIELD = /^(at|exitBy)$|At$/;

export function presentTimes(value: unknown, key = ''): unknown {
  if (typeof value === 'string') return TIME_FIELD.test(key) ? canonicalInstant(value) : value;
  if (Array.isArray(value)) return value.map((v) => presentTimes(v));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = presentTimes(v, k);
    return out;
  }
  return value;
}
