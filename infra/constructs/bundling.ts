/**
 * How every function is bundled, in one place: the stack hands these options to NodejsFunction
 * (which runs the local esbuild) and the bundle benchmark hands the same ones to esbuild directly,
 * so the figures it reports are those of the deployed code. Kept free of CDK imports so that the
 * benchmark loads quickly.
 *
 * - ESM, minified, Node 24 syntax: the Lambda runtime's own Node version.
 * - The AWS SDK is bundled, not taken from the runtime: the deployed code then runs the exact SDK
 *   version the tests ran (3.1162.0, pinned), a runtime SDK update cannot change behaviour under
 *   us, and one minified file imports faster than the runtime's unbundled SDK (measured by the
 *   bundle benchmark).
 * - The credential providers that read profiles, SSO caches, credential processes or web-identity
 *   token files stay out: Lambda hands credentials to the function in environment variables, which
 *   the SDK's default chain reads first, and these providers are only reached through `import()`
 *   when that fails. They are a sixth of the bundle.
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
  externalModules: [
    '@aws-sdk/credential-provider-ini',
    '@aws-sdk/credential-provider-process',
    '@aws-sdk/credential-provider-sso',
    '@aws-sdk/credential-provider-web-identity',
  ],
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
