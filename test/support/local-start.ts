/**
 * `npm start` run as a developer runs it, for the start tests: the real infra/local/start.ts in its
 * own process group, with its data in a temporary LOCAL_DATA_DIR; helpers to read what it wrote,
 * and to prove that it leaves no process behind. Each test file calls `cleanUpStarts()` once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, expect } from 'vitest';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const HEALTH_TIMEOUT_MS = 90_000; // a busy 2-core machine has taken 26 s, and DynamoDB Local alone up to 60 s
const EXIT_TIMEOUT_MS = 15_000;
export const TMP = mkdtempSync(join(tmpdir(), 'npm-start-test-'));
export const DATA_A = join(TMP, 'a');
export const DATA_B = join(TMP, 'b');

export interface Proc {
  pid: number;
  ppid: number;
  pgid: number;
  state: string;
  cmdline: string;
}

/** Every process of the machine, from /proc (Linux; the JVM's command line names its port). */
export function processes(): Proc[] {
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

export function freePort(): Promise<number> {
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

export async function until<T>(
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

export interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
  msToHealth: number;
}

const running: Started[] = [];

export interface StartOptions {
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

export async function start(opts: StartOptions = {}): Promise<Started> {
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
export async function failedStart(opts: StartOptions): Promise<{ code: number | null; output: string }> {
  const s = spawnStart(opts, opts.port ?? (await freePort()));
  running.push({ ...s, msToHealth: 0 });
  const code = await Promise.race([
    s.exited,
    new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), HEALTH_TIMEOUT_MS)),
  ]);
  expect(code, s.output()).not.toBe('timeout');
  return { code: code as number | null, output: s.output() };
}

export function tokensOf(dataDir: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(join(dataDir, 'tokens.env'), 'utf8')
      .split('\n')
      .filter((l) => /^[A-Z]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

// biome-ignore lint/suspicious/noExplicitAny: the assertions read the bodies field by field.
export async function get(s: Started, path: string, token: string): Promise<{ status: number; json: any }> {
  const r = await fetch(`${s.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: r.status, json: await r.json() };
}

export async function stopWith(s: Started, signal: NodeJS.Signals): Promise<void> {
  const { java, port, startTs } = dynamoOf(s);
  // Only start.ts gets the signal, so the JVM's end is start.ts's doing, not the terminal's.
  process.kill(startTs.pid, signal);
  await expectAllGone(s, java, port);
}

/** The JVM this run started, and the node process running start.ts (its parent). */
export function dynamoOf(s: Started): { java: Proc; port: string; startTs: Proc } {
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

/** Kills what a failed test left running (only this file's process groups) and removes TMP. */
export function cleanUpStarts(): void {
  afterEach(() => {
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
}
