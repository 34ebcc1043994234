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
import { multiRoleToken, type RoleScope } from '../support/tokens.js';
import {
  type Fixture,
  type Place,
  pathOf,
  SAMPLES,
  sampleFor,
  seedFixtures,
  send,
  type World,
} from './samples.js';

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
      expect(r.status, describeAnswer(r)).toBe(e.publicStatus ?? 200);
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
        expect([role, r.status], describeAnswer(r)).toEqual([role, e.publicStatus ?? 200]);
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

/**
 * SPEC.md §7: scopes are per role. Each token below holds two roles in different places; at every
 * place the holder may do what one of its roles may do there, and nothing else.
 */
const MULTI_ROLE: { name: string; roles: (w: World) => RoleScope[] }[] = [
  {
    name: 'cashier in DEMO, owner of a flat in OTHER',
    roles: (w) => [
      { role: 'cashier', estates: ['DEMO'] },
      { role: 'owner', units: [w.fixtures.other.unitId] },
    ],
  },
  {
    name: 'owner of a flat in DEMO, accountant in OTHER',
    roles: (w) => [
      { role: 'owner', units: [w.fixtures.own.unitId] },
      { role: 'accountant', estates: ['OTHER'] },
    ],
  },
  {
    // custom:estates scopes every staff role alike (API.md claims), so staff roles share estates.
    name: 'kiosk and gate in DEMO, owner of a flat in OTHER',
    roles: (w) => [
      { role: 'kiosk', estates: ['DEMO'] },
      { role: 'gate', estates: ['DEMO'] },
      { role: 'owner', units: [w.fixtures.other.unitId] },
    ],
  },
];

/** The role of `roles` that may act at `f` for a route, or the answer when none may. */
function multiExpected(
  routeRoles: readonly Role[],
  roles: RoleScope[],
  scope: 'estate' | 'unit',
  f: Fixture,
): { acts: RoleScope } | 403 | 404 {
  const usable = routeRoles.flatMap((r) => roles.filter((g) => g.role === r));
  if (usable.length === 0) return 403;
  const covers = (g: RoleScope) =>
    g.role === 'owner'
      ? scope === 'unit'
        ? (g.units ?? []).includes(f.unitId)
        : (g.units ?? []).some((u) => u.startsWith(`${f.estateId}-`))
      : (g.estates ?? []).includes(f.estateId);
  const acts = usable.find(covers);
  if (acts) return { acts };
  return usable.some((g) => g.role === 'owner') ? 404 : 403;
}

describe.each(MULTI_ROLE)('a token that is $name', ({ roles: rolesOf }) => {
  it('answers every route at every place as its role for that place would be answered', async () => {
    const roles = rolesOf(world);
    const token = await multiRoleToken(h.signingKey, 'multi-role', roles);
    const places: Place[] = ['own', 'neighbour', 'other'];
    const cases = ROUTES.filter((r) => r.roles !== 'public').flatMap((route) => {
      const e = sampleFor(route);
      return places.map((place) => {
        const want = multiExpected(
          route.roles as Role[],
          roles,
          e.scope as 'estate' | 'unit',
          world.fixtures[place],
        );
        const as = (typeof want === 'object' ? want.acts.role : roles[0]!.role) as Role;
        return { route, place, want, sample: e.sample(world.fixtures[place], as) };
      });
    });
    const answers = await pool(cases.map((c) => () => send(h, c.route, c.sample, token)));
    const wrong: string[] = [];
    cases.forEach((c, i) => {
      const r = answers[i]!;
      const fine =
        typeof c.want === 'object'
          ? r.status < 500 && ![401, 403, 404].includes(r.status)
          : r.status === c.want && isErrorBody(r.json);
      const want = typeof c.want === 'object' ? `allowed as ${c.want.acts.role}` : c.want;
      if (!fine) wrong.push(`${c.route.operationId} @ ${c.place}: wanted ${want}, got ${describeAnswer(r)}`);
    });
    expect(wrong).toEqual([]);
  });
});

describe('per-role scopes where money moves', () => {
  it('gives a cashier of DEMO who owns a flat in OTHER no counter powers over that flat', async () => {
    const token = await multiRoleToken(h.signingKey, 'cashier-and-owner', [
      { role: 'cashier', estates: ['DEMO'] },
      { role: 'owner', units: [world.fixtures.other.unitId] },
    ]);
    const invoice = await h.call('GET', `/v1/invoices/${world.fixtures.other.invoiceId}`, { token });
    expect(invoice.status, invoice.text).toBe(200);
    const before = await h.scan();
    const cash = await h.call('POST', `/v1/invoices/${world.fixtures.other.invoiceId}/payments`, {
      token,
      headers: { 'Idempotency-Key': 'multi-role-cash' },
      body: { channel: 'CASH', amount: invoice.json.total, tendered: invoice.json.total },
    });
    // Only cashiers pay invoices here (owners pay through payment orders): the cashier role is not OTHER's.
    expect([cash.status, cash.json.error?.code], cash.text).toEqual([403, 'OUTSIDE_ESTATE']);
    const issue = await h.call('POST', '/v1/invoices', {
      token,
      headers: { 'Idempotency-Key': 'multi-role-issue' },
      body: { unitId: world.fixtures.other.unitId, items: [{ type: 'PROPERTY_FEE' }] },
    });
    expect([issue.status, issue.json.error?.code], issue.text).toEqual([403, 'OUTSIDE_ESTATE']);
    // The only new item is the key's record of the refusal (a retry replays it); no money moved.
    const fresh = (await h.scan()).filter(
      (i) => !before.some((b) => JSON.stringify(b) === JSON.stringify(i)),
    );
    expect(fresh.filter((i) => i['type']?.S !== 'IDEMPOTENCY')).toEqual([]);
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
