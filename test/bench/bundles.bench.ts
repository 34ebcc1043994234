/**
 * Lambda bundles: every function bundled with esbuild exactly as the stack does (the options come
 * from infra/constructs/bundling.ts, and test/infra/bundles.test.ts proves the output is the
 * deployed bytes), then its size and its cold import time in a fresh Node process — a stand-in for
 * Lambda's init phase — median of several rounds, with `--enable-source-maps` as the functions run.
 *
 * References measured in the same run (the machine is shared: ratios travel, milliseconds do not):
 * - a bare Node start (`node -e 0`, wall time of the process): every import is also given as a
   ratio to it;
 * - the AWS SDK's DynamoDB document client alone, bundled the same way (its credential providers for
 *   profiles, SSO, processes and web identity left out, as we bundled it before issue #5): what the
 *   functions would carry and load on top of their own code if they used it instead of
 *   lib/store/dynamo.ts;
 * - the same bundle imported without source maps (their cost at init);
 * - what the billing bundle is made of, by package.
 *
 * Goals: every bundle under 300 KB, import under 60 ms. BENCH_BUNDLE_RUNS sets the rounds (default 7).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { BUNDLE, esbuildOptions } from '../../infra/constructs/bundling.js';
import { ROUTES } from '../../lib/api/routes.js';
import type { BenchResult } from './run.js';

const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
// Inside the repository, so that the SDK-external reference resolves @aws-sdk from node_modules.
const OUT = path.join(ROOT, '.local', 'bench', 'bundles');
const RUNS = Number(process.env['BENCH_BUNDLE_RUNS'] ?? 7);
const GOAL_KB = 300;
const GOAL_MS = 60;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** One cold import of the bundle in a fresh process, in milliseconds (measured inside the process). */
function importOnce(file: string, sourceMaps: boolean): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`;
  const args = [...(sourceMaps ? ['--enable-source-maps'] : []), '--input-type=module', '-e', script];
  return Number(
    execFileSync(process.execPath, args, {
      cwd: path.dirname(file),
      // Lambda runs Node 24: the SDK reference's warning about this machine's Node 20 is noise there.
      env: {
        PATH: process.env['PATH'] ?? '',
        TZ: 'UTC',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      encoding: 'utf8',
    }),
  );
}

/** Wall-clock milliseconds of a bare `node -e 0`. */
function nodeStartOnce(): number {
  const t = performance.now();
  execFileSync(process.execPath, ['-e', '0'], { env: { PATH: process.env['PATH'] ?? '' } });
  return performance.now() - t;
}

/**
 * Median of each subject over RUNS rounds, the subjects taking turns within a round: on a shared
 * machine the load drifts, and taking turns spreads the drift over every subject alike. One
 * unmeasured round first warms the disk cache.
 */
function measureInTurns(subjects: Record<string, () => number>): Record<string, number> {
  for (const f of Object.values(subjects)) f();
  const samples = Object.fromEntries(Object.keys(subjects).map((k) => [k, [] as number[]]));
  for (let round = 0; round < RUNS; round++) {
    for (const [k, f] of Object.entries(subjects)) samples[k]!.push(f());
  }
  return Object.fromEntries(Object.entries(samples).map(([k, xs]) => [k, median(xs)]));
}

/** The SDK reference's entry: a document client and one command, so nothing is shaken out. */
const SDK_REFERENCE = `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'cn-north-1' }));
export const handler = (Key) => doc.send(new GetCommand({ TableName: 'bills', Key }));
`;

async function bundle(name: string, overrides: { external?: string[]; source?: string } = {}) {
  const dir = path.join(OUT, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let entry = path.join(ROOT, 'functions', `${name}.ts`);
  if (overrides.source) {
    entry = path.join(OUT, `${name}.mjs`);
    writeFileSync(entry, overrides.source);
  }
  const options = {
    ...esbuildOptions(entry, dir),
    ...(overrides.external ? { external: overrides.external } : {}),
    metafile: true,
  };
  const result = await build(options);
  const file = path.join(dir, BUNDLE.outFile);
  return { file, kb: statSync(file).size / 1024, metafile: result.metafile };
}

/** Output bytes per package (node_modules scope/name) or per top-level source folder. */
function composition(metafile: Metafile, file: string): [string, number][] {
  const output = Object.entries(metafile.outputs).find(([out]) => path.resolve(ROOT, out) === file)?.[1];
  if (!output) return [];
  const parts = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];
    const group =
      pkg?.startsWith('@aws-sdk/') || pkg?.startsWith('@smithy/') || pkg?.startsWith('@aws/')
        ? 'AWS SDK (@aws-sdk, @smithy)'
        : (pkg ?? input.split('/')[0]!);
    parts.set(group, (parts.get(group) ?? 0) + bytesInOutput);
  }
  return [...parts].sort((a, b) => b[1] - a[1]);
}

const round1 = (x: number) => Math.round(x * 10) / 10;

export async function run(): Promise<BenchResult[]> {
  const names = [...new Set(ROUTES.map((r) => r.group)), 'scheduler'];
  const built = new Map<string, Awaited<ReturnType<typeof bundle>>>();
  for (const name of names) built.set(name, await bundle(name));
  const sdk = await bundle('reference-aws-sdk', {
    source: SDK_REFERENCE,
    external: [
      '@aws-sdk/credential-provider-ini',
      '@aws-sdk/credential-provider-process',
      '@aws-sdk/credential-provider-sso',
      '@aws-sdk/credential-provider-web-identity',
    ],
  });
  const billing = built.get('billing')!;

  const ms = measureInTurns({
    'reference/node-start': nodeStartOnce,
    ...Object.fromEntries([...built].map(([name, b]) => [name, () => importOnce(b.file, true)])),
    'reference/aws-sdk': () => importOnce(sdk.file, true),
    'billing-without-source-maps': () => importOnce(billing.file, false),
  });
  const start = ms['reference/node-start']!;

  const results: BenchResult[] = [{ name: 'bundles/reference/node-start', value: round1(start), unit: 'ms' }];
  for (const [name, b] of built) {
    results.push({
      name: `bundles/${name}/size`,
      value: round1(b.kb),
      unit: 'KB',
      goal: `< ${GOAL_KB} KB`,
      ok: b.kb < GOAL_KB,
    });
    results.push({
      name: `bundles/${name}/import`,
      value: round1(ms[name]!),
      unit: 'ms',
      reference: 'bundles/reference/node-start',
      ratio: ms[name]! / start,
      goal: `< ${GOAL_MS} ms`,
      ok: ms[name]! < GOAL_MS,
    });
  }
  results.push({
    name: 'bundles/reference/aws-sdk/size',
    value: round1(sdk.kb),
    unit: 'KB',
    reference: 'bundles/billing/size',
    ratio: sdk.kb / billing.kb,
  });
  for (const variant of ['reference/aws-sdk', 'billing-without-source-maps']) {
    results.push({
      name: `bundles/${variant}/import`,
      value: round1(ms[variant]!),
      unit: 'ms',
      reference: 'bundles/billing/import',
      ratio: ms[variant]! / ms['billing']!,
    });
  }
  const total = readFileSync(billing.file).length;
  for (const [part, bytes] of billing.metafile
    ? composition(billing.metafile, billing.file).slice(0, 6)
    : []) {
    results.push({
      name: `bundles/billing/part/${part}`,
      value: Math.round(bytes / 102.4) / 10,
      unit: `KB (${Math.round((100 * bytes) / total)}%)`,
    });
  }
  return results;
}
