/**
 * `node --import tsx infra/bundle-lazy.ts <asset dir>`: bundles beside a function's index.mjs the
 * lazy modules it imports (infra/constructs/lazy-modules.ts). NodejsFunction's afterBundling hook
 * runs it for every function at synth.
 */
import { fileURLToPath } from 'node:url';
import { bundleLazyModules } from './constructs/lazy-modules.js';

const outdir = process.argv[2];
if (!outdir) throw new Error('usage: bundle-lazy.ts <asset dir holding index.mjs>');
await bundleLazyModules(outdir, fileURLToPath(new URL('..', import.meta.url)));
