/**
 * The CDK app (cdk.json: `npx tsx infra/app.ts`). Stage, account and region come from context:
 *   npx cdk deploy -c stage=prod -c account=123456789012 -c region=ap-east-1
 * Without them it synthesises the dev stage for a placeholder account, with no AWS credentials and
 * no Docker (functions are bundled by the local esbuild).
 */
import { App } from 'aws-cdk-lib';
import { addStageStack } from './appStack.js';

const app = new App();
addStageStack(app, { context: (key) => app.node.tryGetContext(key), env: process.env });
app.synth();
