/**
 * Claims → actor, and the scope rules of SPEC.md §7. In AWS the API Gateway JWT authorizer has
 * already verified the token; locally infra/local verifies it. Either way the handler sees the
 * same claims in `requestContext.authorizer.jwt.claims`.
 */

import { type Actor, ROLES, type Role } from '../billing/context.js';
import { ForbiddenError, NotFoundError } from '../errors.js';
import { UnauthorizedError } from './errors.js';

/** API Gateway flattens array claims to strings like "[admin cashier]"; accept every shape seen. */
function list(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String).filter(Boolean);
  if (typeof value !== 'string') return [];
  const s = value.trim();
  if (s.startsWith('[') && s.endsWith(']')) {
    try {
      const parsed = JSON.parse(s);
      if (Array.isArray(parsed)) return parsed.map(String).filter(Boolean);
    } catch {
      return s
        .slice(1, -1)
        .split(/[\s,]+/)
        .filter(Boolean);
    }
  }
  return s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}

/**
 * The acting role: a token may carry several groups; the route's allowed roles pick the first
 * the token has, so a user who is both cashier and owner acts as whichever the route expects.
 */
export function actorFromClaims(
  claims: Record<string, unknown> | undefined,
  allowed: readonly Role[],
): Actor {
  if (!claims || typeof claims['sub'] !== 'string' || claims['sub'] === '') throw new UnauthorizedError();
  const groups = list(claims['cognito:groups']).filter((g): g is Role =>
    (ROLES as readonly string[]).includes(g),
  );
  if (groups.length === 0) throw new ForbiddenError('NO_ROLE', 'the token carries no known role');
  const role = allowed.find((r) => groups.includes(r));
  if (!role) throw new ForbiddenError('ROLE_NOT_ALLOWED', `this action needs one of: ${allowed.join(', ')}`);
  return {
    sub: claims['sub'],
    role,
    estates: list(claims['custom:estates']),
    units: list(claims['custom:units']),
  };
}

/** Staff must belong to the estate; an owner reaching another estate learns nothing (404). */
export function requireEstate(actor: Actor, estateId: string): void {
  // `*` (every estate) is honoured for admins only: a staff token with it would reach every estate.
  if (actor.estates.includes(estateId) || (actor.role === 'admin' && actor.estates.includes('*'))) return;
  if (actor.role === 'owner') throw new NotFoundError('NOT_FOUND', 'not found');
  throw new ForbiddenError('OUTSIDE_ESTATE', `you are not assigned to estate ${estateId}`);
}

/**
 * Reading a unit's documents: staff in the estate, or an owner of that unit. An owner asking about
 * someone else's unit gets 404, so unit ids cannot be probed.
 */
export function requireUnitAccess(
  actor: Actor,
  unit: { estateId: string; unitId?: string },
  what = 'not found',
): void {
  if (actor.role === 'owner') {
    if (unit.unitId && actor.units.includes(unit.unitId) && actor.estates.includes(unit.estateId)) return;
    throw new NotFoundError('NOT_FOUND', what);
  }
  requireEstate(actor, unit.estateId);
}
