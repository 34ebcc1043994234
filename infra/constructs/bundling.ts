/**
 * How every function is bundled, in one place: the stack hands these options to NodejsFunction
 * (which runs the local esbuild) and the bundle benchmark hands the same ones to esbuild directly,
 * so the figures it reports are those of the deployed code. Kept free of CDK imports so that the
 * benchmark loads quickly.
 *
 * - ESM, minified, Node 24 syntax: the Lambda runtime's own Node version.
 * - No AWS SDK: the functions reach DynamoDB through lib/store/dynamo.ts (its JSON protocol over
 *   `fetch`, signed by aws4fetch), which keeps each bundle under 300 KB and its cold import under
 *   60 ms (issue #5; the bundle benchmark measures the SDK's document client alone as a reference).
 *   So nothing is left external: the deployed code is exactly the code the tests ran, and a runtime
 *   update cannot change it under us.
 * - No `createRequire` banner: no bundled dependency calls `require` at run time (the real-bundle
 *   test fails if esbuild's dynamic-require shim ever appears, which is when the banner is needed).
 */
export const BUNDLE = {
  target: 'node24',
  format: 'esm',
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  /** Nothing: NodejsFunction would otherwise leave `@aws-sdk/*` to the runtime. */
  externalModules: [] as string[],
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
    mainFields: [...BUNDLE.mainFields],
    external: [...BUNDLE.externalModules],
    outfile: `${outdir}/${BUNDLE.outFile}`,
    logLevel: 'warning' as const,
  };
}

/** esbuild's stand-in for `require` in ESM output: its presence means a dependency needs a real one. */
export const DYNAMIC_REQUIRE_SHIM = 'Dynamic require of "';
