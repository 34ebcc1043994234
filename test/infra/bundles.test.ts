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
import { BUNDLE, DYNAMIC_REQUIRE_SHIM, esbuildOptions } from '../../infra/constructs/bundling.js';
import { PROJECT_ROOT } from '../../infra/constructs/group-function.js';
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
  ]);
  for (const [id, fn] of resources(synth.template, 'AWS::Lambda::Function')) {
    // aws-cdk-lib's own deploy-time handlers (the web pages' BucketDeployment and bucket emptying).
    if (!fnIds.has(id)) continue;
    const key = (fn.Properties!['Code'] as { S3Key: string }).S3Key;
    bundles.set(fnIds.get(id)!, path.join(outdir, `asset.${key.replace(/\.zip$/, '')}`, BUNDLE.outFile));
  }
}, 240_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

describe('real bundles', () => {
  it('exist for every function, minified ESM with an external source map', () => {
    expect([...bundles.keys()].sort()).toEqual([...stack.functions.keys(), 'scheduler'].sort());
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

  it('stay under the 300 KB budget (size is exact; import time is for the benchmark)', () => {
    // What broke it before: the AWS SDK (218 KB) and classic zod (100 KB) in every bundle, and the
    // meta function importing every route to build the OpenAPI document.
    for (const [name, file] of bundles) expect(statSync(file).size / 1024, name).toBeLessThan(300);
  });

  it('need no require and import only Node built-ins, statically', () => {
    for (const [name, file] of bundles) {
      const code = readFileSync(file, 'utf8');
      expect(code.includes(DYNAMIC_REQUIRE_SHIM), `${name}: a dependency needs a createRequire banner`).toBe(
        false,
      );
      const staticImports = [...code.matchAll(/\bimport\s*(?:[\w*{},\s$]+\s*from\s*)?["']([^"']+)["']/g)].map(
        (m) => m[1]!,
      );
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

  it('are byte for byte what the bundle benchmark builds with the same options', async () => {
    const scratch = mkdtempSync(path.join(tmpdir(), 'bench-bundle-'));
    try {
      for (const [name, file] of bundles) {
        const dir = path.join(scratch, name);
        await build(esbuildOptions(path.join(PROJECT_ROOT, 'functions', `${name}.ts`), dir));
        expect(
          readFileSync(path.join(dir, BUNDLE.outFile), 'utf8') === readFileSync(file, 'utf8'),
          name,
        ).toBe(true);
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
