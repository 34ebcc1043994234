/**
 * `npm run bench`: runs every `test/bench/*.bench.ts` module's exported `run()`, prints one table and
 * writes every result to `.local/bench/results-<timestamp>.json` (git-ignored).
 *
 *   npm run bench                 every bench module
 *   npm run bench -- --only fees  modules whose name (file name without .bench.ts) contains "fees"
 *   npm run bench -- --only load --soak   ten minutes of mixed load (memory and errors)
 *   npm run bench -- --only scale --full  a ledger page over 1,000,000 entries (~6 min; default 100,000)
 *   npm run bench -- --only start  npm start to /health against DynamoDB Local alone (`start ratio X`)
 *   BENCH_LOAD_FLOWS=quote,pay npm run bench -- --only load   only those load flows (nothing else of load)
 *   BENCH_LOAD_CLIENTS=1,16 BENCH_LOAD_FLOWS=quote,pay npm run bench -- --only load   and only at 1 and 16 clients
 *
 * A module exports `async function run(): Promise<BenchResult[]>`. The machine is shared and noisy,
 * so a module should compare against a reference measured in the same run (`reference`, `ratio`)
 * rather than rely on absolute figures alone. The exit code is 1 when a goal was missed.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface BenchResult {
  /** `<module>/<what>`, e.g. `fees/decimal`. */
  name: string;
  /** The measured figure. */
  value: number;
  /** Its unit: `lines/s`, `ms`, `x` (a ratio) … */
  unit: string;
  /** The name of the result this one is compared with (measured in the same run). */
  reference?: string;
  /** value ÷ the reference's value. */
  ratio?: number;
  /** The goal in words, e.g. `>= 250000 lines/s`. */
  goal?: string;
  /** Whether the goal was met; absent when there is no goal. */
  ok?: boolean;
}

export interface BenchModule {
  run(): Promise<BenchResult[]>;
}

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

function parseArgs(argv: readonly string[]): { only: string[] } {
  const only: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--only') {
      const value = argv[++i];
      if (!value) throw new Error('--only needs a module name');
      only.push(value);
    } else if (arg.startsWith('--only=')) {
      only.push(arg.slice('--only='.length));
    } else if (arg === '--soak') {
      // Read by load.bench.ts: ten minutes of mixed load instead of the short runs.
      process.env['BENCH_SOAK'] = '1';
    } else if (arg === '--full') {
      // Read by scale.bench.ts: a ledger of 1,000,000 entries instead of 100,000 (minutes to seed).
      process.env['BENCH_FULL'] = '1';
    } else {
      throw new Error(`unknown argument ${arg}; usage: npm run bench -- [--only <name>]… [--soak] [--full]`);
    }
  }
  return { only };
}

function benchModules(only: readonly string[]): { name: string; file: string }[] {
  return readdirSync(here)
    .filter((f) => f.endsWith('.bench.ts'))
    .sort()
    .map((f) => ({ name: f.slice(0, -'.bench.ts'.length), file: join(here, f) }))
    .filter((m) => only.length === 0 || only.some((o) => m.name.includes(o)));
}

function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(3);
}

export function formatTable(results: readonly BenchResult[]): string {
  const rows = [
    ['name', 'value', 'unit', 'vs', 'ratio', 'goal', 'ok'],
    ...results.map((r) => [
      r.name,
      formatValue(r.value),
      r.unit,
      r.reference ?? '',
      r.ratio === undefined ? '' : r.ratio.toFixed(3),
      r.goal ?? '',
      r.ok === undefined ? '' : r.ok ? 'yes' : 'NO',
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const numeric = new Set([1, 4]);
  const line = (row: string[]) =>
    row
      .map((cell, c) => (numeric.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const { only } = parseArgs(process.argv.slice(2));
  const modules = benchModules(only);
  if (modules.length === 0) throw new Error(`no bench module matches ${only.join(', ')}`);
  const startedAt = new Date();
  const [load1 = 0] = os.loadavg();
  const cores = os.cpus().length;
  process.stdout.write(
    `load average ${load1.toFixed(1)} on ${cores} cores${load1 > cores ? ': the machine is busy, trust ratios over absolute figures' : ''}\n`,
  );
  const results: BenchResult[] = [];
  const failures: { module: string; error: string }[] = [];
  for (const m of modules) {
    process.stdout.write(`bench ${m.name} …\n`);
    try {
      const mod = (await import(pathToFileURL(m.file).href)) as Partial<BenchModule>;
      if (typeof mod.run !== 'function') throw new Error(`${m.name}.bench.ts exports no run()`);
      results.push(...(await mod.run()));
    } catch (e) {
      const error = e instanceof Error ? (e.stack ?? e.message) : String(e);
      failures.push({ module: m.name, error });
      process.stderr.write(`bench ${m.name} failed: ${error}\n`);
    }
  }
  process.stdout.write(`\n${formatTable(results)}\n`);

  const dir = join(root, '.local', 'bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `results-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  const cpus = os.cpus();
  const report = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    commit: gitCommit(),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpu: `${cpus.length} × ${cpus[0]?.model ?? 'unknown'}`,
    loadAverage: os.loadavg(),
    modules: modules.map((m) => m.name),
    results,
    failures,
  };
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\nresults written to ${relative(process.cwd(), file)}\n`);

  const missed = results.filter((r) => r.ok === false);
  if (missed.length > 0) process.stdout.write(`goals missed: ${missed.map((r) => r.name).join(', ')}\n`);
  if (missed.length > 0 || failures.length > 0) process.exitCode = 1;
}

// Other bench modules may `import type { BenchResult } from './run.js'`; only running this file benches.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
