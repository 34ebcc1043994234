/**
 * The pages in AWS (infra/constructs/web.ts): a private bucket behind CloudFront with origin access
 * control, HTTPS only, a strict CSP that lets the pages reach the API and nothing else, directory
 * URLs rewritten at the edge, config.json naming the API, and no unacknowledged cdk-nag finding.
 * The construct alone, in a minimal stack; test/infra/stack.test.ts checks the same wiring in the
 * real stack (infra/appStack.ts).
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { type CfnApi, HttpApi, HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import type { CfnDistribution } from 'aws-cdk-lib/aws-cloudfront';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadStageConfig } from '../../infra/config.js';
import { INDEX_REWRITE, WebConsole, webCors } from '../../infra/constructs/web.js';
import { buildWeb } from '../../infra/local/web.js';
import { dependencyCycle } from '../infra/synth.js';

const API = 'https://abc123.execute-api.ap-east-1.amazonaws.com/';

function synth(stage: 'prod' | 'dev') {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const ctx: Record<string, string> = { stage, account: '123456789012', region: 'ap-east-1' };
  const config = loadStageConfig({ context: (k) => ctx[k], env: {} });
  const stack = new Stack(app, `Web-${stage}`, { env: { account: config.account, region: config.region } });
  const web = new WebConsole(stack, 'Web', {
    config,
    apiUrl: API,
    pageConfig: { estateId: 'DEMO' },
    sourceDir,
  });
  return { stack, web, template: Template.fromStack(stack) };
}

let sourceDir: string;
let prod: ReturnType<typeof synth>;
let dev: ReturnType<typeof synth>;

beforeAll(async () => {
  sourceDir = mkdtempSync(join(tmpdir(), 'web-construct-'));
  await buildWeb(sourceDir);
  prod = synth('prod');
  dev = synth('dev');
});

describe('web construct', () => {
  it('keeps the bucket private, TLS-only and logged, behind origin access control', () => {
    prod.template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 's3/' }),
    });
    prod.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    prod.template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    prod.template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'redirect-to-https',
          AllowedMethods: ['GET', 'HEAD'],
        }),
        Logging: Match.objectLike({ Prefix: 'cloudfront/' }),
      }),
    });
    // Production keeps its logs for the stage's retention; the web bucket is build output only.
    const expiring = (days: number) => ({
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: days, Status: 'Enabled' })] },
    });
    prod.template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike(expiring(365)),
    });
    dev.template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike(expiring(14)),
    });
  });

  it('sends a CSP that allows the API and nothing else to be called', () => {
    const policies = prod.template.findResources('AWS::CloudFront::ResponseHeadersPolicy');
    const csp = JSON.stringify(Object.values(policies)[0]);
    expect(csp).toContain(`connect-src 'self' ${API}`);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('deploys the built pages and a config.json naming the API (a deploy-time value), then invalidates', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const ctx: Record<string, string> = { stage: 'dev', account: '123456789012', region: 'ap-east-1' };
    const config = loadStageConfig({ context: (k) => ctx[k], env: {} });
    const stack = new Stack(app, 'WebTokens', { env: { account: config.account, region: config.region } });
    // In the stack the API URL is a token (the stage's URL), known only at deploy time.
    const apiUrl = new CfnParameter(stack, 'ApiUrl').valueAsString;
    new WebConsole(stack, 'Web', { config, apiUrl, pageConfig: { estateId: 'DEMO' } });
    const [deploy] = Object.values(
      Template.fromStack(stack).findResources('Custom::CDKBucketDeployment'),
    ) as {
      Properties: { SourceMarkers: Record<string, unknown>[]; DistributionPaths: string[]; Prune: boolean };
    }[];
    expect(deploy!.Properties.DistributionPaths).toEqual(['/*']);
    expect(deploy!.Properties.Prune).toBe(true);

    const dir = app.synth().directory;
    const files = (d: string): string[] =>
      readdirSync(d).flatMap((n) =>
        statSync(join(d, n)).isDirectory() ? files(join(d, n)).map((x) => `${n}/${x}`) : [n],
      );
    const assets = readdirSync(dir)
      .filter((a) => a.startsWith('asset.') && statSync(join(dir, a)).isDirectory())
      .map((a) => ({ dir: join(dir, a), files: files(join(dir, a)).sort() }));
    const pages = assets.find((a) => a.files.includes('counter/index.html'));
    expect(pages?.files).toEqual([
      'counter/index.html',
      'counter/main.css',
      'counter/main.js',
      // The import screen's downloads (infra/local/web.ts ROSTER_DOWNLOADS).
      'counter/roster-sample.csv',
      'counter/roster-template.xlsx',
      'kiosk/index.html',
      'kiosk/main.css',
      'kiosk/main.js',
    ]);
    const configAsset = assets.find((a) => a.files.includes('config.json'));
    const written = JSON.parse(readFileSync(join(configAsset!.dir, 'config.json'), 'utf8'));
    expect(written.estateId).toBe('DEMO');
    const marker = written.apiBaseUrl as string;
    expect(marker).toMatch(/^<<marker:/);
    const markers = deploy!.Properties.SourceMarkers.find((m) => marker in m)!;
    expect(markers[marker]).toEqual({ Ref: 'ApiUrl' });
  });

  it('wires into a stack whose API allows the pages by CORS, without a dependency cycle', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const ctx: Record<string, string> = { stage: 'dev', account: '123456789012', region: 'ap-east-1' };
    const config = loadStageConfig({ context: (k) => ctx[k], env: {} });
    const stack = new Stack(app, 'Wired', { env: { account: config.account, region: config.region } });
    // What infra/appStack.ts does (docs/web.md): the API first, the pages with its URL, then CORS.
    const api = new HttpApi(stack, 'Api', { createDefaultStage: false });
    const stage = new HttpStage(stack, 'Stage', { httpApi: api, stageName: '$default', autoDeploy: true });
    const web = new WebConsole(stack, 'Web', { config, apiUrl: stage.url, sourceDir });
    (api.node.defaultChild as CfnApi).corsConfiguration = webCors([web.origin]);

    const json = Template.fromStack(stack).toJSON() as { Resources: Record<string, unknown> };
    expect(dependencyCycle(json.Resources)).toEqual([]);
    const cors = JSON.stringify(
      (json.Resources[stack.getLogicalId(api.node.defaultChild as CfnApi)] as { Properties: unknown })
        .Properties,
    );
    expect(cors).toContain('idempotency-key');
    expect(cors).toContain(stack.getLogicalId(web.distribution.node.defaultChild as CfnDistribution));
    // The CSP then allows the region's execute-api hosts (the URL is only known at deploy time).
    const csp = JSON.stringify(
      Template.fromStack(stack).findResources('AWS::CloudFront::ResponseHeadersPolicy'),
    );
    expect(csp).toContain("connect-src 'self' https://*.execute-api.ap-east-1.amazonaws.com");
  });

  it('rewrites directory URLs at the edge', () => {
    const handler = new Function(`${INDEX_REWRITE}; return handler;`)() as (e: {
      request: { uri: string };
    }) => {
      uri?: string;
      statusCode?: number;
      headers?: { location: { value: string } };
    };
    expect(handler({ request: { uri: '/counter/' } }).uri).toBe('/counter/index.html');
    expect(handler({ request: { uri: '/kiosk/main.js' } }).uri).toBe('/kiosk/main.js');
    expect(handler({ request: { uri: '/kiosk' } })).toMatchObject({
      statusCode: 301,
      headers: { location: { value: '/kiosk/' } },
    });
    expect(handler({ request: { uri: '/' } })).toMatchObject({
      statusCode: 302,
      headers: { location: { value: '/counter/' } },
    });
    prod.template.hasResourceProperties('AWS::CloudFront::Function', {
      FunctionConfig: Match.objectLike({ Runtime: 'cloudfront-js-2.0' }),
    });
  });

  it('has no unacknowledged cdk-nag AwsSolutions finding in either stage', () => {
    for (const { stack } of [prod, dev]) {
      const report = new AwsSolutionsChecks().validateScope(stack);
      expect(
        report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath)}`),
      ).toEqual([]);
    }
  });
});
