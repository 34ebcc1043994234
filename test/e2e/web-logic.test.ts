/**
 * The pages' logic that needs no browser: a polite Chinese sentence for every error code the API
 * can produce (found by reading the sources, so a new code without a message fails here), payment
 * attempts and their Idempotency-Keys, amounts typed at the counter, tokens read for display, and
 * the static file handler of `npm start`.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDevToken } from '../../infra/local/dev-auth.js';
import { buildWeb, webStaticHandler } from '../../infra/local/web.js';
import { ApiProblem } from '../../lib/web/shared/api.js';
import { PaymentAttempt } from '../../lib/web/shared/attempt.js';
import { readClaims } from '../../lib/web/shared/claims.js';
import { MESSAGES, politeMessage } from '../../lib/web/shared/messages.js';
import { changeSentence, normaliseAmount, toFen } from '../../lib/web/shared/money.js';
import { RAW_CODE } from './harness.js';

const ROOT = process.cwd();

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'web' ? [] : sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** The first argument of each `new XError(` / second of `ValidationError.of(`: the codes a client can see. */
function errorCodes(text: string): Set<string> {
  const codes = new Set<string>();
  const quoted = (s: string) => [...s.matchAll(/'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)'/g)].map((m) => m[1]!);
  for (const m of text.matchAll(/new (?:NotFound|Conflict|Unprocessable|Forbidden)Error\(([^,]*?),/gs)) {
    // `cond ? 'A' : 'B'`: only the branches are codes, not what the condition compares.
    const arg = m[1]!;
    for (const c of quoted(arg.includes('?') ? arg.slice(arg.indexOf('?')) : arg)) codes.add(c);
  }
  for (const m of text.matchAll(/ValidationError\.of\(\s*[^,]+,\s*'([A-Z][A-Z0-9_]+)'/g)) codes.add(m[1]!);
  for (const m of text.matchAll(/\bcode: '([A-Z][A-Z0-9_]+)'/g)) codes.add(m[1]!);
  for (const m of text.matchAll(/\bbody\('([A-Z][A-Z0-9_]+)'/g)) codes.add(m[1]!);
  return codes;
}

describe('error messages', () => {
  const files = [...sources(join(ROOT, 'lib')), join(ROOT, 'infra', 'local', 'server.ts')];
  const codes = new Set<string>();
  for (const f of files) for (const c of errorCodes(readFileSync(f, 'utf8'))) codes.add(c);

  it('finds the codes the API can return', () => {
    // The scan itself must work: these are thrown in billing, payments, parking and the API layer.
    for (const known of [
      'ALREADY_PAID',
      'TENDERED_TOO_LOW',
      'UNAUTHORIZED',
      'STORE_UNAVAILABLE',
      'INVALID_PLATE',
      'BUILDING_REQUIRED',
    ]) {
      expect(codes, known).toContain(known);
    }
    expect(codes.size).toBeGreaterThan(60);
  });

  it('has a plain-Chinese sentence for every one of them', () => {
    const missing = [...codes].filter((c) => !MESSAGES[c]).sort();
    expect(missing, 'add these to lib/web/shared/messages.ts').toEqual([]);
  });

  it('says each politely: Chinese, no raw code, never "come back tomorrow"', () => {
    for (const [code, text] of Object.entries(MESSAGES)) {
      expect(text, code).toMatch(/[\u4e00-\u9fa5]/);
      expect(text, code).not.toMatch(RAW_CODE);
      expect(text, code).not.toMatch(/明天|明日|改天|下次再来/);
      expect(text, code).toMatch(/[。!]$/);
    }
  });

  it('prefers the rule a 400 names, then the fields, then the status', () => {
    const tooLow = {
      status: 400,
      code: 'INVALID_INPUT',
      details: [{ field: 'tendered', code: 'TENDERED_TOO_LOW' }],
    };
    expect(politeMessage(tooLow)).toBe(MESSAGES['TENDERED_TOO_LOW']);
    const zod = {
      status: 400,
      code: 'INVALID_INPUT',
      details: [
        { field: 'items[0].spaces', code: 'TOO_SMALL' },
        { field: 'reason', code: 'TOO_BIG' },
      ],
    };
    expect(politeMessage(zod)).toBe('请检查“车位数”“作废原因”的填写,然后再试。');
    expect(politeMessage({ status: 400, code: 'INVALID_INPUT', details: [{ field: 'x', code: 'Y' }] })).toBe(
      MESSAGES['INVALID_INPUT'],
    );
    expect(politeMessage({ status: 409, code: 'SOMETHING_NEW' })).toMatch(/刷新/);
    expect(politeMessage({ status: 503, code: 'HTTP_503' })).toBe(MESSAGES['STORE_UNAVAILABLE']);
    expect(politeMessage({ status: 429, code: 'THROTTLED' })).toBe(MESSAGES['THROTTLED']);
    expect(politeMessage({ status: 0, code: 'NETWORK' })).toBe(MESSAGES['NETWORK']);
    for (const status of [400, 401, 403, 404, 405, 409, 413, 422, 429, 500, 502, 503, 504]) {
      const text = politeMessage({ status, code: `HTTP_${status}` });
      expect(text, String(status)).not.toMatch(RAW_CODE);
      expect(text, String(status)).toMatch(/[\u4e00-\u9fa5]/);
    }
  });
});

describe('amounts at the counter', () => {
  it('normalises what a cashier types to a two-decimal string, or refuses it', () => {
    expect(normaliseAmount('3000')).toBe('3000.00');
    expect(normaliseAmount(' 3000.5 ')).toBe('3000.50');
    expect(normaliseAmount('３０００.０５')).toBe('3000.05');
    expect(normaliseAmount('¥3,000.00元')).toBe('3000.00');
    for (const bad of ['', '3000.001', '1e3', '-5', '12,3.4.5', '0x10', 'abc', '3000.'])
      expect(normaliseAmount(bad), bad).toBeUndefined();
  });

  it('compares in fen and says the change as cashiers do, from the API fields', () => {
    expect(toFen('2294.50')).toBe(229450n);
    expect(toFen('-0.05')).toBe(-5n);
    expect(() => toFen('1.5')).toThrow(RangeError);
    expect(changeSentence({ amount: '2294.50', tendered: '3000.00', change: '705.50' })).toBe(
      '收您3000.00元,找您705.50元',
    );
    expect(changeSentence({ amount: '2294.50', tendered: '2294.50', change: '0.00' })).toBe(
      '收您2294.50元,金额正好,无需找零',
    );
  });
});

describe('payment attempts', () => {
  const deferred = <T>() => {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };

  it('a double tap joins the request in flight: one send, one key', async () => {
    const sent: [string, string][] = [];
    const gate = deferred<string>();
    const a = new PaymentAttempt<string>((key, body) => {
      sent.push([key, body]);
      return gate.promise;
    });
    const first = a.submit({ channel: 'CASH' });
    const second = a.submit({ channel: 'CASH' });
    expect(a.busy).toBe(true);
    gate.resolve('R1');
    expect(await first).toBe('R1');
    expect(await second).toBe('R1');
    expect(await a.submit({ channel: 'CASH' })).toBe('R1');
    expect(sent).toHaveLength(1);
  });

  it('an unknown outcome is retried with the same key and the same bytes', async () => {
    const sent: [string, string][] = [];
    let fail = true;
    const a = new PaymentAttempt<string>(async (key, body) => {
      sent.push([key, body]);
      if (fail) throw new ApiProblem(503, 'STORE_UNAVAILABLE');
      return 'R2';
    });
    await expect(a.submit({ tendered: '3000.00' })).rejects.toThrow(MESSAGES['STORE_UNAVAILABLE']!);
    expect(a.pendingRetry).toBe(true);
    fail = false;
    expect(await a.submit({ tendered: '5000.00' })).toBe('R2');
    expect(sent[1]).toEqual(sent[0]);
    expect(JSON.parse(sent[1]![1])).toEqual({ tendered: '3000.00' });
  });

  it('a definite refusal starts a new attempt with a new key', async () => {
    const sent: [string, string][] = [];
    const a = new PaymentAttempt<string>(async (key, body) => {
      sent.push([key, body]);
      if (sent.length === 1)
        throw new ApiProblem(400, 'INVALID_INPUT', [{ field: 'tendered', code: 'TENDERED_TOO_LOW' }]);
      return 'R3';
    });
    await expect(a.submit({ tendered: '100.00' })).rejects.toThrow(MESSAGES['TENDERED_TOO_LOW']!);
    expect(a.pendingRetry).toBe(false);
    expect(await a.submit({ tendered: '3000.00' })).toBe('R3');
    expect(sent[1]![0]).not.toBe(sent[0]![0]);
    expect(JSON.parse(sent[1]![1])).toEqual({ tendered: '3000.00' });
  });

  it('treats no answer, 5xx, 429 and a request in progress as unknown outcomes', () => {
    for (const p of [
      new ApiProblem(0, 'NETWORK'),
      new ApiProblem(500, 'INTERNAL'),
      new ApiProblem(429, 'THROTTLED'),
      new ApiProblem(409, 'REQUEST_IN_PROGRESS'),
    ]) {
      expect(p.outcomeUnknown, p.code).toBe(true);
    }
    for (const p of [
      new ApiProblem(409, 'ALREADY_PAID'),
      new ApiProblem(400, 'INVALID_INPUT'),
      new ApiProblem(422, 'IDEMPOTENCY_KEY_REUSED'),
    ]) {
      expect(p.outcomeUnknown, p.code).toBe(false);
    }
  });
});

describe('tokens read for display', () => {
  it('reads role, estates, units and expiry from a token the server signs', async () => {
    const key = new Uint8Array(32).fill(7);
    const token = await signDevToken(
      { role: 'owner', estates: ['DEMO', 'B2'], units: ['DEMO-U0001'], sub: '业主-李' },
      key,
    );
    const c = readClaims(token)!;
    expect(c).toMatchObject({
      sub: '业主-李',
      roles: ['owner'],
      estates: ['DEMO', 'B2'],
      units: ['DEMO-U0001'],
    });
    expect(c.exp).toBeGreaterThan(Date.now() / 1000);
    expect(readClaims('not a token')).toBeUndefined();
    expect(readClaims('a.b.c')).toBeUndefined();
  });
});

describe('static pages of npm start', () => {
  let dir: string;
  let serve: ReturnType<typeof webStaticHandler>;
  const req = (method: string, url: string) => serve({ method, url } as IncomingMessage);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'web-static-'));
    const built = await buildWeb(dir);
    expect(built.ms).toBeLessThan(5000);
    serve = webStaticHandler(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves both pages, their bundles and config.json', async () => {
    for (const app of ['counter', 'kiosk']) {
      const page = (await req('GET', `/${app}/`))!;
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
      expect(page.body.toString()).toContain('<script type="module" src="./main.js">');
      const js = (await req('GET', `/${app}/main.js`))!;
      expect(js.status).toBe(200);
      expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect((await req('GET', `/${app}/main.css`))!.body.toString()).toContain('--brand');
      expect((await req('GET', `/${app}`))!).toMatchObject({
        status: 301,
        headers: { location: `/${app}/` },
      });
    }
    expect(JSON.parse((await req('GET', '/config.json'))!.body.toString())).toEqual({ apiBaseUrl: '' });
    expect((await req('HEAD', '/kiosk/'))!.body.length).toBe(0);
  });

  it('leaves the API alone and never leaves its folder', async () => {
    expect(await req('GET', '/v1/units/DEMO-U0001')).toBeUndefined();
    expect(await req('GET', '/health')).toBeUndefined();
    expect(await req('GET', '/counterfeit')).toBeUndefined();
    expect((await req('POST', '/counter/'))!.status).toBe(405);
    expect((await req('GET', '/counter/nothing.js'))!.status).toBe(404);
    for (const sneaky of [
      '/counter/..%2f..%2fpackage.json',
      '/counter/%2e%2e/%2e%2e/package.json',
      '/kiosk/..%5c..%5cpackage.json',
    ]) {
      const r = await req('GET', sneaky);
      expect(r === undefined || r.status === 404, sneaky).toBe(true);
    }
  });
});
