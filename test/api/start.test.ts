/**
 * `npm start` as a developer runs it: the real infra/local/start.ts in its own process, serving
 * /health within 30 s, printing a token per role that the API accepts, and leaving no process
 * behind after Ctrl-C (SIGINT) or a hard kill (SIGKILL).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const HEALTH_TIMEOUT_MS = 30_000;
const EXIT_TIMEOUT_MS = 15_000;

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

let started: Started | undefined;

/** `npx tsx infra/local/start.ts` in its own process group, as a terminal would run `npm start`. */
async function start(): Promise<Started> {
  const port = await freePort();
  const t0 = Date.now();
  const child = spawn('npx', ['tsx', 'infra/local/start.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), NODE_ENV: 'development' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (output += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  started = { child, url, output: () => output, exited, msToHealth: 0 };
  await until(`GET ${url}/health (output so far: ${output.slice(-500)})`, HEALTH_TIMEOUT_MS, async () => {
    if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode}: ${output}`);
    try {
      const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) });
      return r.status === 200 ? true : undefined;
    } catch {
      return undefined;
    }
  });
  started.msToHealth = Date.now() - t0;
  return started;
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
  // Only what this file started: its own process group, if a failed test left it running.
  const s = started;
  started = undefined;
  if (s?.child.pid && processes().some((p) => p.pgid === s.child.pid)) {
    try {
      process.kill(-s.child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

describe('npm start', () => {
  it('serves /health, prints a working token per role, and Ctrl-C stops DynamoDB Local too', async () => {
    const s = await start();
    expect(s.msToHealth).toBeLessThan(HEALTH_TIMEOUT_MS);
    console.info(`npm start served /health after ${s.msToHealth} ms`);
    const out = await until('the printed tokens', 10_000, () =>
      s.output().includes('Ctrl-C stops') ? s.output() : undefined,
    );
    const tokens = Object.fromEntries(
      [...out.matchAll(/^\s+(\w+)\s+(eyJ[\w-]+\.[\w-]+\.[\w-]+)\s*$/gm)].map((m) => [m[1], m[2]]),
    );
    expect(Object.keys(tokens).sort()).toEqual(['accountant', 'admin', 'cashier', 'gate', 'kiosk', 'owner']);

    const quote = await fetch(`${s.url}/v1/quotes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens['cashier']}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        estateId: 'DEMO',
        items: [{ type: 'PROPERTY_FEE', unitType: 'HIGH_RISE', area: '89.56', months: 12 }],
      }),
    });
    expect(quote.status).toBe(200);
    expect(((await quote.json()) as { total: string }).total).toBe('1934.50');
    // The owner's printed token reads the demo unit it names.
    const ownerUnit = JSON.parse(Buffer.from(tokens['owner']!.split('.')[1]!, 'base64url').toString())[
      'custom:units'
    ];
    const unit = await fetch(`${s.url}/v1/units/${ownerUnit}`, {
      headers: { authorization: `Bearer ${tokens['owner']}` },
    });
    expect(unit.status).toBe(200);

    const { java, port, startTs } = dynamoOf(s);
    // Only start.ts gets the signal, so the JVM's end is start.ts's doing, not the terminal's.
    process.kill(startTs.pid, 'SIGINT');
    await expectAllGone(s, java, port);
    expect(await s.exited).toBe(0);
  }, 90_000);

  it('leaves no JVM behind when it is killed outright', async () => {
    const s = await start();
    const { java, port, startTs } = dynamoOf(s);
    process.kill(startTs.pid, 'SIGKILL');
    await expectAllGone(s, java, port);
  }, 90_000);
});
