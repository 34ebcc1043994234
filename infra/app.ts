/**
 * The CDK app (cdk.json: `npx tsx infra/app.ts`). Stage, account and region come from context:
 *   npx cdk deploy -c stage=prod -c account=123456789012 -c region=ap-east-1
 * Without them it synthesises the dev stage for a placeholder account, with no AWS credentials and
 * no Docker (functions are bundled by the local esbuild).
 */
import { App } from 'aws-cdk-lib';
import { addStageStack } from './appStack.js';

// aws-cdk-lib writes "Bundling asset <path>..." to stderr for every function, with no switch to
// turn it off. A successful synth should print nothing, and a failed bundle names its asset in
// the error anyway, so exactly that line is dropped; everything else still reaches stderr.
const BUNDLING_NOTICE = /^Bundling asset \S+\.\.\.\r?\n$/;
const writeStderr = process.stderr.write.bind(process.stderr);
process.stderr.write = ((chunk: unknown, ...rest: never[]) =>
  typeof chunk === 'string' && BUNDLING_NOTICE.test(chunk)
    ? true
    : writeStderr(chunk as string, ...rest)) as typeof process.stderr.write;

const app = new App();
addStageStack(app, { context: (key) => app.node.tryGetContext(key), env: process.env });
app.synth();
