import { createHash } from 'node:crypto';

/** The SHA-256 of an uploaded file: the import record's fileDigest and its stored parts' key. */
export const digestOf = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
