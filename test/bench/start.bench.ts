/**
 * `npm start` from a warm install: how long until `/health` answers, against how long DynamoDB
 * Local alone takes to answer its first request (the floor: npm start cannot answer before its
 * store does), both measured in this run, alternating, median of BENCH_START_RUNS rounds (default 3).
 *
 * - reference `start/dynamodb-local`: the jar started as npm start starts it (same flags, a data
 *   directory), from spawn to its first ListTables answer;
 * - `start/cold`: `npm start` on an empty data directory (creates the table, seeds the demo estate);
 * - `start/warm`: `npm start` again on that directory (table found, seed skipped), spawn to the
 *   first 200 from /health. Goal: at most 2× the reference. Prints `start ratio X`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import type { BenchResult } from './run.js';
import { percentile, round } from './stats.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RUNS = Number(process.env['BENCH_START_RUNS'] ?? 3);
const GOAL_RATIO = 2;
const TIMEOUT_MS = 120_000;

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? ok(address.port) : fail(new Error('no port')),
      );
    });
  });
}

async function dynamoAloneMs(dataDir: string): Promise<number> {
  const t0 = performance.now();
  const dynamo = await startDynamoDbLocal({ dbPath: dataDir });
  const ms = performance.now() - t0;
  await dynamo.stop();
  return ms;
}

function stopGroup(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    // npm start's own Ctrl-C path: stops the server and its JVM, releases the data directory.
    process.kill(-child.pid!, 'SIGINT');
  });
}

/** `npm start` as a developer types it, from spawn to the first 200 from /health. */
async function npmStartMs(dataDir: string): Promise<number> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn('npm', ['start', '--silent'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      LOCAL_DATA_DIR: dataDir,
      DYNAMO_ENDPOINT: '',
      NODE_ENV: 'development',
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (output += c));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode}: ${output}`);
      if (performance.now() - t0 > TIMEOUT_MS) throw new Error(`npm start did not answer /health: ${output}`);
      try {
        const r = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
        if (r.status === 200) return performance.now() - t0;
      } catch {
        // Not listening yet.
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await stopGroup(child);
  }
}

export async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'start-bench-'));
  try {
    // The reference's data directory is its own: a warm npm start finds its table and data.
    const referenceDir = join(dir, 'reference');
    const startDir = join(dir, 'start');
    await dynamoAloneMs(referenceDir); // the first JVM start also warms the OS file cache for the jar
    const cold = await npmStartMs(startDir);
    const reference: number[] = [];
    const warm: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      reference.push(await dynamoAloneMs(referenceDir));
      warm.push(await npmStartMs(startDir));
    }
    const ref = percentile(reference, 50);
    const w = percentile(warm, 50);
    const ratio = w / ref;
    process.stdout.write(
      `start ratio ${ratio.toFixed(2)} (npm start to /health ${Math.round(w)} ms, DynamoDB Local alone ${Math.round(ref)} ms, medians of ${RUNS}; cold npm start ${Math.round(cold)} ms)\n`,
    );
    return [
      { name: 'start/dynamodb-local', value: round(ref), unit: 'ms' },
      {
        name: 'start/cold',
        value: round(cold),
        unit: 'ms',
        reference: 'start/dynamodb-local',
        ratio: cold / ref,
      },
      {
        name: 'start/warm',
        value: round(w),
        unit: 'ms',
        reference: 'start/dynamodb-local',
        ratio,
        goal: `<= ${GOAL_RATIO}x DynamoDB Local alone`,
        ok: ratio <= GOAL_RATIO,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
