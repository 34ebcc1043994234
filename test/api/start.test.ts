/**
 * `npm start` as a developer runs it: the real infra/local/start.ts in its own process, with its
 * data in a temporary LOCAL_DATA_DIR. It serves /health, writes a working token per role to
 * tokens.env (the README's examples run against it), keeps its data across a restart, starts empty
 * with --fresh, refuses a second server on its data directory, stops on bad input with one line,
 * and leaves no process behind after Ctrl-C (SIGINT) or a hard kill (SIGKILL).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { expectation, mismatch, readmeExamples, runExamples } from '../support/readme-examples.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const HEALTH_TIMEOUT_MS = 60_000; // a busy 2-core machine has taken 21 s
const EXIT_TIMEOUT_MS = 15_000;
const TMP = mkdtempSync(join(tmpdir(), 'npm-start-test-'));
const DATA_A = join(TMP, 'a');
const DATA_B = join(TMP, 'b');
interface Proc {
  pid: number;
  ppid: number;
  pgid: number;
  state: string;
  cmdline: string;
}

/** Every process of the machine, from /proc (Linux; the JVM's command line names its port). */
function processes(): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // "pid (comm) state ppid pgrp …": comm may hold spaces, so split after its closing parenthesis.
      const [state, ppid, pgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim();
      // A zombie has released everything; reaping it is up to whoever is PID 1 here.
      if (state !== 'Z')
        out.push({ pid: Number(name), ppid: Number(ppid), pgid: Number(pgid), state: state!, cmdline });
    } catch {
      // Exited while we looked.
    }
  }
  return out;
}

const alive = (pid: number) => processes().some((p) => p.pid === pid);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined> | T | undefined,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
  msToHealth: number;
}

const running: Started[] = [];

interface StartOptions {
  dataDir?: string;
  args?: string[];
  env?: Record<string, string>;
  port?: number;
}

/** `tsx infra/local/start.ts` in its own process group, as a terminal would run `npm start`. */
function spawnStart(opts: StartOptions, port: number): Omit<Started, 'msToHealth'> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/start.ts', ...(opts.args ?? [])], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      NODE_ENV: 'development',
      LOCAL_DATA_DIR: opts.dataDir ?? DATA_A,
      DYNAMO_ENDPOINT: '',
      ...opts.env,
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (output += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, url: `http://127.0.0.1:${port}`, output: () => output, exited };
}

async function start(opts: StartOptions = {}): Promise<Started> {
  const port = opts.port ?? (await freePort());
  const t0 = Date.now();
  const s = { ...spawnStart(opts, port), msToHealth: 0 };
  running.push(s);
  await until(`GET ${s.url}/health`, HEALTH_TIMEOUT_MS, async () => {
    if (s.child.exitCode !== null) throw new Error(`npm start exited ${s.child.exitCode}: ${s.output()}`);
    try {
      const r = await fetch(`${s.url}/health`, { signal: AbortSignal.timeout(1_000) });
      return r.status === 200 ? true : undefined;
    } catch {
      return undefined;
    }
  }).catch((e: Error) => {
    throw new Error(`${e.message}; output so far: ${s.output().slice(-1500)}`);
  });
  s.msToHealth = Date.now() - t0;
  // The tokens file is written right after the server line.
  await until('tokens.env', 10_000, () => (s.output().includes('Ctrl-C stops') ? true : undefined));
  return s;
}

/** A start that must fail: its exit code and what it printed. */
async function failedStart(opts: StartOptions): Promise<{ code: number | null; output: string }> {
  const s = spawnStart(opts, opts.port ?? (await freePort()));
  running.push({ ...s, msToHealth: 0 });
  const code = await Promise.race([
    s.exited,
    new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), HEALTH_TIMEOUT_MS)),
  ]);
  expect(code, s.output()).not.toBe('timeout');
  return { code: code as number | null, output: s.output() };
}

function tokensOf(dataDir: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(join(dataDir, 'tokens.env'), 'utf8')
      .split('\n')
      .filter((l) => /^[A-Z]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

// biome-ignore lint/suspicious/noExplicitAny: the assertions read the bodies field by field.
async function get(s: Started, path: string, token: string): Promise<{ status: number; json: any }> {
  const r = await fetch(`${s.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: r.status, json: await r.json() };
}

async function stopWith(s: Started, signal: NodeJS.Signals): Promise<void> {
  const { java, port, startTs } = dynamoOf(s);
  // Only start.ts gets the signal, so the JVM's end is start.ts's doing, not the terminal's.
  process.kill(startTs.pid, signal);
  await expectAllGone(s, java, port);
}

/** The JVM this run started, and the node process running start.ts (its parent). */
function dynamoOf(s: Started): { java: Proc; port: string; startTs: Proc } {
  const all = processes();
  const javas = all.filter((p) => p.pgid === s.child.pid && p.cmdline.includes('DynamoDBLocal.jar'));
  expect(javas, `DynamoDB Local processes in the group of ${s.child.pid}`).toHaveLength(1);
  const java = javas[0]!;
  const port = /-port (\d+)/.exec(java.cmdline)?.[1];
  expect(port).toMatch(/^\d+$/);
  const startTs = all.find((p) => p.pid === java.ppid);
  expect(startTs?.cmdline).toContain('infra/local/start.ts');
  return { java, port: port!, startTs: startTs! };
}

async function expectAllGone(s: Started, java: Proc, port: string): Promise<void> {
  const code = await Promise.race([
    s.exited,
    new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), EXIT_TIMEOUT_MS)),
  ]);
  const leftovers = () =>
    processes()
      .filter(
        (p) =>
          p.pgid === s.child.pid ||
          (p.cmdline.includes('DynamoDBLocal') && p.cmdline.includes(`-port ${port}`)),
      )
      .map((p) => `${p.pid} ${p.state} ${p.cmdline.slice(0, 100)}`);
  expect(code, `${s.output().slice(-1000)}\nstill running:\n${leftovers().join('\n')}`).not.toBe('timeout');
  // Exiting takes a moment after the parent has gone; a process still there after 5 s is left behind.
  await until('the JVM to go', 5_000, () => (alive(java.pid) ? undefined : true)).catch(() => undefined);
  await until('the group to go', 5_000, () => (leftovers().length ? undefined : true)).catch(() => undefined);
  expect(leftovers()).toEqual([]);
  await expect(fetch(`${s.url}/health`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
}

afterEach(() => {
  // Only what this file started: its own process groups, if a failed test left them running.
  for (const s of running.splice(0)) {
    if (s.child.pid && processes().some((p) => p.pgid === s.child.pid)) {
      try {
        process.kill(-s.child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
});

afterAll(() => rmSync(TMP, { recursive: true, force: true }));

describe('npm start', () => {
  it('serves /health, writes a working token per role, answers the README examples, and Ctrl-C stops DynamoDB Local too', async () => {
    const s = await start();
    console.info(`npm start (empty store) served /health after ${s.msToHealth} ms`);
    expect(s.output()).toMatch(/^store: +DynamoDB Local, data in .+$/m);
    expect(s.output()).toMatch(/^table: +property-billing-local created/m);
    expect(s.output()).toMatch(/^seed: +demo estate DEMO/m);
    expect(s.output()).toMatch(/^server: +http:\/\/localhost:\d+ /m);

    const tokens = tokensOf(DATA_A);
    expect(Object.keys(tokens).sort()).toEqual([
      'ACCOUNTANT',
      'ADMIN',
      'API',
      'CASHIER',
      'GATE',
      'KIOSK',
      'OWNER',
    ]);
    expect(tokens['API']).toBe(s.url.replace('127.0.0.1', 'localhost'));
    for (const [name, token] of Object.entries(tokens)) {
      // The printed tokens are the file's, for pasting into the counter and kiosk pages.
      if (name !== 'API') expect(s.output()).toContain(`${name.toLowerCase().padEnd(10)} ${token}`);
    }
    const ownerUnit = JSON.parse(Buffer.from(tokens['OWNER']!.split('.')[1]!, 'base64url').toString())[
      'custom:units'
    ];
    expect((await get(s, `/v1/units/${ownerUnit}`, tokens['OWNER']!)).status).toBe(200);
    expect((await get(s, '/v1/estates/DEMO/tariffs', tokens['ACCOUNTANT']!)).status).toBe(200);

    // The README's examples, as written, against this server: each answers as its `# →` line says.
    const blocks = readmeExamples(join(ROOT, 'README.md'));
    const examples = blocks.flat();
    expect(examples.filter((e) => e.expected !== undefined).length).toBeGreaterThanOrEqual(5);
    for (const block of blocks) {
      const outputs = runExamples(block, join(DATA_A, 'tokens.env'));
      block.forEach((example, i) => {
        if (example.expected === undefined) return;
        let actual: unknown;
        try {
          actual = JSON.parse(outputs[i]!);
        } catch {
          actual = outputs[i];
        }
        expect(mismatch(expectation(example.expected), actual), `${example.command}\n→ ${outputs[i]}`).toBe(
          undefined,
        );
      });
    }
    // The examples paid an invoice of the owner's unit: the restart below must still find it.
    const paid = await get(s, `/v1/units/${ownerUnit}/invoices?status=PAID`, tokens['CASHIER']!);
    expect(paid.json.items).toHaveLength(1);

    await stopWith(s, 'SIGINT');
    expect(await s.exited).toBe(0);
  }, 180_000);

  it('finds the unit and the paid invoice after a restart, refuses a second server on the same data, runs beside one on other data, and leaves no JVM when killed', async () => {
    const s = await start();
    console.info(`npm start (warm, existing data) served /health after ${s.msToHealth} ms`);
    expect(s.output()).toMatch(/^table: +property-billing-local found/m);
    expect(s.output()).toMatch(/^seed: +skipped: the store already has data/m);
    const tokens = tokensOf(DATA_A);
    expect((await get(s, '/v1/units/DEMO-U0001', tokens['OWNER']!)).json).toMatchObject({
      unitId: 'DEMO-U0001',
    });
    const paid = await get(s, '/v1/units/DEMO-U0001/invoices?status=PAID', tokens['OWNER']!);
    expect(paid.json.items).toEqual([expect.objectContaining({ status: 'PAID', unitId: 'DEMO-U0001' })]);

    const [same, beside] = await Promise.all([failedStart({ dataDir: DATA_A }), start({ dataDir: DATA_B })]);
    expect(same.code).toBe(1);
    expect(same.output.trim()).toMatch(
      new RegExp(
        `^npm start: LOCAL_DATA_DIR ${DATA_A} is in use by another npm start \\(pid \\d+\\): [^\\n]+$`,
      ),
    );
    expect((await fetch(`${beside.url}/health`)).status).toBe(200);
    expect(
      (await get(beside, '/v1/units/DEMO-U0001/invoices?status=PAID', tokensOf(DATA_B)['OWNER']!)).json.items,
    ).toEqual([]);
    await stopWith(beside, 'SIGTERM');

    // A hard kill leaves the lock behind, stale: the next start takes it over.
    await stopWith(s, 'SIGKILL');
  }, 180_000);

  it('--fresh starts empty and says what it removed; DYNAMO_ENDPOINT uses that DynamoDB and starts no JVM', async () => {
    const s = await start({ args: ['--fresh'] });
    expect(s.output()).toMatch(
      new RegExp(`^fresh: +removed ${DATA_A}/shared-local-instance\\.db \\(\\d+ KB\\)$`, 'm'),
    );
    expect(s.output()).toMatch(/^seed: +demo estate DEMO/m);
    const tokens = tokensOf(DATA_A);
    expect(
      (await get(s, '/v1/units/DEMO-U0001/invoices?status=PAID', tokens['CASHIER']!)).json.items,
    ).toEqual([]);

    const { port } = dynamoOf(s);
    const viaEndpoint = await start({
      dataDir: join(TMP, 'e'),
      env: { DYNAMO_ENDPOINT: `http://127.0.0.1:${port}` },
    });
    expect(viaEndpoint.output()).toMatch(/^store: +DynamoDB at http:\/\/127\.0\.0\.1:\d+ \(DYNAMO_ENDPOINT/m);
    expect(viaEndpoint.output()).toMatch(/^table: +property-billing-local found/m);
    expect(processes().filter((p) => p.pgid === viaEndpoint.child.pid && p.cmdline.includes('java'))).toEqual(
      [],
    );
    expect((await get(viaEndpoint, '/v1/units/DEMO-U0001', tokens['CASHIER']!)).status).toBe(200);
    process.kill(viaEndpoint.child.pid!, 'SIGINT');
    expect(await viaEndpoint.exited).toBe(0);
    await stopWith(s, 'SIGINT');
  }, 180_000);

  it('stops on bad input with one line saying what and how to fix it, non-zero, with no JVM left', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => taken.once('listening', r));
    const takenPort = (taken.address() as { port: number }).port;
    const notADir = join(TMP, 'a-file');
    writeFileSync(notADir, '');
    try {
      const cases: [StartOptions, RegExp][] = [
        [
          { port: takenPort, dataDir: join(TMP, 'c') },
          new RegExp(`^npm start: port ${takenPort} is already in use: .+PORT=`),
        ],
        [
          { dataDir: join(notADir, 'data') },
          /^npm start: LOCAL_DATA_DIR .+ cannot be written \(ENOTDIR\): set LOCAL_DATA_DIR/,
        ],
        [
          { env: { DYNAMO_ENDPOINT: `http://127.0.0.1:${takenPort}` } },
          /^npm start: DYNAMO_ENDPOINT .+ does not answer: /,
        ],
        [
          { env: { DYNAMO_ENDPOINT: 'localhost:8000' } },
          /^npm start: DYNAMO_ENDPOINT=localhost:8000 is not a URL/,
        ],
        [{ env: { PORT: '70000' } }, /^npm start: PORT=70000 is not a port number/],
      ];
      const results = await Promise.all(cases.map(([opts]) => failedStart(opts)));
      results.forEach(({ code, output }, i) => {
        expect(code, output).toBe(1);
        expect(output.trim().split('\n'), output).toHaveLength(1);
        expect(output.trim()).toMatch(cases[i]![1]);
      });
      const usage = await failedStart({ args: ['--frsh'] });
      expect(usage.code).toBe(2);
      expect(usage.output).toMatch(/^npm start: Unknown option '--frsh'.*\nusage: npm start/);
      expect(usage.output).not.toMatch(/^\s+at /m);
      // The data directory of the port case was never locked, and no JVM was started for any case.
      expect(readdirSync(TMP)).not.toContain('c');
      expect(
        processes().filter((p) => p.cmdline.includes(`npm-start-test-`) && p.cmdline.includes('java')),
      ).toEqual([]);
    } finally {
      taken.close();
    }
  }, 180_000);
});
