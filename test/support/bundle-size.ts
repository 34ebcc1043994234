/**
 * What a function bundle is made of, from esbuild's metafile: our own code, the other
 * dependencies we chose (zod, decimal.js, Temporal, Powertools), and the SDKs (the AWS SDK for
 * JavaScript v3 and the AWS X-Ray SDK under Powertools Tracer, with the small packages they bring).
 * The size budget (issue #16) is on the first two: the SDKs are the same in every function and are
 * judged by the cold-start ratio to a bundle of the bare SDK client instead.
 */
import * as path from 'node:path';
import type { Metafile } from 'esbuild';

/** Packages that belong to an SDK: its own scopes, and what only the SDKs pull in. */
const SDK_PACKAGE = [
  /^@aws-sdk\//,
  /^@smithy\//,
  /^@aws-crypto\//,
  // Dependencies of the AWS SDK's endpoint cache, XML and its runtime helpers.
  /^(mnemonist|obliterator|tslib|fast-xml-parser|strnum|bowser)$/,
  // The AWS X-Ray SDK and its dependencies (Powertools Tracer's captureAWSv3Client).
  /^(aws-xray-sdk-core|cls-hooked|emitter-listener|shimmer|atomic-batcher|async-hook-jl|stack-chain|semver)$/,
];

export interface Composition {
  /** Bytes of our own code (lib/, functions/). */
  own: number;
  /** Bytes of dependencies that are not an SDK. */
  deps: number;
  /** Bytes of the SDKs. */
  sdk: number;
  /** Bytes per package (or `own`), largest first. */
  byPackage: [string, number][];
}

export function isSdkPackage(pkg: string): boolean {
  return SDK_PACKAGE.some((re) => re.test(pkg));
}

/** The composition of the output `file` (an absolute path) of a build with `metafile: true`. */
export function composition(metafile: Metafile, file: string, root: string): Composition {
  const output = Object.entries(metafile.outputs).find(([out]) => path.resolve(root, out) === file)?.[1];
  if (!output) throw new Error(`${file} is not an output of this build`);
  const byPackage = new Map<string, number>();
  const sum = { own: 0, deps: 0, sdk: 0 };
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];
    if (!pkg) sum.own += bytesInOutput;
    else if (isSdkPackage(pkg)) sum.sdk += bytesInOutput;
    else sum.deps += bytesInOutput;
    byPackage.set(pkg ?? 'own', (byPackage.get(pkg ?? 'own') ?? 0) + bytesInOutput);
  }
  return { ...sum, byPackage: [...byPackage].sort((a, b) => b[1] - a[1]) };
}
