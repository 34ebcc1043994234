/**
 * Heavy, rarely used libraries kept off a function's cold start (issue #16). esbuild inlines a
 * dynamically imported package into the single-file bundle, where V8 must read and pre-parse it at
 * every cold start although most containers never call it. So these packages are external to the
 * function's bundle (`BUNDLE.externalModules`), and each one the bundle imports is bundled on its
 * own, after the function, into the asset's `node_modules/<package>/`: Node resolves the unchanged
 * `await import('exceljs')` there on first use, and only then reads and compiles it. Locally
 * (tests, `npm start`) the same import resolves the installed package.
 *
 * The stack runs this after NodejsFunction's esbuild (`commandHooks.afterBundling`, with the local
 * esbuild, no Docker), the bundle benchmark after its own build: both ship the same files.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { BUNDLE, LAZY_MODULES } from './bundling.js';

export interface LazyModule {
  /** The specifier as the code imports it. */
  specifier: string;
  /** The bundled file, absolute. */
  file: string;
  metafile: Metafile;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function split(specifier: string): { pkg: string; subpath: string } {
  const parts = specifier.split('/');
  const n = specifier.startsWith('@') ? 2 : 1;
  return { pkg: parts.slice(0, n).join('/'), subpath: parts.slice(n).join('/') };
}

/** The lazy modules a bundle imports (its dynamic `import("…")` of a LAZY_MODULES specifier). */
export function lazyImportsOf(bundleCode: string): string[] {
  const found = new Set<string>();
  for (const m of bundleCode.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) {
    if ((LAZY_MODULES as readonly string[]).includes(m[1]!)) found.add(m[1]!);
  }
  return [...found].sort();
}

/**
 * Bundles, next to `outdir/index.mjs`, every lazy module it imports, each into one ESM file under
 * `outdir/node_modules/<package>/` with a package.json whose `exports` point at it. The file
 * re-exports what Node's own `import()` of the installed package exposes (for a CommonJS package:
 * `default` and the names Node detects), so the code sees the same module either way.
 */
export async function bundleLazyModules(outdir: string, projectRoot: string): Promise<LazyModule[]> {
  const code = readFileSync(path.join(outdir, BUNDLE.outFile), 'utf8');
  // The OpenAPI document, read on first use by the meta route (BUNDLE.define).
  if (code.includes('openapi.generated.json')) {
    copyFileSync(
      path.join(projectRoot, 'lib', 'api', 'openapi.generated.json'),
      path.join(outdir, 'openapi.generated.json'),
    );
  }
  const built: LazyModule[] = [];
  const exportsByPkg = new Map<string, Record<string, string>>();
  for (const specifier of lazyImportsOf(code)) {
    const { pkg, subpath } = split(specifier);
    const names = Object.keys((await import(specifier)) as object).filter((n) => IDENTIFIER.test(n));
    const named = names.filter((n) => n !== 'default');
    // A CommonJS package with an ES build beside it (`module`, e.g. the AWS SDK clients): Node's
    // import() gives it a synthetic `default`, but esbuild bundles the ES build, which has none.
    const esBuild = Boolean(
      (
        JSON.parse(readFileSync(path.join(projectRoot, 'node_modules', pkg, 'package.json'), 'utf8')) as {
          module?: string;
        }
      ).module,
    );
    const contents = [
      ...(named.length ? [`export { ${named.join(', ')} } from ${JSON.stringify(specifier)};`] : []),
      ...(names.includes('default') && !esBuild
        ? [`export { default } from ${JSON.stringify(specifier)};`]
        : []),
    ].join('\n');
    const fileName = `${subpath || 'index'}.mjs`;
    const file = path.join(outdir, 'node_modules', pkg, fileName);
    const result = await build({
      stdin: {
        contents,
        resolveDir: projectRoot,
        sourcefile: `lazy-${pkg.replace('/', '-')}.mjs`,
        loader: 'js',
      },
      bundle: true,
      platform: 'node',
      target: BUNDLE.target,
      format: BUNDLE.format,
      minify: BUNDLE.minify,
      sourcemap: BUNDLE.sourceMap,
      sourcesContent: BUNDLE.sourcesContent,
      charset: BUNDLE.charset,
      mainFields: [...BUNDLE.mainFields],
      banner: { js: BUNDLE.banner },
      outfile: file,
      metafile: true,
      logLevel: 'warning',
    });
    built.push({ specifier, file, metafile: result.metafile });
    const exportsMap = exportsByPkg.get(pkg) ?? {};
    exportsMap[subpath ? `./${subpath}` : '.'] = `./${fileName}`;
    exportsByPkg.set(pkg, exportsMap);
  }
  for (const [pkg, exportsMap] of exportsByPkg) {
    writeFileSync(
      path.join(outdir, 'node_modules', pkg, 'package.json'),
      `${JSON.stringify({ name: pkg, private: true, type: 'module', exports: exportsMap }, null, 2)}\n`,
    );
  }
  return built;
}
