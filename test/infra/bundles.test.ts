/**
 * The one test that bundles every function for real, as `cdk synth` does (local esbuild, no
 * Docker), and checks what would be uploaded: an ESM bundle per function that loads in a fresh Node
 * process and exports the handler, needs no `require`, imports nothing but Node built-ins, and is
 * byte for byte what the bundle benchmark measures.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppStack } from '../../infra/appStack.js';
import {
  BUNDLE,
  DYNAMIC_REQUIRE_SHIM,
  esbuildOptions,
  LAZY_MODULES,
} from '../../infra/constructs/bundling.js';
import { PROJECT_ROOT } from '../../infra/constructs/group-function.js';
import { bundleLazyModules, lazyImportsOf } from '../../infra/constructs/lazy-modules.js';
import { type Composition, composition } from '../support/bundle-size.js';
import { resources, synthApp } from './synth.js';

let outdir: string;
let stack: AppStack;
/** Function name (route group or job) → the bundled index.mjs in the cloud assembly. */
const bundles = new Map<string, string>();

beforeAll(() => {
  outdir = mkdtempSync(path.join(tmpdir(), 'cdk-bundles-'));
  const synth = synthApp({ context: { stage: 'dev' }, bundle: true, outdir });
  stack = synth.stack;
  const fnIds = new Map<string, string>([
    ...[...stack.functions].map(
      ([g, f]) => [stack.getLogicalId(f.fn.node.defaultChild as never), g] as const,
    ),
    [stack.getLogicalId(stack.renewals.function.fn.node.defaultChild as never), 'scheduler'],
    [stack.getLogicalId(stack.imports.function.fn.node.defaultChild as never), 'import-worker'],
  ]);
  for (const [id, fn] of resources(synth.template, 'AWS::Lambda::Function')) {
    // aws-cdk-lib's own deploy-time handlers (the web pages' BucketDeployment and bucket emptying).
    if (!fnIds.has(id)) continue;
    const key = (fn.Properties!['Code'] as { S3Key: string }).S3Key;
    bundles.set(fnIds.get(id)!, path.join(outdir, `asset.${key.replace(/\.zip$/, '')}`, BUNDLE.outFile));
  }
}, 240_000);

/** Each function built as the bundle benchmark builds it (same options, with a metafile). */
const benchBuilds = new Map<string, { file: string; parts: Composition; warnings: string[] }>();
let scratch: string;

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'bench-bundle-'));
  for (const name of bundles.keys()) {
    const dir = path.join(scratch, name);
    const result = await build({
      ...esbuildOptions(path.join(PROJECT_ROOT, 'functions', `${name}.ts`), dir),
      metafile: true,
    });
    await bundleLazyModules(dir, PROJECT_ROOT);
    const file = path.join(dir, BUNDLE.outFile);
    benchBuilds.set(name, {
      file,
      parts: composition(result.metafile, file, PROJECT_ROOT),
      warnings: result.warnings.map((w) => w.text),
    });
  }
}, 240_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

describe('real bundles', () => {
  it('exist for every function, minified ESM with an external source map', () => {
    expect([...bundles.keys()].sort()).toEqual(
      [...stack.functions.keys(), 'scheduler', 'import-worker'].sort(),
    );
    for (const [name, file] of bundles) {
      expect(existsSync(file), name).toBe(true);
      expect(existsSync(`${file}.map`), name).toBe(true);
      const code = readFileSync(file, 'utf8');
      expect(code, name).toMatch(/export\s*\{[^}]*\bas handler\b|export\s*\{\s*\w+ as handler/);
      expect(code, name).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
      // Minified: a few hundred long lines (licence comments), not tens of thousands.
      expect(code.split('\n').length, name).toBeLessThan(300);
    }
  });

  it('hold at most 300 KB of our code and non-SDK dependencies (size is exact; import time is for the benchmark)', () => {
    // What broke it before: classic zod (100 KB) in every bundle, and the meta function importing
    // every route to build the OpenAPI document. The SDKs are judged by the cold-start ratio instead.
    expect([...benchBuilds.keys()].sort()).toEqual([...bundles.keys()].sort());
    for (const [name, { parts }] of benchBuilds) {
      expect(parts.sdk, `${name} carries the SDK`).toBeGreaterThan(100 * 1024);
      expect((parts.own + parts.deps) / 1024, name).toBeLessThan(300);
    }
  });

  it('reach `require` only through the createRequire banner, and import only Node built-ins, statically', () => {
    for (const [name, file] of bundles) {
      const code = readFileSync(file, 'utf8');
      // esbuild's shim throws unless a real `require` is in scope: the banner must put it there.
      if (code.includes(DYNAMIC_REQUIRE_SHIM)) expect(code.startsWith(BUNDLE.banner), name).toBe(true);
      const staticImports = [
        // Statements only (at the start or after `;`, `}` or a newline), not an import quoted in a message.
        ...code.matchAll(/(?:^|[;}\n])\s*import\s*(?:[\w*{},\s$]+\s*from\s*)?["']([^"']+)["']/g),
      ].map((m) => m[1]!);
      expect(
        staticImports.filter((s) => !BUILTINS.has(s)),
        name,
      ).toEqual([]);
      const dynamicImports = [...code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]!);
      for (const d of dynamicImports)
        expect([...BUNDLE.externalModules, ...BUILTINS], `${name}: ${d}`).toContain(d);
    }
  });

  it('load in a fresh Node process and export the handler, without the Lambda environment', () => {
    for (const [name, file] of bundles) {
      const out = execFileSync(
        process.execPath,
        [
          '--enable-source-maps',
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(pathToFileURL(file).href)}); console.log(typeof m.handler);`,
        ],
        // Outside the repository, so that nothing can resolve from node_modules by accident.
        { cwd: tmpdir(), env: { PATH: process.env['PATH'] ?? '' }, encoding: 'utf8' },
      );
      expect(out.trim(), name).toBe('function');
    }
  });

  it('answer in a Lambda-like environment, where Tracer loads the X-Ray SDK and wraps the client', () => {
    const event = {
      version: '2.0',
      rawPath: '/v1/quotes',
      headers: {},
      requestContext: { http: { method: 'POST', path: '/v1/quotes' }, requestId: 'r-1' },
      body: '{}',
      isBase64Encoded: false,
    };
    const file = bundles.get('billing')!;
    const out = execFileSync(
      process.execPath,
      [
        '--enable-source-maps',
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(pathToFileURL(file).href)});
         const r = await m.handler(${JSON.stringify(event)}, { awsRequestId: 'req-1' });
         console.log(JSON.stringify({ status: r.statusCode, body: JSON.parse(r.body) }));`,
      ],
      {
        cwd: tmpdir(),
        env: {
          PATH: process.env['PATH'] ?? '',
          AWS_LAMBDA_FUNCTION_NAME: 'billing',
          AWS_REGION: 'cn-north-1',
          AWS_ACCESS_KEY_ID: 'a',
          AWS_SECRET_ACCESS_KEY: 'b',
          AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
          TABLE_NAME: 'bills',
          POWERTOOLS_LOG_LEVEL: 'ERROR',
        },
        encoding: 'utf8',
      },
    );
    // No token: our 401, answered after the store client was built and wrapped (not a crash in X-Ray).
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toMatchObject({
      status: 401,
      body: { error: { code: expect.any(String) } },
    });
  });

  it('serve the OpenAPI document from the file beside the meta bundle, not from inlined JSON', () => {
    const file = bundles.get('meta')!;
    expect(existsSync(path.join(path.dirname(file), 'openapi.generated.json'))).toBe(true);
    // Another group's operation is named only in the document: inlined, it would be in the bundle.
    expect(readFileSync(file, 'utf8').includes('createQuote')).toBe(false);
    const event = {
      version: '2.0',
      rawPath: '/openapi.json',
      headers: {},
      requestContext: { http: { method: 'GET', path: '/openapi.json' }, requestId: 'r-2' },
      isBase64Encoded: false,
    };
    const out = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(pathToFileURL(file).href)});
         const r = await m.handler(${JSON.stringify(event)}, { awsRequestId: 'req-2' });
         console.log(JSON.stringify({ status: r.statusCode, openapi: JSON.parse(r.body).openapi }));`,
      ],
      { cwd: tmpdir(), env: { PATH: process.env['PATH'] ?? '', TABLE_NAME: 'bills' }, encoding: 'utf8' },
    );
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({ status: 200, openapi: '3.1.0' });
  });

  it('build without esbuild warnings (cdk synth runs esbuild at log level error and would hide them)', () => {
    for (const [name, b] of benchBuilds) expect(b.warnings, name).toEqual([]);
  });

  it('are byte for byte what the bundle benchmark builds with the same options, lazy modules included', () => {
    for (const [name, file] of bundles) {
      const bench = benchBuilds.get(name)!.file;
      expect(readFileSync(bench, 'utf8') === readFileSync(file, 'utf8'), name).toBe(true);
      for (const specifier of lazyImportsOf(readFileSync(file, 'utf8'))) {
        const rel = lazyFile(specifier);
        const same =
          readFileSync(path.join(path.dirname(bench), rel), 'utf8') ===
          readFileSync(path.join(path.dirname(file), rel), 'utf8');
        expect(same, `${name}: ${rel}`).toBe(true);
      }
    }
  });

  it('ship Tracer and the X-Ray SDK beside the bundle, not in it (loaded at the first request in Lambda)', () => {
    for (const [name, file] of bundles) {
      const code = readFileSync(file, 'utf8');
      expect(lazyImportsOf(code), name).toContain('@aws-lambda-powertools/tracer');
      // The X-Ray SDK names its own segments; none of its code may be in the function's bundle.
      expect(code.includes('AWS_XRAY_DAEMON_ADDRESS'), name).toBe(false);
      const tracer = path.join(path.dirname(file), lazyFile('@aws-lambda-powertools/tracer'));
      expect(readFileSync(tracer, 'utf8').includes('AWS_XRAY_DAEMON_ADDRESS'), name).toBe(true);
    }
  });
});

/** Where a lazy module's file lies inside an asset (lazy-modules.ts). */
function lazyFile(specifier: string): string {
  const parts = specifier.split('/');
  const n = specifier.startsWith('@') ? 2 : 1;
  return path.join('node_modules', ...parts.slice(0, n), `${parts.slice(n).join('/') || 'index'}.mjs`);
}

describe('lazy libraries', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'lazy-bundle-'));
    await build(
      esbuildOptions(path.join(PROJECT_ROOT, 'test', 'infra', 'fixtures', 'lazy-libraries.ts'), dir),
    );
    await bundleLazyModules(dir, PROJECT_ROOT);
  }, 120_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('are every heavy library the code may import, and are external to the bundle', () => {
    expect([...LAZY_MODULES].sort()).toEqual(
      [
        '@aws-lambda-powertools/tracer',
        '@aws-sdk/client-sqs',
        'csv-parse',
        'csv-parse/sync',
        'exceljs',
        'qrcode',
      ].sort(),
    );
    expect(BUNDLE.externalModules).toEqual([...LAZY_MODULES]);
  });

  it('stay out of the function bundle: a few hundred bytes of our code, each library a file of its own', () => {
    expect(statSync(path.join(dir, BUNDLE.outFile)).size).toBeLessThan(4 * 1024);
    expect(lazyImportsOf(readFileSync(path.join(dir, BUNDLE.outFile), 'utf8'))).toEqual([
      'csv-parse/sync',
      'exceljs',
      'qrcode',
    ]);
    // exceljs alone is about 1 MB bundled: what every cold start would read if it were inlined.
    expect(statSync(path.join(dir, lazyFile('exceljs'))).size).toBeGreaterThan(500 * 1024);
  });

  it('load from beside the bundle on first use, in a fresh process with nothing installed, as Lambda runs it', () => {
    const out = execFileSync(
      process.execPath,
      [
        '--enable-source-maps',
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(pathToFileURL(path.join(dir, BUNDLE.outFile)).href)});
         console.log(JSON.stringify(await m.handler()));`,
      ],
      // Outside the repository, so that nothing can resolve from the project's node_modules.
      { cwd: tmpdir(), env: { PATH: process.env['PATH'] ?? '' }, encoding: 'utf8' },
    );
    // A workbook written and read back, a CSV parsed with its Chinese header, an SVG QR code.
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({
      cell: 1234.5,
      rows: [{ 单元: 'BJ01-U0001', 金额: '12.50' }],
      svg: true,
    });
  });
});
