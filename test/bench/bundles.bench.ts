/**
 * Lambda bundles: every function bundled with esbuild exactly as the stack does (the options come
 * from infra/constructs/bundling.ts, and test/infra/bundles.test.ts proves the output is the
 * deployed bytes), then its composition and its cold import time in a fresh Node process — a
 * stand-in for Lambda's init phase — median of several rounds, with `--enable-source-maps` as the
 * functions run.
 *
 * The functions carry the official AWS SDK v3 (issue #16). Cold start is judged as a ratio, in the
 * same run, to a bundle holding only the SDK's `DynamoDBDocumentClient`, built the same way: what
 * our code and our other dependencies add on top of the client we must have. Goals: that ratio at
 * most 1.5 for every function, and at most 300 KB of our own code plus non-SDK dependencies per
 * function (test/support/bundle-size.ts says what counts as SDK). Import time is CPU time (user +
 * system) inside the process; wall time is printed beside it.
 * Each subject ships its lazy modules beside it (infra/constructs/lazy-modules.ts), as the stack does;
 * `billing+xlsx` adds code that uses exceljs, csv-parse and qrcode, and its inlined twin shows what
 * they would cost at every cold start without that mechanism.
 * BENCH_BUNDLE_RUNS sets the rounds (default 7).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { BUNDLE, esbuildOptions } from '../../infra/constructs/bundling.js';
import { bundleLazyModules } from '../../infra/constructs/lazy-modules.js';
import { ROUTES } from '../../lib/api/routes.js';
import { composition, isSdkPackage } from '../support/bundle-size.js';
import type { BenchResult } from './run.js';

const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
// Inside the repository, so that the SDK-external reference resolves @aws-sdk from node_modules.
const OUT = path.join(ROOT, '.local', 'bench', 'bundles');
const RUNS = Number(process.env['BENCH_BUNDLE_RUNS'] ?? 7);
const GOAL_KB = 300;
const GOAL_RATIO = 1.5;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/**
 * One cold import of the bundle in a fresh process, measured inside the process: the CPU time the
 * import took (user + system), and its wall time. Ratios use CPU time: on a shared machine the wall
 * time also counts the waits for a core, which belong to the neighbours, not to the bundle.
 */
function importOnce(file: string, sourceMaps: boolean): { cpu: number; wall: number } {
  const script = `const c = process.cpuUsage(); const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); const w = performance.now() - t; const d = process.cpuUsage(c); process.stdout.write(JSON.stringify({ cpu: (d.user + d.system) / 1000, wall: w }));`;
  const args = [...(sourceMaps ? ['--enable-source-maps'] : []), '--input-type=module', '-e', script];
  return JSON.parse(
    execFileSync(process.execPath, args, {
      cwd: path.dirname(file),
      // Lambda runs Node 24: the SDK's warning about this machine's Node 20 is noise there.
      env: {
        PATH: process.env['PATH'] ?? '',
        TZ: 'UTC',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      encoding: 'utf8',
    }),
  ) as { cpu: number; wall: number };
}

/**
 * Import plus one request as Lambda would send it (`AWS_LAMBDA_FUNCTION_NAME` set, no token: our
 * 401 after the dependencies are built), CPU milliseconds: what a cold start costs once Tracer and
 * the X-Ray SDK are loaded at the first request (lib/api/runtime.ts).
 */
function firstRequestOnce(file: string): { cpu: number; wall: number } {
  const event = {
    version: '2.0',
    rawPath: '/v1/quotes',
    headers: {},
    requestContext: { http: { method: 'POST', path: '/v1/quotes' }, requestId: 'bench' },
    body: '{}',
    isBase64Encoded: false,
  };
  const script = `const c = process.cpuUsage(); const t = performance.now(); const m = await import(${JSON.stringify(pathToFileURL(file).href)}); const r = await m.handler(${JSON.stringify(event)}, { awsRequestId: 'bench' }); if (r.statusCode !== 401) throw new Error('answered ' + r.statusCode); const w = performance.now() - t; const d = process.cpuUsage(c); process.stdout.write(JSON.stringify({ cpu: (d.user + d.system) / 1000, wall: w }));`;
  return JSON.parse(
    execFileSync(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], {
      cwd: path.dirname(file),
      env: {
        PATH: process.env['PATH'] ?? '',
        TZ: 'UTC',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        AWS_LAMBDA_FUNCTION_NAME: 'billing',
        AWS_REGION: 'cn-north-1',
        AWS_ACCESS_KEY_ID: 'bench',
        AWS_SECRET_ACCESS_KEY: 'bench',
        AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
        TABLE_NAME: 'bills',
        POWERTOOLS_LOG_LEVEL: 'ERROR',
      },
      encoding: 'utf8',
    }),
  ) as { cpu: number; wall: number };
}

/**
 * Median CPU and wall milliseconds of each subject over RUNS rounds, the subjects taking turns
 * within a round: on a shared machine the load drifts, and taking turns spreads the drift over
 * every subject alike. One unmeasured round first warms the disk cache.
 */
function measureInTurns(
  subjects: Record<string, () => { cpu: number; wall: number }>,
): Record<string, { cpu: number; wall: number }> {
  for (const f of Object.values(subjects)) f();
  const samples = Object.fromEntries(
    Object.keys(subjects).map((k) => [k, { cpu: [] as number[], wall: [] as number[] }]),
  );
  for (let round = 0; round < RUNS; round++) {
    for (const [k, f] of Object.entries(subjects)) {
      const m = f();
      samples[k]!.cpu.push(m.cpu);
      samples[k]!.wall.push(m.wall);
    }
  }
  return Object.fromEntries(
    Object.entries(samples).map(([k, xs]) => [k, { cpu: median(xs.cpu), wall: median(xs.wall) }]),
  );
}

/** The SDK reference's entry: the document client and one command, so nothing is shaken out. */
const SDK_REFERENCE = `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'cn-north-1' }));
export const handler = (Key) => doc.send(new GetCommand({ TableName: 'bills', Key }));
`;

/**
 * A function whose code uses exceljs, csv-parse and qrcode (loaded on first use): the billing
 * function plus the fixture the bundle test invokes. Its ratio proves the lazy modules stay off the
 * cold start; the same entry with exceljs and the others inlined shows what they would cost.
 */
const WITH_LAZY_LIBRARIES = `export { handler } from ${JSON.stringify(path.join(ROOT, 'functions', 'billing.ts'))};
export { handler as report } from ${JSON.stringify(path.join(ROOT, 'test', 'infra', 'fixtures', 'lazy-libraries.ts'))};
`;

/**
 * One function built as the stack builds it: esbuild with the stack's options, then the lazy modules
 * it imports bundled beside it. `external` overrides the external modules (the inlined contrast).
 */
async function bundle(name: string, source?: string, external?: string[]) {
  const dir = path.join(OUT, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let entry = path.join(ROOT, 'functions', `${name}.ts`);
  if (source) {
    entry = path.join(OUT, `${name}.mjs`);
    writeFileSync(entry, source);
  }
  const options = esbuildOptions(entry, dir);
  const result = await build({ ...options, external: external ?? options.external, metafile: true });
  await bundleLazyModules(dir, ROOT);
  const file = path.join(dir, BUNDLE.outFile);
  return { file, kb: statSync(file).size / 1024, parts: composition(result.metafile, file, ROOT) };
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const kb = (bytes: number) => round1(bytes / 1024);

export async function run(): Promise<BenchResult[]> {
  const names = [...new Set(ROUTES.map((r) => r.group)), 'scheduler', 'import-worker'];
  const built = new Map<string, Awaited<ReturnType<typeof bundle>>>();
  for (const name of names) built.set(name, await bundle(name));
  const sdk = await bundle('reference-document-client', SDK_REFERENCE);
  const billing = built.get('billing')!;
  const withLazy = await bundle('billing+xlsx', WITH_LAZY_LIBRARIES);
  const inlined = await bundle('billing+xlsx-inlined', WITH_LAZY_LIBRARIES, [
    '@aws-lambda-powertools/tracer',
  ]);

  const ms = measureInTurns({
    'reference/document-client': () => importOnce(sdk.file, true),
    ...Object.fromEntries([...built].map(([name, b]) => [name, () => importOnce(b.file, true)])),
    'billing+xlsx': () => importOnce(withLazy.file, true),
    'billing+xlsx-inlined': () => importOnce(inlined.file, true),
    'billing-without-source-maps': () => importOnce(billing.file, false),
    'billing-first-request': () => firstRequestOnce(billing.file),
  });
  const reference = ms['reference/document-client']!;

  const results: BenchResult[] = [
    {
      name: 'bundles/reference/document-client/import',
      value: round1(reference.cpu),
      unit: `ms CPU (${round1(reference.wall)} ms wall)`,
    },
    { name: 'bundles/reference/document-client/size', value: round1(sdk.kb), unit: 'KB' },
  ];
  const ratios: string[] = [];
  for (const [name, b] of built) {
    const ownAndDeps = b.parts.own + b.parts.deps;
    results.push({ name: `bundles/${name}/size`, value: round1(b.kb), unit: 'KB' });
    results.push({
      name: `bundles/${name}/own+non-SDK`,
      value: kb(ownAndDeps),
      unit: `KB (own ${kb(b.parts.own)}, deps ${kb(b.parts.deps)}, SDKs ${kb(b.parts.sdk)})`,
      goal: `<= ${GOAL_KB} KB`,
      ok: ownAndDeps / 1024 <= GOAL_KB,
    });
    const m = ms[name]!;
    const ratio = m.cpu / reference.cpu;
    ratios.push(`${name}=${ratio.toFixed(2)}`);
    results.push({
      name: `bundles/${name}/cold-start ratio`,
      value: round1(m.cpu),
      unit: `ms CPU (wall ${round1(m.wall)} ms, ${(m.wall / reference.wall).toFixed(2)}x)`,
      reference: 'bundles/reference/document-client/import',
      ratio,
      goal: `<= ${GOAL_RATIO}x the document client alone`,
      ok: ratio <= GOAL_RATIO,
    });
  }
  const lazyRatio = ms['billing+xlsx']!.cpu / reference.cpu;
  ratios.push(`billing+xlsx=${lazyRatio.toFixed(2)}`);
  results.push({
    name: 'bundles/billing+xlsx (exceljs, csv-parse, qrcode beside the bundle)/cold-start ratio',
    value: round1(ms['billing+xlsx']!.cpu),
    unit: `ms CPU (${round1(withLazy.kb)} KB bundle)`,
    reference: 'bundles/reference/document-client/import',
    ratio: lazyRatio,
    goal: `<= ${GOAL_RATIO}x the document client alone`,
    ok: lazyRatio <= GOAL_RATIO,
  });
  results.push({
    name: 'bundles/billing+xlsx with the libraries inlined (what the mechanism avoids)/import',
    value: round1(ms['billing+xlsx-inlined']!.cpu),
    unit: `ms CPU (${round1(inlined.kb)} KB bundle)`,
    reference: 'bundles/reference/document-client/import',
    ratio: ms['billing+xlsx-inlined']!.cpu / reference.cpu,
  });
  results.push({
    name: 'bundles/billing-without-source-maps/import',
    value: round1(ms['billing-without-source-maps']!.cpu),
    unit: 'ms CPU',
    reference: 'bundles/billing/cold-start ratio',
    ratio: ms['billing-without-source-maps']!.cpu / ms['billing']!.cpu,
  });
  results.push({
    name: 'bundles/billing/import + first request in Lambda (Tracer loaded)',
    value: round1(ms['billing-first-request']!.cpu),
    unit: 'ms CPU',
    reference: 'bundles/reference/document-client/import',
    ratio: ms['billing-first-request']!.cpu / reference.cpu,
  });
  for (const [part, bytes] of billing.parts.byPackage.slice(0, 8)) {
    results.push({
      name: `bundles/billing/part/${part}${part === 'own' || isSdkPackage(part) ? '' : ' (dep)'}`,
      value: kb(bytes),
      unit: `KB (${Math.round((100 * bytes) / (billing.kb * 1024))}%)`,
    });
  }
  console.log(`cold-start ratio ${ratios.join(' ')} (goal <= ${GOAL_RATIO})`);
  return results;
}
