/**
 * Dev-only tokens for the local server: HS256 with a random key generated on first use and kept in
 * the git-ignored `.local/` folder. In AWS, Cognito issues tokens and API Gateway verifies them;
 * none of this runs there.
 */
import { createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jwtVerify, SignJWT } from 'jose';
import { LOCAL_STATE_DIR, refuseInProduction } from './local-state.js';

export { LOCAL_STATE_DIR, refuseInProduction };

const ISSUER = 'local-dev';
const AUDIENCE = 'property-billing-local';

let cachedKey: Uint8Array | undefined;
/** The signing key, created once per checkout (or per test run when `dir` is a temp folder). */
export function devSigningKey(dir = LOCAL_STATE_DIR): Uint8Array {
  refuseInProduction('the dev signing key');
  if (cachedKey && dir === LOCAL_STATE_DIR) return cachedKey;
  const file = join(dir, 'dev-jwt-key');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  }
  const key = new Uint8Array(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64'));
  if (dir === LOCAL_STATE_DIR) cachedKey = key;
  return key;
}

export interface TokenSpec {
  /** One role or several (`cognito:groups`): `estates` scope the staff roles, `units` the owner role. */
  role: string | readonly string[];
  estates: string[];
  units?: string[];
  sub?: string;
  /** The display name (`name` claim) documents print instead of the sub. */
  name?: string;
  ttlSeconds?: number;
}

/** A token with the claims API Gateway's Cognito authorizer would pass on. */
export async function signDevToken(spec: TokenSpec, key: Uint8Array = devSigningKey()): Promise<string> {
  return new SignJWT({
    'cognito:groups': typeof spec.role === 'string' ? [spec.role] : [...spec.role],
    ...(spec.estates.length ? { 'custom:estates': spec.estates.join(',') } : {}),
    ...(spec.units?.length ? { 'custom:units': spec.units.join(',') } : {}),
    ...(spec.name ? { name: spec.name } : {}),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(spec.sub ?? `${typeof spec.role === 'string' ? spec.role : spec.role.join('-')}-dev`)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${spec.ttlSeconds ?? 12 * 3600}s`)
    .sign(key);
}

/**
 * Verified tokens, as API Gateway's authorizer caches them: a client sends the same token for an
 * hour, and verifying it on every request (HMAC through WebCrypto, the raw key imported afresh
 * each time) was the largest single cost of the local server's quote at 16 clients (issue #16) —
 * a cost the functions never pay in AWS, where API Gateway verifies. A cached token is still
 * refused once expired. Keyed by signing key and token; bounded.
 */
const verified = new WeakMap<Uint8Array, Map<string, { payload: Record<string, unknown>; exp: number }>>();
const keyObjects = new WeakMap<Uint8Array, KeyObject>();
const MAX_CACHED_TOKENS = 1000;

/** Verifies a bearer token as API Gateway's JWT authorizer would; undefined when it is not valid. */
export async function verifyDevToken(token: string, key: Uint8Array = devSigningKey()) {
  let cache = verified.get(key);
  if (!cache) {
    cache = new Map();
    verified.set(key, cache);
  }
  const hit = cache.get(token);
  if (hit && Date.now() < hit.exp * 1000) return { ...hit.payload };
  cache.delete(token);
  let keyObject = keyObjects.get(key);
  if (!keyObject) {
    keyObject = createSecretKey(key);
    keyObjects.set(key, keyObject);
  }
  try {
    const { payload } = await jwtVerify(token, keyObject, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
    });
    if (typeof payload.exp === 'number') {
      if (cache.size >= MAX_CACHED_TOKENS) cache.delete(cache.keys().next().value!);
      cache.set(token, { payload: payload as Record<string, unknown>, exp: payload.exp });
    }
    return payload as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
