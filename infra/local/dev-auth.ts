/**
 * Dev-only tokens for the local server: HS256 with a random key generated on first use and kept in
 * the git-ignored `.local/` folder. In AWS, Cognito issues tokens and API Gateway verifies them;
 * none of this runs there.
 */
import { randomBytes } from 'node:crypto';
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

/** Verifies a bearer token as API Gateway's JWT authorizer would; undefined when it is not valid. */
export async function verifyDevToken(token: string, key: Uint8Array = devSigningKey()) {
  try {
    const { payload } = await jwtVerify(token, key, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
    });
    return payload as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
