/**
 * How every function is bundled, in one place: the stack hands these options to NodejsFunction
 * (which runs the local esbuild) and the bundle benchmark hands the same ones to esbuild directly,
 * so the figures it reports are those of the deployed code. Kept free of CDK imports so that the
 * benchmark loads quickly.
 *
 * - ESM, minified, source maps (the functions run with --enable-source-maps).
 * - Syntax target Node 22, the oldest Lambda runtime we accept (ENGINEERING.md); the functions run
 *   on Node 24 (group-function.ts), so a stage can move between the two without another build.
 * - The AWS SDK v3 is bundled, not left to the runtime: AWS's own cold-start advice (the runtime's
 *   copy lags the version we test and loads unbundled), and the deployed code is exactly the code
 *   the tests ran. The bundle benchmark measures cold start as a ratio to a bundle of the bare
 *   document client built the same way.
 * - `charset: ascii`: Chinese text is written as \uXXXX escapes. The strings at run time (messages,
 *   logs, answers) are the same either way, but a single non-ASCII character makes V8 hold and
 *   parse the whole bundle as a two-byte string: UTF-8 output cost about 0.1 of the cold-start
 *   ratio (issue #16).
 * - A `createRequire` banner: the X-Ray SDK under Powertools Tracer (loaded at the first request in
 *   Lambda, lib/api/runtime.ts) is CommonJS and requires Node built-ins at run time, which an ESM
 *   bundle can only do through a real `require`.
 * - LAZY_MODULES are external, each bundled on its own beside the function (lazy-modules.ts).
 */

/**
 * Imported only with `await import(…)` (a static import would load them at cold start: the bundle
 * test refuses one). Powertools Tracer and the X-Ray SDK under it are loaded at the first request in
 * Lambda only (lib/api/runtime.ts); the spreadsheet, CSV and QR libraries by the few routes that
 * produce or read those files; the SQS client by the onboarding function's first large roster commit
 * (lib/onboarding/queue.ts). A subpath (`csv-parse/sync`) is listed on its own.
 */
export const LAZY_MODULES = [
  '@aws-lambda-powertools/tracer',
  '@aws-sdk/client-sqs',
  'exceljs',
  'qrcode',
  'csv-parse',
  'csv-parse/sync',
] as const;

export const BUNDLE = {
  target: 'node22',
  format: 'esm',
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  charset: 'ascii',
  mainFields: ['module', 'main'],
  /**
   * Only the lazy modules, shipped beside the bundle (lazy-modules.ts); set explicitly, or
   * NodejsFunction would leave `@aws-sdk/*` to the runtime.
   */
  externalModules: [...LAZY_MODULES] as string[],
  banner:
    "import{createRequire as __bundleRequire}from'node:module';const require=__bundleRequire(import.meta.url);",
  /** NodejsFunction names an ESM bundle index.mjs. */
  outFile: 'index.mjs',
  /**
   * The OpenAPI document is a file beside the meta function's handler, read on first use
   * (lib/api/routes/meta.ts; lazy-modules.ts copies it into the asset), not inlined JSON.
   */
  define: { __OPENAPI_FILE__: JSON.stringify('./openapi.generated.json') },
} as const;

/** The esbuild build options NodejsFunction derives from BUNDLE (see aws-lambda-nodejs bundling). */
export function esbuildOptions(entry: string, outdir: string) {
  return {
    entryPoints: [entry],
    bundle: true,
    platform: 'node' as const,
    target: BUNDLE.target,
    format: BUNDLE.format,
    minify: BUNDLE.minify,
    sourcemap: BUNDLE.sourceMap,
    sourcesContent: BUNDLE.sourcesContent,
    charset: BUNDLE.charset,
    mainFields: [...BUNDLE.mainFields],
    external: [...BUNDLE.externalModules],
    banner: { js: BUNDLE.banner },
    define: { ...BUNDLE.define },
    outfile: `${outdir}/${BUNDLE.outFile}`,
    logLevel: 'warning' as const,
  };
}

/** esbuild's stand-in for `require` in ESM output: its presence means a dependency needs a real one. */
export const DYNAMIC_REQUIRE_SHIM = 'Dynamic require of "';
