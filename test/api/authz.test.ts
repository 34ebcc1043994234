/**
 * The authorization matrix of API.md, generated from the route table: every route × every role ×
 * inside and outside its scope, through the HTTP server with real tokens. A route without a sample
 * in test/api/samples.ts fails here, so no endpoint ships without matrix coverage.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDevToken } from '../../infra/local/dev-auth.js';
import { ROUTES } from '../../lib/api/routes.js';
import { ROLES, type Role } from '../../lib/billing/context.js';
import { type ApiHarness, type ApiResponse, apiHarness, isErrorBody } from '../support/api.js';
import { type Place, pathOf, SAMPLES, sampleFor, seedFixtures, send, type World } from './samples.js';

let h: ApiHarness;
let world: World;

beforeAll(async () => {
  h = await apiHarness();
  world = await seedFixtures(h, ROLES);
});

afterAll(() => h?.close());

/** What API.md says a role gets at a place: allowed in scope, 403 for staff outside, 404 for owners outside their units. */
function expected(
  roles: readonly Role[] | 'public',
  role: Role,
  scope: 'estate' | 'unit',
  place: Place,
): 'allowed' | 403 | 404 {
  if (roles !== 'public' && !roles.includes(role)) return 403;
  if (place === 'own') return 'allowed';
  if (place === 'neighbour') return role === 'owner' && scope === 'unit' ? 404 : 'allowed';
  return role === 'owner' ? 404 : 403;
}

function describeAnswer(r: ApiResponse): string {
  return `${r.status} ${r.text.slice(0, 300)}`;
}

/** Runs `tasks` a few at a time: the matrix is hundreds of requests, the machine has two cores. */
async function pool<T>(tasks: (() => Promise<T>)[], width = 6): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) {
        const i = next++;
        out[i] = await tasks[i]!();
      }
    }),
  );
  return out;
}

describe('the matrix covers the route table', () => {
  it('has a sample for every route in ROUTES', () => {
    const missing = ROUTES.filter((r) => !SAMPLES[r.operationId]).map(
      (r) => `${r.operationId} (${r.method} ${r.path})`,
    );
    expect(
      missing,
      `routes without an authorization-matrix entry; add each to SAMPLES in test/api/samples.ts ` +
        '(scope + a schema-valid sample request from the fixture ids)',
    ).toEqual([]);
  });

  it('has no sample for a route that no longer exists', () => {
    const known = new Set(ROUTES.map((r) => r.operationId));
    expect(Object.keys(SAMPLES).filter((id) => !known.has(id))).toEqual([]);
  });

  it('marks exactly the routes without an authorizer as public', () => {
    for (const route of ROUTES) {
      const e = SAMPLES[route.operationId];
      if (e)
        expect([route.operationId, e.scope === 'public']).toEqual([
          route.operationId,
          route.roles === 'public',
        ]);
    }
  });
});

describe.each(ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))('%s', (_name, route) => {
  it('answers 401 without a valid token, before anything else', async () => {
    const e = sampleFor(route);
    const s = e.sample(world.fixtures.own, 'admin');
    if (route.roles === 'public') {
      const r = await send(h, route, s);
      expect(r.status, describeAnswer(r)).toBe(200);
      return;
    }
    const otherKey = new Uint8Array(32).fill(7);
    const badTokens: [string, string | undefined][] = [
      ['no token', undefined],
      ['not a JWT', 'not-a-token'],
      ['signed with another key', await signDevToken({ role: 'admin', estates: ['DEMO'] }, otherKey)],
      ['expired', await h.token('admin', { ttlSeconds: -60 })],
      [
        'alg none',
        `${Buffer.from('{"alg":"none"}').toString('base64url')}.${world.tokens.admin.split('.')[1]}.`,
      ],
    ];
    for (const [what, token] of badTokens) {
      const r = await send(h, route, s, token);
      expect([what, r.status], describeAnswer(r)).toEqual([what, 401]);
      expect(isErrorBody(r.json), r.text).toBe(true);
      expect(r.json.error.code).toBe('UNAUTHORIZED');
    }
  });

  it('answers each role as API.md says, inside and outside its scope', async () => {
    const e = sampleFor(route);
    if (e.scope === 'public') {
      for (const role of ROLES) {
        const r = await send(h, route, e.sample(world.fixtures.own, role), world.tokens[role]);
        expect([role, r.status], describeAnswer(r)).toEqual([role, 200]);
      }
      return;
    }
    const places: Place[] = e.scope === 'unit' ? ['own', 'neighbour', 'other'] : ['own', 'other'];
    const cases = ROLES.flatMap((role) =>
      places.map((place) => ({
        role,
        place,
        want: expected(route.roles, role, e.scope as 'estate' | 'unit', place),
      })),
    );
    const answers = await pool(
      cases.map((c) => () => send(h, route, e.sample(world.fixtures[c.place], c.role), world.tokens[c.role])),
    );
    const wrong: string[] = [];
    cases.forEach((c, i) => {
      const r = answers[i]!;
      const fine =
        c.want === 'allowed'
          ? r.status < 500 && ![401, 403, 404].includes(r.status)
          : r.status === c.want && isErrorBody(r.json);
      if (!fine) wrong.push(`${c.role} @ ${c.place}: wanted ${c.want}, got ${describeAnswer(r)}`);
    });
    expect(
      wrong,
      `${route.operationId} ${pathOf(route, e.sample(world.fixtures.own, 'admin').params)}`,
    ).toEqual([]);
  });
});

describe('tokens', () => {
  it('refuses a token without a known role with 403, and a token without a subject with 401', async () => {
    const quote = ROUTES.find((r) => r.operationId === 'createQuote')!;
    const s = sampleFor(quote).sample(world.fixtures.own, 'cashier');
    const noRole = await signDevToken({ role: 'janitor', estates: ['DEMO'] }, h.signingKey);
    const r = await send(h, quote, s, noRole);
    expect([r.status, r.json.error.code]).toEqual([403, 'NO_ROLE']);
    const noSub = await signDevToken({ role: 'cashier', estates: ['DEMO'], sub: '' }, h.signingKey);
    expect((await send(h, quote, s, noSub)).status).toBe(401);
  });

  it('lets a wildcard estate scope reach every estate for admins only, and an owner only with the unit claim', async () => {
    const getInvoice = ROUTES.find((r) => r.operationId === 'getInvoice')!;
    const other = sampleFor(getInvoice).sample(world.fixtures.other, 'accountant');
    const adminEverywhere = await h.token('admin', { estates: ['*'] });
    expect((await send(h, getInvoice, other, adminEverywhere)).status).toBe(200);
    // A staff token with `*` would reach every estate's money: honoured for admins only.
    const accountantEverywhere = await h.token('accountant', { estates: ['*'] });
    expect((await send(h, getInvoice, other, accountantEverywhere)).status).toBe(403);
    const own = sampleFor(getInvoice).sample(world.fixtures.own, 'owner');
    const ownerWithoutUnits = await h.token('owner', { sub: 'owner-demo' });
    expect((await send(h, getInvoice, own, ownerWithoutUnits)).status).toBe(404);
    expect((await send(h, getInvoice, own, world.tokens.owner)).status).toBe(200);
  });
});
