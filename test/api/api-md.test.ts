/**
 * Issue 17, item 17: API.md, the route table and the served OpenAPI document say the same thing.
 * API.md is read from the shared folder beside the project (`../shared/API.md`; in CI a copy of
 * shared/ sits beside the clone). Lists follow API.md's conventions, and a bad query parameter's
 * error names the parameter.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../lib/api/routes.js';
import { type ApiHarness, apiHarness } from '../support/api.js';
import { pathOf, SAMPLES, seedFixtures, send, type World } from './samples.js';

const API_MD = new URL('../../../shared/API.md', import.meta.url);

/**
 * Routes API.md announces that are not built yet. Each entry leaves this list when its route is
 * built (the test fails while it is in both), and a route API.md drops must leave it too.
 */
const ANNOUNCED_NOT_BUILT: string[] = [
  // Reports and accounting views (SPEC.md §6, §10).
];

/**
 * Routes built beyond API.md's table, each written down in docs/ (SPEC-like decisions where the
 * contract is silent). A route here must not be in API.md (then it belongs to the table).
 */
const BEYOND_API_MD = [
  // 交班: the cashier's drawer count against the cash-up (docs/cashup.md).
  'POST /v1/estates/{estateId}/cashups',
  // The batch print of 催缴通知单 from the arrears report (docs/reports.md).
  'GET /v1/reports/arrears/dunning-notices',
  // docs/reports.md: the renewal runs' log (API.md has the POST that runs them).
  'GET /v1/estates/{estateId}/renewals',
  // docs/payments.md "Reconciliation": a stored reconciliation read again.
  'GET /v1/estates/{estateId}/reconciliations/{id}',
];

/** `METHOD /path` of every row of API.md's route table (and the `GET` a row says reads the same path). */
function apiMdRoutes(): string[] {
  expect(existsSync(API_MD), `API.md not found at ${API_MD.pathname} (shared/ beside the project)`).toBe(
    true,
  );
  const md = readFileSync(API_MD, 'utf8');
  const table = md.slice(md.indexOf('## Routes'), md.indexOf('\n## ', md.indexOf('## Routes') + 1));
  return [...table.matchAll(/^\| `(GET|POST|PUT|PATCH|DELETE) (\/[^`\s]*)` \|(.*)$/gm)].flatMap((m) => [
    `${m[1]} ${m[2]}`,
    ...(/`GET` the same path/.test(m[3]!) ? [`GET ${m[2]}`] : []),
  ]);
}

/**
 * The built routes as API.md names them: a report's `.csv` and `.xlsx` paths are formats of the
 * report's own row (API.md's conventions), unless API.md lists them on their own (`/v1/ledger.csv`).
 */
const built = [
  ...new Set(
    ROUTES.map((r) => `${r.method} ${r.path}`).map((r) =>
      /\.(csv|xlsx)$/.test(r) && !apiMdText().includes(`\`${r}\``) ? r.replace(/\.(csv|xlsx)$/, '') : r,
    ),
  ),
];

function apiMdText(): string {
  return existsSync(API_MD) ? readFileSync(API_MD, 'utf8') : '';
}

describe('API.md and the route table', () => {
  it('lists every built route', () => {
    const documented = apiMdRoutes();
    expect(documented.length, 'no routes parsed from API.md').toBeGreaterThan(30);
    // A report's `.csv` and `.xlsx` paths are its API.md row's (API.md conventions).
    const asDocumented = (r: string) =>
      documented.includes(r) || documented.includes(r.replace(/\.(csv|xlsx)$/, ''));
    expect(built.filter((r) => !asDocumented(r) && !BEYOND_API_MD.includes(r))).toEqual([]);
  });

  it('keeps the beyond-API.md list honest: each is built and none is in API.md', () => {
    const documented = apiMdRoutes();
    expect(BEYOND_API_MD.filter((r) => !built.includes(r))).toEqual([]);
    expect(BEYOND_API_MD.filter((r) => documented.includes(r))).toEqual([]);
  });

  it('has no route the table lacks, except those announced and not built yet', () => {
    const documented = apiMdRoutes();
    expect(documented.filter((r) => !built.includes(r) && !ANNOUNCED_NOT_BUILT.includes(r))).toEqual([]);
  });

  it('keeps the not-built list honest: nothing on it is built, everything on it is announced', () => {
    const documented = apiMdRoutes();
    expect(ANNOUNCED_NOT_BUILT.filter((r) => built.includes(r))).toEqual([]);
    expect(ANNOUNCED_NOT_BUILT.filter((r) => !documented.includes(r))).toEqual([]);
  });
});

let h: ApiHarness;
let world: World;

beforeAll(async () => {
  h = await apiHarness();
  world = await seedFixtures(h, ['admin', 'cashier', 'accountant', 'kiosk', 'owner']);
});
afterAll(() => h?.close());

describe('the served OpenAPI document', () => {
  it('has exactly the routes of the table, so it agrees with API.md too', async () => {
    const r = await h.call('GET', '/openapi.json');
    expect(r.status).toBe(200);
    const served = Object.entries(r.json.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(served.sort()).toEqual(ROUTES.map((route) => `${route.method} ${route.path}`).sort());
  });
});

/** JSON lists: GET routes whose answer is `{items, nextCursor?}`. */
const LISTS = ROUTES.filter(
  (r) =>
    r.method === 'GET' &&
    !r.produces &&
    // The roster is an export in the import layout, whole (no row caps, SPEC.md §6), not a page.
    r.operationId !== 'getRoster' &&
    'shape' in (r.response as object) &&
    'items' in ((r.response as unknown as { shape: object }).shape ?? {}),
);

describe('lists (API.md conventions)', () => {
  it('are found in the route table', () => {
    expect(LISTS.map((r) => r.operationId).sort()).toEqual(
      expect.arrayContaining(['listTariffs', 'listUnitInvoices', 'searchUnits', 'listLedger']),
    );
  });

  it.each(LISTS.map((r) => [r.operationId, r] as const))(
    '%s accepts limit 1 to 1000 (default 100) and a cursor, and answers items and nextCursor',
    (_id, route) => {
      const q = route.query!;
      expect(q, 'a list takes query parameters').toBeDefined();
      const base = SAMPLES[route.operationId]!.sample(world.fixtures.own, 'admin').query ?? {};
      const { limit: _l, ...rest } = base;
      expect((q.safeParse(rest).data as { limit: number }).limit).toBe(100);
      expect((q.safeParse({ ...rest, limit: '1000' }).data as { limit: number }).limit).toBe(1000);
      for (const bad of ['1001', '0']) expect(q.safeParse({ ...rest, limit: bad }).success, bad).toBe(false);
      const shape = (route.response as unknown as { shape: Record<string, unknown> }).shape;
      // A report's page also carries what it is of and its totals (the arrears report); a plain list nothing else.
      const extra = route.path.startsWith('/v1/reports/')
        ? Object.keys(shape).filter((k) => k !== 'items' && k !== 'nextCursor')
        : [];
      expect(Object.keys(shape).sort()).toEqual(['items', 'nextCursor', ...extra].sort());
      expect('cursor' in (q as unknown as { shape: object }).shape).toBe(true);
    },
  );

  it('answer over HTTP: limit 1000 is taken, 1001 is refused naming limit, an unknown parameter is named', async () => {
    const tokens: Record<string, string> = {
      listTariffs: world.tokens.kiosk,
      listParkingSessions: world.tokens.kiosk,
      listLedger: world.tokens.accountant,
      arrearsReport: world.tokens.accountant,
    };
    for (const route of LISTS) {
      const sample = SAMPLES[route.operationId]!.sample(world.fixtures.own, 'admin');
      const token = tokens[route.operationId] ?? world.tokens.admin;
      const path = pathOf(route, sample.params);
      const ok = await h.call('GET', path, { token, query: { ...sample.query, limit: '1000' } });
      expect([route.operationId, ok.status], ok.text).toEqual([route.operationId, 200]);
      expect(Array.isArray(ok.json.items)).toBe(true);
      const big = await h.call('GET', path, { token, query: { ...sample.query, limit: '1001' } });
      expect([route.operationId, big.status]).toEqual([route.operationId, 400]);
      expect(big.json.error.details.map((d: { field: string }) => d.field)).toEqual(['limit']);
      const unknown = await h.call('GET', path, { token, query: { ...sample.query, sort: 'room' } });
      expect([route.operationId, unknown.status]).toEqual([route.operationId, 400]);
      expect(unknown.json.error.details).toEqual([
        { field: 'sort', code: 'UNRECOGNIZED_KEYS', message: 'unknown query parameter sort' },
      ]);
    }
  });

  it('pages the tariff versions with a cursor, newest first, to the end', async () => {
    const first = await send(
      h,
      ROUTES.find((r) => r.operationId === 'addTariff')!,
      {
        params: { estateId: 'DEMO' },
        body: {
          ...(SAMPLES['addTariff']!.sample(world.fixtures.own, 'admin').body as object),
          effectiveFrom: '2026-06-01',
          noticeDate: '2026-04-01',
        },
      },
      world.tokens.admin,
    );
    expect(first.status, first.text).toBe(201);
    const all = await h.call('GET', '/v1/estates/DEMO/tariffs', { token: world.tokens.kiosk });
    expect(all.json.items.length).toBeGreaterThanOrEqual(2);
    expect(all.json.nextCursor).toBeUndefined();
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await h.call('GET', '/v1/estates/DEMO/tariffs', {
        token: world.tokens.kiosk,
        query: { limit: '1', ...(cursor ? { cursor } : {}) },
      });
      expect(page.status, page.text).toBe(200);
      expect(page.json.items).toHaveLength(1);
      seen.push(page.json.items[0].versionId);
      cursor = page.json.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.json.items.map((v: { versionId: string }) => v.versionId));
    const foreign = Buffer.from(JSON.stringify({ PK: 'ESTATE#OTHER', SK: 'TARIFF#2025-01-01' })).toString(
      'base64url',
    );
    const wrong = await h.call('GET', '/v1/estates/DEMO/tariffs', {
      token: world.tokens.kiosk,
      query: { cursor: foreign },
    });
    expect([wrong.status, wrong.json.error.details[0].field]).toEqual([400, 'cursor']);
  });
});
