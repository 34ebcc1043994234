/**
 * Tokens that carry several roles, each scoped as API.md's claims say: `custom:estates` for the staff
 * roles, `custom:units` for the owner role. Signed with the test server's key and the issuer and
 * audience of infra/local/dev-auth.ts (read off a token it signs, so the two cannot drift).
 */
import { decodeJwt, SignJWT } from 'jose';
import { signDevToken } from '../../infra/local/dev-auth.js';
import type { Role } from '../../lib/billing/context.js';

export interface RoleScope {
  role: Role | string;
  /** Staff roles: the estates they work in. */
  estates?: string[];
  /** The owner role: the units owned. */
  units?: string[];
}

export async function multiRoleToken(key: Uint8Array, sub: string, roles: RoleScope[]): Promise<string> {
  const { iss, aud } = decodeJwt(await signDevToken({ role: 'admin', estates: [] }, key));
  const estates = [...new Set(roles.flatMap((r) => r.estates ?? []))];
  const units = [...new Set(roles.flatMap((r) => r.units ?? []))];
  return new SignJWT({
    'cognito:groups': roles.map((r) => r.role),
    'custom:estates': estates.join(','),
    ...(units.length ? { 'custom:units': units.join(',') } : {}),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(iss as string)
    .setAudience(aud as string | string[])
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(key);
}
