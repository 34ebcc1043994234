/**
 * Claims → actor, and the scope rules of SPEC.md §7. In AWS the API Gateway JWT authorizer has
 * already verified the token; locally infra/local verifies it. Either way the handler sees the
 * same claims in `requestContext.authorizer.jwt.claims`.
 *
 * Scopes are per role: `custom:estates` scopes the staff roles, `custom:units` the owner role
 * (whose estate is the unit id's prefix). A cashier in estate A who owns a flat in estate B has
 * cashier powers in A only and owner powers over that flat only.
 */

import { type Actor, type Grant, ROLES, type Role } from '../billing/context.js';
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

/** Unit ids are `{estateId}-U{n}` (lib/store/keys.ts); estate ids hold no dash. */
export function estateOfUnit(unitId: string): string {
  return unitId.split('-')[0] ?? '';
}

/**
 * The token's roles that the route allows, each with its own scope, in the route's order of
 * preference. The actor starts as the first; `requireEstate` and `requireUnitAccess` switch it to
 * the one whose scope covers what the request touches.
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
  const staffEstates = list(claims['custom:estates']);
  const units = list(claims['custom:units']);
  const grants: Grant[] = allowed
    .filter((r) => groups.includes(r))
    .map((role) =>
      role === 'owner'
        ? { role, estates: [...new Set(units.map(estateOfUnit))], units }
        : { role, estates: staffEstates, units: [] },
    );
  const first = grants[0];
  if (!first) throw new ForbiddenError('ROLE_NOT_ALLOWED', `this action needs one of: ${allowed.join(', ')}`);
  const name = displayName(claims['name']);
  return { sub: claims['sub'], ...(name ? { name } : {}), ...first, grants };
}

/** Longest display name a document records (Cognito allows 2048; a receipt line holds far less). */
export const MAX_DISPLAY_NAME = 50;

/**
 * The `name` claim (Cognito's standard attribute 姓名, in the ID token when an admin set it): trimmed,
 * control characters dropped, cut to MAX_DISPLAY_NAME. Anything else reads as no name.
 */
function displayName(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed.
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return clean ? [...clean].slice(0, MAX_DISPLAY_NAME).join('') : undefined;
}

function grantsOf(actor: Actor): readonly Grant[] {
  if (actor.grants) return actor.grants;
  return actor.role === 'anonymous' ? [] : [{ role: actor.role, estates: actor.estates, units: actor.units }];
}

/** From here on the actor acts as `grant` (audit rows, payment channels and the rest read `actor.role`). */
function actAs(actor: Actor, grant: Grant): void {
  actor.role = grant.role;
  actor.estates = grant.estates;
  actor.units = grant.units;
}

function coversEstate(g: Grant, estateId: string): boolean {
  // `*` (every estate) is honoured for admins only: a staff token with it would reach every estate.
  return g.estates.includes(estateId) || (g.role === 'admin' && g.estates.includes('*'));
}

/**
 * Outside every scope: an owner learns nothing (the same 404 as a missing thing), staff are told
 * they are not assigned (403). A token that may act as owner here is answered as an owner.
 */
function outside(actor: Actor, estateId: string, notFound: () => NotFoundError): never {
  if (grantsOf(actor).some((g) => g.role === 'owner')) throw notFound();
  throw new ForbiddenError('OUTSIDE_ESTATE', `you are not assigned to estate ${estateId}`);
}

/** Staff must belong to the estate; an owner reaches the estates of their units only. */
export function requireEstate(actor: Actor, estateId: string): void {
  const grant = grantsOf(actor).find((g) => coversEstate(g, estateId));
  if (!grant)
    outside(
      actor,
      estateId,
      () => new NotFoundError('ESTATE_NOT_FOUND', `estate ${estateId} does not exist`),
    );
  actAs(actor, grant);
}

/**
 * A unit's documents: staff in the estate, or an owner of that unit. An owner asking about someone
 * else's unit gets `notFound`, the answer a missing document gets, so ids cannot be probed.
 */
export function requireUnitAccess(
  actor: Actor,
  doc: { estateId: string; unitId?: string },
  notFound: () => NotFoundError,
): void {
  const grant = grantsOf(actor).find((g) =>
    g.role === 'owner'
      ? doc.unitId !== undefined && g.units.includes(doc.unitId) && estateOfUnit(doc.unitId) === doc.estateId
      : coversEstate(g, doc.estateId),
  );
  if (!grant) outside(actor, doc.estateId, notFound);
  actAs(actor, grant);
}

/** `invoice INV-1` → INVOICE_NOT_FOUND: the code the document's loader throws when it does not exist. */
const NOT_FOUND_CODES: Record<string, string> = {
  'parking session': 'SESSION_NOT_FOUND',
  'renovation case': 'RENOVATION_NOT_FOUND',
  'deposit refund': 'REFUND_NOT_FOUND',
};
function notFoundCode(what: string): string {
  const noun = what.replace(/\s+\S+$/, '');
  return NOT_FOUND_CODES[noun] ?? `${noun.toUpperCase().replace(/\W+/g, '_')}_NOT_FOUND`;
}

/**
 * Loads a document and checks the caller may see it. Missing, or someone else's (for an owner):
 * one 404, with the loader's code, whoever asks.
 */
export async function loadInScope<T extends { estateId: string; unitId?: string }>(
  actor: Actor,
  what: string,
  load: () => Promise<T>,
): Promise<T> {
  const doc = await load();
  requireUnitAccess(actor, doc, () => new NotFoundError(notFoundCode(what), `${what} does not exist`));
  return doc;
}
