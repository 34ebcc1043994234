/**
 * Hostile input to every route (fast-check): malformed JSON, wrong types, huge strings, JSON numbers
 * for money, unknown fields, impossible dates, bad ids, negative and fractional counts, bad
 * Idempotency-Keys. Each request starts from the route's valid sample (samples.ts) and breaks one
 * thing, as an allowed role in scope, so validation is the only thing between it and a write.
 *
 * Held: no 5xx; every 4xx in the error shape of API.md; a broken request is refused; and the table is
 * byte-for-byte what it was (not even an idempotency record), checked by scanning it before and after.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnyRoute } from '../../lib/api/route.js';
import { ROUTES } from '../../lib/api/routes.js';
import { ROLES, type Role } from '../../lib/billing/context.js';
import { key } from '../../lib/store/keys.js';
import { type ApiHarness, apiHarness, isErrorBody } from '../support/api.js';
import { pathOf, type Sample, sampleFor, seedFixtures, type World } from './samples.js';

// FUZZ_RUNS=300 for a deeper local run; CI keeps it short.
const RUNS_PER_ROUTE = Number(process.env['FUZZ_RUNS'] ?? 30);

let h: ApiHarness;
let world: World;

beforeAll(async () => {
  h = await apiHarness();
  world = await seedFixtures(h, ROLES);
});

afterAll(() => h?.close());

type Path = (string | number)[];
interface Leaf {
  path: Path;
  value: unknown;
}

function leaves(v: unknown, path: Path = []): Leaf[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => leaves(x, [...path, i]));
  if (v !== null && typeof v === 'object')
    return Object.entries(v).flatMap(([k, x]) => leaves(x, [...path, k]));
  return [{ path, value: v }];
}

function objectPaths(v: unknown, path: Path = []): Path[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => objectPaths(x, [...path, i]));
  if (v !== null && typeof v === 'object') {
    return [path, ...Object.entries(v).flatMap(([k, x]) => objectPaths(x, [...path, k]))];
  }
  return [];
}

/** A copy of `root` with `path` set; defineProperty so that a key like `__proto__` stays an own field. */
function setAt(root: unknown, path: Path, value: unknown, addKey?: string): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node: Record<string | number, unknown> = copy;
  for (const p of path.slice(0, addKey === undefined ? -1 : undefined))
    node = node[p] as Record<string | number, unknown>;
  const k = addKey ?? path[path.length - 1]!;
  Object.defineProperty(node, k, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** Placeholders replaced by raw JSON text after stringifying (numbers JSON.stringify would rewrite). */
const RAW = (text: string) => `\u0000RAW:${text}\u0000`;
const toJson = (body: unknown) => JSON.stringify(body).replace(/"\\u0000RAW:([^"\\]*)\\u0000"/g, '$1');

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT_RE = /^\d{4}-\d{2}-\d{2}T/;
const MONEY_RE = /^\d+\.\d+$/;
const jsonType = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
const isId = (path: Path) => /(Id|No)$/.test(String(path[path.length - 1]));

const HUGE = ['x'.repeat(100_000), '测'.repeat(34_000), `${'9'.repeat(100_000)}.00`];
const IMPOSSIBLE_DATES = [
  '2025-02-30',
  '2025-02-29',
  '2023-02-29',
  '2025-13-01',
  '2025-00-10',
  '2025-04-31',
  '2025-01-32',
];
const IMPOSSIBLE_INSTANTS = [
  '2025-02-30T08:00:00+08:00',
  '2025-03-01T24:00:00+08:00',
  '2025-03-01T08:60:00+08:00',
  '2025-03-01T08:00:61+08:00',
  '2025-03-01T08:00:00+24:00',
  '2025-13-01T08:00:00Z',
];
const BAD_IDS = [
  '../',
  '..%2F..',
  '测试',
  'a'.repeat(300),
  'a b',
  "x'--",
  '<script>',
  'a/b',
  '%',
  '\u0000',
  '🙂',
];
const BAD_COUNTS = ['-1', '0.5', '1.5', '-0.5', '1e21', String(2 ** 53 + 2), '1e999', '-1e999'];
const BAD_MONEY_STRINGS = [
  '1934.505',
  '1e3',
  '-1.00',
  ' 1.00',
  '１２.00',
  '0x10',
  '1,934.50',
  '01.00',
  'NaN',
  'Infinity',
];
const WRONG_TYPES: unknown[] = [0, 1.5, true, false, null, [], {}, 'text', [1, 2], { a: 1 }];
const UNKNOWN_KEYS = ['extra', '__proto__', 'constructor', 'toString', 'amountFen', ''];
const MALFORMED = [
  '',
  ' ',
  '{',
  '{"a":}',
  "{'a':1}",
  '{"a":1,}',
  'null',
  '[]',
  '"x"',
  '42',
  'true',
  'NaN',
  '{"a":1}{"b":2}',
];
const BAD_IDEMPOTENCY_KEYS: (string | undefined)[] = [undefined, 'a b', 'x'.repeat(256), 'a\tb', 'caf\u00e9'];

interface Mutation {
  what: string;
  sample: Sample;
  /** Replaces the JSON body text. */
  raw?: string;
  /** Replaces the whole path (un-encoded injections such as `../`). */
  rawPath?: string;
  idempotencyKey?: string | undefined;
  /** Something validated was broken: the answer must be a 4xx. */
  mustReject: boolean;
}

function mutations(route: AnyRoute, s: Sample): fc.Arbitrary<Mutation> {
  const arbs: fc.Arbitrary<Mutation>[] = [];
  const body = s.body;
  const bodyLeaves = body === undefined ? [] : leaves(body);
  const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs);
  const onLeaves = (
    ls: Leaf[],
    values: readonly unknown[] | ((leaf: Leaf) => readonly unknown[]),
    what: string,
  ) => {
    const cases = ls.flatMap((leaf) =>
      (typeof values === 'function' ? values(leaf) : values).map((value) => [leaf, value] as const),
    );
    if (cases.length === 0) return;
    arbs.push(
      pick(cases).map(([leaf, value]) => ({
        what: `${what} at body.${leaf.path.join('.')}: ${String(value).slice(0, 40)}`,
        sample: { ...s, body: setAt(body, leaf.path, value) },
        mustReject: true,
      })),
    );
  };

  if (route.body) {
    const json = toJson(body);
    arbs.push(
      fc
        .oneof(
          pick(MALFORMED),
          fc.integer({ min: 1, max: Math.max(1, json.length - 1) }).map((n) => json.slice(0, n)),
          fc.constant(`\uFEFF${json}`),
        )
        .map((raw) => ({
          what: `malformed JSON ${JSON.stringify(raw.slice(0, 40))}`,
          sample: s,
          raw,
          mustReject: true,
        })),
    );
    onLeaves(
      bodyLeaves,
      (leaf) => WRONG_TYPES.filter((v) => jsonType(v) !== jsonType(leaf.value)),
      'wrong type',
    );
    onLeaves(
      bodyLeaves.filter((l) => typeof l.value === 'string'),
      HUGE,
      'huge string',
    );
    const money = bodyLeaves.filter((l) => typeof l.value === 'string' && MONEY_RE.test(l.value));
    onLeaves(
      money,
      [...money.map((l) => RAW(l.value as string)), 1934.5, 0, RAW('1e3'), ...BAD_MONEY_STRINGS],
      'money',
    );
    onLeaves(
      bodyLeaves.filter((l) => typeof l.value === 'string' && DATE_RE.test(l.value)),
      IMPOSSIBLE_DATES,
      'impossible date',
    );
    onLeaves(
      bodyLeaves.filter((l) => typeof l.value === 'string' && INSTANT_RE.test(l.value)),
      IMPOSSIBLE_INSTANTS,
      'impossible time',
    );
    onLeaves(
      bodyLeaves.filter((l) => isId(l.path)),
      BAD_IDS,
      'bad id',
    );
    onLeaves(
      bodyLeaves.filter((l) => typeof l.value === 'number'),
      BAD_COUNTS.map(RAW),
      'bad count',
    );
    const objs = objectPaths(body);
    arbs.push(
      fc.tuple(pick(objs), pick(UNKNOWN_KEYS)).map(([path, k]) => ({
        what: `unknown field ${JSON.stringify(k)} at body.${path.join('.')}`,
        sample: { ...s, body: setAt(body, path, 'x', k) },
        mustReject: true,
      })),
    );
  }

  const params = Object.entries(s.params ?? {});
  if (params.length > 0) {
    arbs.push(
      fc.tuple(pick(params.map(([k]) => k)), pick(BAD_IDS), fc.boolean()).map(([name, bad, encoded]) => ({
        what: `bad path ${name}=${JSON.stringify(bad.slice(0, 20))}${encoded ? '' : ' (raw)'}`,
        sample: s,
        rawPath: route.path.replace(/\{(\w+)\}/g, (_m, n: string) =>
          n === name
            ? encoded
              ? encodeURIComponent(bad)
              : bad.replaceAll('\u0000', '%00').replace(/%$/, '%zz')
            : encodeURIComponent(s.params![n]!),
        ),
        mustReject: true,
      })),
    );
  }

  if (route.query || route.roles === 'public') {
    const query = s.query ?? {};
    const keys = Object.keys(query);
    const validated = !!route.query;
    arbs.push(
      pick(UNKNOWN_KEYS.filter(Boolean)).map((k) => ({
        what: `unknown query parameter ${k}`,
        sample: { ...s, query: { ...query, [k]: '1' } },
        mustReject: validated,
      })),
    );
    if (keys.length > 0) {
      arbs.push(
        fc
          .tuple(pick(keys), pick(['true', 'null', '[]', '{"a":1}', '', 'x'.repeat(4000), ...BAD_IDS]))
          .map(([k, v]) => ({
            what: `odd query ${k}=${JSON.stringify(v.slice(0, 20))}`,
            sample: { ...s, query: { ...query, [k]: v } },
            mustReject: false,
          })),
      );
      const dates = keys.filter((k) => DATE_RE.test(query[k]!) || INSTANT_RE.test(query[k]!));
      if (dates.length > 0) {
        arbs.push(
          fc.tuple(pick(dates), pick([...IMPOSSIBLE_DATES, ...IMPOSSIBLE_INSTANTS])).map(([k, v]) => ({
            what: `impossible date in query ${k}=${v}`,
            sample: { ...s, query: { ...query, [k]: v } },
            mustReject: true,
          })),
        );
      }
      if ('limit' in query) {
        arbs.push(
          pick([...BAD_COUNTS, '0']).map((v) => ({
            what: `bad limit ${v}`,
            sample: { ...s, query: { ...query, limit: v } },
            mustReject: true,
          })),
        );
      }
    }
    if ('cursor' in ((route.query as { shape?: object } | undefined)?.shape ?? {})) {
      // Forged cursors: start keys DynamoDB itself would refuse (a 500 if they got that far).
      const forge = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
      const forged = [
        forge({ PK: 'ESTATE#DEMO' }),
        forge({ PK: 'ESTATE#DEMO', SK: 'UNITNO#1栋#1801', extra: 'x' }),
        forge({ PK: 'ESTATE#DEMO', SK: 'UNITNO#1栋#1801', GSI1PK: 'x', GSI1SK: 'y' }),
        forge({ PK: 'ESTATE#DEMO', SK: 'UNITNO#1栋#1801', GSI2PK: 'x', GSI2SK: 'y' }),
        forge({ PK: 'ESTATE#DEMO', SK: '' }),
        forge({ PK: 'ESTATE#DEMO', SK: 5 }),
        forge({ PK: 'ESTATE#DEMO', SK: '测'.repeat(400) }),
        forge(['PK', 'SK']),
        'not-base64-json',
      ];
      arbs.push(
        pick(forged).map((cursor) => ({
          what: `forged cursor ${Buffer.from(cursor, 'base64url').toString('utf8').slice(0, 60)}`,
          sample: { ...s, query: { ...query, cursor } },
          mustReject: false,
        })),
      );
    }
  }

  if (route.idempotent) {
    arbs.push(
      pick(BAD_IDEMPOTENCY_KEYS).map((k) => ({
        what: `Idempotency-Key ${JSON.stringify(k?.slice(0, 20))}`,
        sample: s,
        idempotencyKey: k,
        mustReject: true,
      })),
    );
  }
  return fc.oneof(...arbs);
}

function roleFor(route: AnyRoute): Role | undefined {
  return route.roles === 'public' ? undefined : route.roles[0];
}

describe.each(ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))('%s', (_name, route) => {
  it(`survives ${RUNS_PER_ROUTE} hostile requests without a 5xx or a write`, async () => {
    const role = roleFor(route);
    const token = role ? world.tokens[role] : undefined;
    const sample = sampleFor(route).sample(world.fixtures.own, role ?? 'admin');
    const before = await h.scan();
    await fc.assert(
      fc.asyncProperty(mutations(route, sample), async (m) => {
        const headers: Record<string, string> = {};
        // Money-moving routes get a valid key unless the key is what is being broken.
        const idem = 'idempotencyKey' in m ? m.idempotencyKey : route.idempotent ? 'fuzz-key-1' : undefined;
        if (idem !== undefined) headers['Idempotency-Key'] = idem;
        const path = m.rawPath ?? pathOf(route, m.sample.params);
        const raw = m.raw ?? (m.sample.body !== undefined && route.body ? toJson(m.sample.body) : undefined);
        const r = await h.call(route.method, path, {
          ...(token ? { token } : {}),
          ...(m.sample.query ? { query: m.sample.query } : {}),
          ...(raw !== undefined ? { raw } : {}),
          headers,
        });
        const where = `${m.what} → ${r.status} ${r.text.slice(0, 300)}`;
        expect(r.status, where).toBeLessThan(500);
        if (r.status >= 400) expect(isErrorBody(r.json), where).toBe(true);
        if (m.mustReject) expect(r.status >= 400 && r.status < 500, where).toBe(true);
        if (idem !== undefined && role) {
          // Pinpoints the input that got as far as taking the key (the scan below only says that one did).
          const record = await h.db.get(key.idempotency(`${role}-test`, idem));
          expect(record, `${where}: wrote an idempotency record`).toBeUndefined();
        }
      }),
      { numRuns: RUNS_PER_ROUTE, endOnFailure: true },
    );
    const after = await h.scan();
    const keyOf = (i: Record<string, { S?: string }>) => `${i['PK']?.S} ${i['SK']?.S}`;
    const changed = [
      ...after
        .filter((a) => !before.some((b) => JSON.stringify(a) === JSON.stringify(b)))
        .map((i) => `+ ${keyOf(i)}`),
      ...before
        .filter((b) => !after.some((a) => JSON.stringify(a) === JSON.stringify(b)))
        .map((i) => `- ${keyOf(i)}`),
    ];
    expect(changed, 'items written or changed by rejected requests').toEqual([]);
    expect(after).toEqual(before);
  });
});
