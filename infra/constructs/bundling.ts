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
 * - `charset: utf8`: Chinese names and messages stay readable in bundles, source maps and logs
 *   instead of becoming \uXXXX escapes.
 * - A `createRequire` banner: the X-Ray SDK under Powertools Tracer (loaded at the first request in
 *   Lambda, lib/api/runtime.ts) is CommonJS and requires Node built-ins at run time, which an ESM
 *   bundle can only do through a real `require`.
 */
export const BUNDLE = {
  target: 'node22',
  format: 'esm',
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  charset: 'utf8',
  mainFields: ['module', 'main'],
  /** Nothing: NodejsFunction would otherwise leave `@aws-sdk/*` to the runtime. */
  externalModules: [] as string[],
  banner:
    "import{createRequire as __bundleRequire}from'node:module';const require=__bundleRequire(import.meta.url);",
  /** NodejsFunction names an ESM bundle index.mjs. */
  outFile: 'index.mjs',
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
    outfile: `${outdir}/${BUNDLE.outFile}`,
    logLevel: 'warning' as const,
  };
}

/** esbuild's stand-in for `require` in ESM output: its presence means a dependency needs a real one. */
export const DYNAMIC_REQUIRE_SHIM = 'Dynamic require of "';
