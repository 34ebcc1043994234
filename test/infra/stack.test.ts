/**
 * The deployment, proven by synthesis: every property issue #5 asks for is asserted on the
 * template, cdk-nag finds nothing unacknowledged, the API's routes are the route table's, and the
 * IAM grants are the ones the code needs. Bundling is skipped here (bundles.test.ts bundles for real).
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type Stack, Validations } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { CfnApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { CfnDistribution } from 'aws-cdk-lib/aws-cloudfront';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { AppStack } from '../../infra/appStack.js';
import { loadStageConfig, PLACEHOLDER_ACCOUNT, StageConfigError } from '../../infra/config.js';
import { functionEnvironment } from '../../infra/constructs/group-function.js';
import {
  groupAccess,
  READ_ONLY_GROUPS,
  SCHEDULER,
  TABLE_NEEDS,
} from '../../infra/constructs/table-access.js';
import type { AnyRoute } from '../../lib/api/route.js';
import { ROUTES } from '../../lib/api/routes.js';
import { createTableInput, TABLE_KEYS } from '../../lib/store/table.js';
import { importGraph, ROOT, routeModulesByGroup, tableUse } from './code-usage.js';
import { dependencyCycle, only, PROD_CONTEXT, resources, synthApp } from './synth.js';

let prod: { stack: AppStack; template: Template };
let dev: { stack: AppStack; template: Template };
/** Dev with every optional setting given. */
let variant: { stack: AppStack; template: Template };

beforeAll(() => {
  prod = synthApp({ context: { ...PROD_CONTEXT } });
  dev = synthApp({ context: { stage: 'dev' } });
  variant = synthApp({
    context: { stage: 'staging', cognitoFeaturePlan: 'PLUS', alarmEmail: 'ops@example.com' },
  });
});

/** The groups present in the route table: the functions the API needs. */
const groups = [...new Set(ROUTES.map((r) => r.group))].sort();

function logicalId(stack: AppStack, fn: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(fn.node.defaultChild as CfnFunction);
}

/** Our functions (one per route group, the renewal runner, the import worker), not aws-cdk-lib's deploy-time handlers. */
function ownFunctions(stack: AppStack): string[] {
  return [
    ...[...stack.functions.values()].map((f) => f.fn),
    stack.renewals.function.fn,
    stack.imports.function.fn,
  ].map((fn) => logicalId(stack, fn));
}

/** The functions that call the payment providers: orders and refunds, notifications, the daily close. */
function providerCallers(stack: AppStack): string[] {
  return [
    stack.functions.get('payments')!,
    stack.functions.get('payments-notify')!,
    stack.renewals.function,
  ].map((f) => logicalId(stack, f.fn));
}

/** Table ARN → 'table', index ARN → 'index/GSIn'; anything else verbatim. */
function arnName(tableId: string, resource: unknown): string {
  const json = JSON.stringify(resource);
  if (json === JSON.stringify({ 'Fn::GetAtt': [tableId, 'Arn'] })) return 'table';
  const index = /"\/index\/(\w+)"/.exec(json);
  if (index && json.includes(tableId)) return `index/${index[1]}`;
  return json;
}

interface Grant {
  action: string;
  resource: string;
}

/** Every (action, resource) the named function's role is allowed. */
function grantsOf(template: Template, stack: AppStack, fnLogicalId: string): Grant[] {
  const fn = template.toJSON().Resources[fnLogicalId];
  const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
  const tableId = stack.getLogicalId(stack.table.table.node.defaultChild as CfnFunction);
  const grants: Grant[] = [];
  for (const [, policy] of resources(template, 'AWS::IAM::Policy')) {
    const roles = (policy.Properties!['Roles'] as { Ref: string }[]).map((r) => r.Ref);
    if (!roles.includes(roleId)) continue;
    for (const s of (policy.Properties!['PolicyDocument'] as { Statement: Record<string, unknown>[] })
      .Statement) {
      expect(s['Effect']).toBe('Allow');
      const actions = ([] as string[]).concat(s['Action'] as string | string[]);
      const res = ([] as unknown[]).concat(s['Resource']);
      for (const a of actions) for (const r of res) grants.push({ action: a, resource: arnName(tableId, r) });
    }
  }
  return grants;
}

describe('stage configuration', () => {
  const load = (context: Record<string, string>, env: Record<string, string> = {}) =>
    loadStageConfig({ context: (k) => context[k], env });

  it('defaults to dev on a placeholder account so that synth needs no credentials', () => {
    const c = load({});
    expect(c).toMatchObject({
      stage: 'dev',
      account: PLACEHOLDER_ACCOUNT,
      retainData: false,
      logRetentionDays: 14,
    });
    expect(load({}, { CDK_DEFAULT_ACCOUNT: '111122223333', CDK_DEFAULT_REGION: 'eu-west-1' })).toMatchObject({
      account: '111122223333',
      region: 'eu-west-1',
    });
  });

  it('makes production name its account and region and always retain its data', () => {
    expect(() =>
      load({ stage: 'prod' }, { CDK_DEFAULT_ACCOUNT: '111122223333', CDK_DEFAULT_REGION: 'eu-west-1' }),
    ).toThrow(/pass the target explicitly/);
    expect(load({ ...PROD_CONTEXT })).toMatchObject({
      stage: 'prod',
      retainData: true,
      logRetentionDays: 365,
    });
  });

  it.each([
    [{ stage: 'qa' }, /stage: must be one of dev, staging, prod/],
    [{ account: '12345' }, /account/],
    [{ region: 'Asia/Shanghai' }, /region/],
    [{ logRetentionDays: '10' }, /logRetentionDays/],
    [{ throttleRate: '-1' }, /throttle\.rateLimit/],
    [{ throttleRate: '100', throttleBurst: '50' }, /burst limit must be at least the rate limit/],
    [{ alarmEmail: 'ops' }, /alarmEmail/],
    [{ cognitoFeaturePlan: 'LITE' }, /cognitoFeaturePlan/],
  ])('rejects %o at synth, naming the key', (context, message) => {
    expect(() => load(context)).toThrow(StageConfigError);
    expect(() => load(context)).toThrow(message);
  });

  it('reads numbers given as -c strings', () => {
    expect(load({ logRetentionDays: '90', throttleRate: '5', throttleBurst: '10' })).toMatchObject({
      logRetentionDays: 90,
      throttle: { rateLimit: 5, burstLimit: 10 },
    });
  });

  it('deploys the stack into the configured environment, termination-protected in production', () => {
    expect(prod.stack.account).toBe('123456789012');
    expect(prod.stack.region).toBe('ap-east-1');
    expect(prod.stack.stackName).toBe('PropertyBilling-prod');
    expect(prod.stack.terminationProtection).toBe(true);
    expect(dev.stack.terminationProtection).toBe(false);
  });
});

describe('table', () => {
  it('has exactly the keys and indexes of the one table definition', () => {
    const input = createTableInput('ignored');
    const [, table] = only(prod.template, 'AWS::DynamoDB::Table');
    expect(table.Properties!['KeySchema']).toEqual(input.KeySchema);
    expect(table.Properties!['AttributeDefinitions']).toEqual(input.AttributeDefinitions);
    expect(table.Properties!['GlobalSecondaryIndexes']).toEqual(input.GlobalSecondaryIndexes);
    expect(table.Properties!['BillingMode']).toBe(input.BillingMode);
  });

  it('is on demand, recoverable to the second, encrypted, protected and retained in production', () => {
    prod.template.resourceCountIs('AWS::DynamoDB::Table', 1);
    prod.template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        // SSEEnabled without a key id: the AWS-managed aws/dynamodb key (docs/deploy.md says why).
        SSESpecification: { SSEEnabled: true },
        TimeToLiveSpecification: { AttributeName: TABLE_KEYS.ttlAttribute, Enabled: true },
      },
    });
  });

  it('relaxes removal only outside production', () => {
    dev.template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: {
        DeletionProtectionEnabled: false,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
    });
    for (const [, lg] of resources(prod.template, 'AWS::Logs::LogGroup'))
      expect(lg.DeletionPolicy).toBe('Retain');
    for (const [, lg] of resources(dev.template, 'AWS::Logs::LogGroup'))
      expect(lg.DeletionPolicy).toBe('Delete');
  });

  it('expires nothing but idempotency records and stored import files: only they write the TTL attribute', () => {
    const files = readdirSync(path.join(ROOT, 'lib'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .filter((f) => readFileSync(path.join(ROOT, 'lib', f), 'utf8').includes(TABLE_KEYS.ttlAttribute));
    // A payment order's `expiresAt` is a field of its answer (API.md), stored as `validUntilMs`.
    const answersOnly = [
      path.join('api', 'routes', 'payments.ts'),
      path.join('web', 'kiosk', 'pay-order.ts'),
    ];
    expect(files.filter((f) => !answersOnly.includes(f)).sort()).toEqual([
      path.join('billing', 'idempotency.ts'),
      // The uploaded roster kept for the import worker (docs/onboarding.md), never a document.
      path.join('onboarding', 'import-file.ts'),
      path.join('store', 'table.ts'),
    ]);
  });
});

describe('functions', () => {
  it('exist once per route group of the route table, plus the renewal runner and the import worker', () => {
    expect([...prod.stack.functions.keys()].sort()).toEqual(groups);
    // Besides ours, only the two handlers aws-cdk-lib adds for the web pages: the BucketDeployment
    // copier and the empty-the-bucket-on-delete provider. Both run during deployments only.
    const others = resources(prod.template, 'AWS::Lambda::Function')
      .map(([id]) => id)
      .filter((id) => !ownFunctions(prod.stack).includes(id))
      .sort();
    expect(others).toEqual([
      expect.stringMatching(/^CustomCDKBucketDeployment[0-9A-F]{32}256MiB[0-9A-F]{8}$/),
      expect.stringMatching(/^CustomS3AutoDeleteObjectsCustomResourceProviderHandler[0-9A-F]{8}$/),
    ]);
    expect(ownFunctions(prod.stack)).toHaveLength(groups.length + 2);
  });

  it('run Node 24 on ARM64 with tracing, their own log group and a validated environment', () => {
    const tableRef = {
      Ref: prod.stack.getLogicalId(prod.stack.table.table.node.defaultChild as CfnFunction),
    };
    for (const [id, fn] of resources(prod.template, 'AWS::Lambda::Function')) {
      if (!ownFunctions(prod.stack).includes(id)) continue;
      const p = fn.Properties!;
      expect(p['Runtime'], id).toBe('nodejs24.x');
      expect(p['Architectures'], id).toEqual(['arm64']);
      expect(p['Handler'], id).toBe('index.handler');
      expect(p['TracingConfig'], id).toEqual({ Mode: 'Active' });
      const env = (p['Environment'] as { Variables: Record<string, unknown> }).Variables;
      // The functions that call the payment providers also learn where they are (payment-access.ts).
      const payments = providerCallers(prod.stack).includes(id)
        ? {
            PAYMENT_SECRET_PREFIX: 'property-billing/prod/payments',
            WECHAT_PAY_BASE_URL: 'https://api.mch.weixin.qq.com',
            ALIPAY_GATEWAY: 'https://openapi.alipay.com/gateway.do',
            // The API's own endpoint (its $default stage has no path).
            PAYMENT_NOTIFY_BASE_URL: {
              'Fn::GetAtt': [
                prod.stack.getLogicalId(prod.stack.api.api.node.defaultChild as CfnApi),
                'ApiEndpoint',
              ],
            },
          }
        : {};
      // The import queue's URL only for the function that dispatches to it, its dead letters' ARN
      // only for the worker.
      const extra =
        id === logicalId(prod.stack, prod.stack.functions.get('onboarding')!.fn)
          ? { IMPORT_QUEUE_URL: { Ref: expect.stringMatching(/^ImportsJobs/) } }
          : id === logicalId(prod.stack, prod.stack.imports.function.fn)
            ? {
                IMPORT_DEAD_LETTER_ARN: {
                  'Fn::GetAtt': [expect.stringMatching(/^ImportsDeadLetters/), 'Arn'],
                },
              }
            : {};
      expect(env).toEqual({
        TABLE_NAME: tableRef,
        POWERTOOLS_SERVICE_NAME: 'property-billing',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
        ...payments,
        ...extra,
      });
      const logGroupId = (p['LoggingConfig'] as { LogGroup: { Ref: string } }).LogGroup.Ref;
      prod.template.hasResource('AWS::Logs::LogGroup', {
        Properties: { RetentionInDays: 365 },
        DeletionPolicy: 'Retain',
      });
      expect(prod.template.toJSON().Resources[logGroupId].Properties.RetentionInDays, id).toBe(365);
    }
    for (const [id, fn] of resources(dev.template, 'AWS::Lambda::Function')) {
      if (!ownFunctions(dev.stack).includes(id)) continue;
      const logGroupId = (fn.Properties!['LoggingConfig'] as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(dev.template.toJSON().Resources[logGroupId].Properties.RetentionInDays).toBe(14);
    }
  });

  it('refuses an environment that does not match its schema', () => {
    const good = {
      TABLE_NAME: 't',
      POWERTOOLS_SERVICE_NAME: 'property-billing',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    };
    expect(functionEnvironment.parse(good)).toEqual(good);
    for (const bad of [
      { ...good, TABLE_NAME: '' },
      { ...good, POWERTOOLS_LOG_LEVEL: 'VERBOSE' },
      { ...good, NODE_OPTIONS: '--inspect' },
      { ...good, EXTRA: 'x' },
    ]) {
      expect(() => functionEnvironment.parse(bad)).toThrow(z.ZodError);
    }
  });

  it('send the renewal runner, and only it, to functions/scheduler.ts with retries and a long timeout', () => {
    const runner = logicalId(prod.stack, prod.stack.renewals.function.fn);
    const p = prod.template.toJSON().Resources[runner].Properties;
    expect(p.Timeout).toBe(900);
    prod.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: runner },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 6 * 3600,
    });
  });
});

describe('IAM: each function gets only the table actions its routes use', () => {
  const FORBIDDEN = [
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
    'dynamodb:DescribeTable',
    'dynamodb:*',
  ];

  it('derives read-only or read-write per group from the route table; accountant routes are read-only', () => {
    const modes = groupAccess(ROUTES);
    for (const g of groups) {
      const rw = ROUTES.some((r) => r.group === g && r.access === 'RW');
      expect(modes.get(g), g).toBe(rw ? 'RW' : 'RO');
    }
    for (const r of ROUTES.filter(
      (r) => r.roles !== 'public' && r.roles.every((role) => role === 'accountant'),
    )) {
      expect(r.access, `${r.method} ${r.path}`).toBe('RO');
    }
    for (const g of READ_ONLY_GROUPS.filter((g) => groups.includes(g))) expect(modes.get(g)).toBe('RO');
  });

  it('refuses a route table in which the ledger group or an accountant-only route writes', () => {
    const base = ROUTES.find((r) => r.access === 'RO' && r.roles !== 'public')!;
    expect(() => groupAccess([{ ...base, group: 'ledger', access: 'RW' }])).toThrow(
      /ledger group is read-only/,
    );
    expect(() => groupAccess([{ ...base, group: 'billing', access: 'RW', roles: ['accountant'] }])).toThrow(
      /accountants change nothing/,
    );
  });

  it('grants RO groups reads only, RW groups reads plus Put/Update/ConditionCheck, and nobody deletes', () => {
    const modes = groupAccess(ROUTES);
    for (const [group, fn] of prod.stack.functions) {
      const grants = grantsOf(prod.template, prod.stack, logicalId(prod.stack, fn.fn));
      const dynamo = grants.filter((g) => g.action.startsWith('dynamodb:'));
      const actions = new Set(dynamo.map((g) => g.action));
      for (const f of FORBIDDEN) expect(actions.has(f), `${group} ${f}`).toBe(false);
      expect(actions.has('dynamodb:Scan'), group).toBe(false);
      const writes = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'];
      if (modes.get(group) === 'RO') {
        expect(
          [...actions].every(
            (a) => a === 'dynamodb:GetItem' || a === 'dynamodb:BatchGetItem' || a === 'dynamodb:Query',
          ),
          group,
        ).toBe(true);
      } else {
        for (const w of writes) expect(dynamo, group).toContainEqual({ action: w, resource: 'table' });
      }
      // Reads and queries go to the table and the named indexes the group's code uses, nothing else.
      const needs = TABLE_NEEDS[group];
      expect(
        dynamo
          .filter((g) => g.action === 'dynamodb:Query')
          .map((g) => g.resource)
          .sort(),
        group,
      ).toEqual(
        [...(needs.queriesTable ? ['table'] : []), ...needs.queriesIndexes.map((i) => `index/${i}`)].sort(),
      );
      expect(
        dynamo.filter((g) => g.action === 'dynamodb:GetItem').map((g) => g.resource),
        group,
      ).toEqual(['table']);
      // BatchGetItem (unit labels of the reports) only where declared, on the table alone.
      expect(
        dynamo.filter((g) => g.action === 'dynamodb:BatchGetItem').map((g) => g.resource),
        group,
      ).toEqual(needs.batchGets ? ['table'] : []);
      // Logs to its own group, X-Ray; the merchant secrets where the providers are called; the
      // onboarding function may send to the import queue. Nothing else.
      const other = grants
        .filter((g) => !g.action.startsWith('dynamodb:'))
        .map((g) => g.action)
        .sort();
      const secrets = providerCallers(prod.stack).includes(logicalId(prod.stack, fn.fn))
        ? ['secretsmanager:GetSecretValue']
        : [];
      expect(other, group).toEqual(
        [
          'logs:CreateLogStream',
          'logs:PutLogEvents',
          'xray:PutTelemetryRecords',
          'xray:PutTraceSegments',
          ...secrets,
          ...(group === 'onboarding' ? ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'] : []),
        ].sort(),
      );
    }
  });

  it('gives the renewal runner Scan on the renewal index only', () => {
    const grants = grantsOf(
      prod.template,
      prod.stack,
      logicalId(prod.stack, prod.stack.renewals.function.fn),
    );
    expect(grants.filter((g) => g.action === 'dynamodb:Scan')).toEqual([
      { action: 'dynamodb:Scan', resource: 'index/GSI2' },
    ]);
    expect(grants.some((g) => FORBIDDEN.includes(g.action))).toBe(false);
  });

  it('uses no AWS-managed policies on function roles', () => {
    const managed = resources(prod.template, 'AWS::IAM::Role')
      .filter(([, role]) => role.Properties!['ManagedPolicyArns'] !== undefined)
      .map(([id, role]) => [
        id.replace(/[0-9A-F]{8,}$/, ''),
        JSON.stringify(role.Properties!['ManagedPolicyArns']),
      ]);
    // The one exception is aws-cdk-lib's bucket-emptying provider (a raw CloudFormation resource the
    // library writes, with no role to pass): basic execution, i.e. its own logs.
    expect(managed).toEqual([
      [
        'CustomS3AutoDeleteObjectsCustomResourceProviderRole',
        expect.stringMatching(/:iam::aws:policy\/service-role\/AWSLambdaBasicExecutionRole"/),
      ],
    ]);
  });

  it('declares exactly the indexes (and scans) the code of each group reaches', async () => {
    const byGroup = await routeModulesByGroup();
    expect([...byGroup.keys()].sort()).toEqual(groups);
    for (const [group, files] of byGroup) {
      const used = tableUse(importGraph(files));
      const needs = TABLE_NEEDS[group as keyof typeof TABLE_NEEDS];
      expect({ group, ...used }).toEqual({
        group,
        queriesTable: needs.queriesTable,
        queriesIndexes: [...needs.queriesIndexes].sort(),
        scansIndexes: [...(needs.scansIndexes ?? [])].sort(),
      });
    }
    const runner = tableUse(importGraph(['functions/scheduler.ts']));
    expect(runner).toEqual({
      queriesTable: TABLE_NEEDS[SCHEDULER].queriesTable,
      queriesIndexes: [...TABLE_NEEDS[SCHEDULER].queriesIndexes].sort(),
      scansIndexes: [...(TABLE_NEEDS[SCHEDULER].scansIndexes ?? [])].sort(),
    });
  });
});

describe('HTTP API', () => {
  const routeKey = (r: Pick<AnyRoute, 'method' | 'path'>) => `${r.method} ${r.path}`;

  function apiRoutes(t: Template) {
    const json = t.toJSON().Resources as Record<
      string,
      { Type: string; Properties: Record<string, unknown> }
    >;
    return resources(t, 'AWS::ApiGatewayV2::Route').map(([, r]) => {
      const p = r.Properties!;
      const target = JSON.stringify(p['Target']);
      const integrationId = /"Ref":"([^"]+)"/.exec(target)![1]!;
      const uri = json[integrationId]!.Properties['IntegrationUri'] as { 'Fn::GetAtt': [string, string] };
      return {
        key: p['RouteKey'] as string,
        authorizationType: p['AuthorizationType'] as string,
        authorizerId: p['AuthorizerId'],
        functionId: uri['Fn::GetAtt'][0],
      };
    });
  }

  it('has the route table one for one, each route on its group function', () => {
    const synthesized = apiRoutes(prod.template);
    expect(synthesized.map((r) => r.key).sort()).toEqual(ROUTES.map(routeKey).sort());
    expect(new Set(synthesized.map((r) => r.key)).size).toBe(ROUTES.length);
    for (const r of ROUTES) {
      const s = synthesized.find((x) => x.key === routeKey(r))!;
      expect(s.functionId, routeKey(r)).toBe(logicalId(prod.stack, prod.stack.functions.get(r.group)!.fn));
    }
  });

  it('puts every route but /health, /openapi.json and the providers’ notifications behind the Cognito JWT authorizer', () => {
    const [authorizerId] = only(prod.template, 'AWS::ApiGatewayV2::Authorizer');
    const open = apiRoutes(prod.template)
      .filter((r) => r.authorizationType !== 'JWT')
      .map((r) => r.key);
    expect(open.sort()).toEqual([
      'GET /health',
      'GET /openapi.json',
      'POST /v1/payment-notify/alipay',
      'POST /v1/payment-notify/wechat',
    ]);
    for (const r of apiRoutes(prod.template)) {
      if (open.includes(r.key)) expect(r.authorizationType).toBe('NONE');
      else expect(r.authorizerId, r.key).toEqual({ Ref: authorizerId });
    }
    const pool = prod.stack.getLogicalId(prod.stack.users.userPool.node.defaultChild as CfnFunction);
    const client = prod.stack.getLogicalId(prod.stack.users.client.node.defaultChild as CfnFunction);
    prod.template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [{ Ref: client }],
        Issuer: { 'Fn::Join': ['', ['https://cognito-idp.ap-east-1.amazonaws.com/', { Ref: pool }]] },
      },
    });
  });

  it('follows the route table it is given, not a list of its own', () => {
    const template = ROUTES.find((r) => r.group === 'billing' && r.roles !== 'public')!;
    const extra = { ...template, method: 'GET' as const, path: '/v1/made-up/{id}', operationId: 'madeUp' };
    const { template: t } = synthApp({ context: { stage: 'dev' }, routes: [...ROUTES, extra] });
    expect(apiRoutes(t).map((r) => r.key)).toContain('GET /v1/made-up/{id}');
    expect(apiRoutes(t)).toHaveLength(ROUTES.length + 1);
  });

  it('throttles the stage and writes JSON access logs without tokens or bodies', () => {
    prod.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] },
        Format: Match.anyValue(),
      },
    });
    const [, stage] = only(prod.template, 'AWS::ApiGatewayV2::Stage');
    const format = (stage.Properties!['AccessLogSettings'] as { Format: string }).Format;
    const line = JSON.parse(format.replace(/\$context\.[\w.]+/g, '0'));
    expect(Object.keys(line)).toEqual(
      expect.arrayContaining(['requestId', 'routeKey', 'status', 'integrationError']),
    );
    expect(format).not.toMatch(/header|body|querystring|claims\.(?!sub)/i);
    prod.template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.status = 429 }',
      MetricTransformations: [
        { MetricName: 'ThrottledRequests', MetricNamespace: 'PropertyBilling/prod', MetricValue: '1' },
      ],
    });
  });
});

describe('Cognito', () => {
  it('has one group per role of API.md and no other', () => {
    const names = resources(prod.template, 'AWS::Cognito::UserPoolGroup').map(
      ([, g]) => g.Properties!['GroupName'],
    );
    expect(names.sort()).toEqual(['accountant', 'admin', 'cashier', 'gate', 'kiosk', 'owner']);
  });

  it('scopes users with custom attributes estates and units, admin-created only, strong passwords', () => {
    prod.template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Schema: Match.arrayWith([
        Match.objectLike({ Name: 'estates', AttributeDataType: 'String', Mutable: true }),
        Match.objectLike({ Name: 'units', AttributeDataType: 'String', Mutable: true }),
      ]),
      Policies: {
        PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireSymbols: true, RequireUppercase: true }),
      },
      MfaConfiguration: 'OPTIONAL',
      DeletionProtection: 'ACTIVE',
    });
    dev.template.hasResourceProperties('AWS::Cognito::UserPool', { DeletionProtection: 'INACTIVE' });
  });

  it('lets the app client read the scope attributes but never write them', () => {
    prod.template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      ReadAttributes: Match.arrayWith(['custom:estates', 'custom:units']),
      AllowedOAuthFlowsUserPoolClient: false,
    });
    const [, client] = only(prod.template, 'AWS::Cognito::UserPoolClient');
    // A copy: sorting in place would reorder the template the snapshot below compares.
    expect([...(client.Properties!['ExplicitAuthFlows'] as string[])].sort()).toEqual([
      'ALLOW_REFRESH_TOKEN_AUTH',
      'ALLOW_USER_PASSWORD_AUTH',
      'ALLOW_USER_SRP_AUTH',
    ]);
    const writes = client.Properties!['WriteAttributes'] as string[];
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.filter((a) => a.startsWith('custom:'))).toEqual([]);
  });

  it('turns on enforced threat protection when the PLUS plan is configured', () => {
    variant.template.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
    });
  });
});

describe('daily renewals', () => {
  it('runs at 02:00 in Asia/Shanghai through EventBridge Scheduler, invoking exactly the runner', () => {
    const runner = logicalId(prod.stack, prod.stack.renewals.function.fn);
    prod.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 2 * * ? *)',
      ScheduleExpressionTimezone: 'Asia/Shanghai',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [runner, 'Arn'] }, RetryPolicy: Match.anyValue() }),
    });
    const [, schedule] = only(prod.template, 'AWS::Scheduler::Schedule');
    const roleId = (schedule.Properties!['Target'] as { RoleArn: { 'Fn::GetAtt': [string] } }).RoleArn[
      'Fn::GetAtt'
    ][0];
    prod.template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
          }),
        ],
      },
    });
    const policies = resources(prod.template, 'AWS::IAM::Policy').filter(([, p]) =>
      JSON.stringify(p.Properties!['Roles']).includes(roleId),
    );
    expect(
      policies.map(([, p]) => (p.Properties!['PolicyDocument'] as { Statement: unknown[] }).Statement),
    ).toEqual([
      [{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [runner, 'Arn'] } }],
    ]);
  });
});

describe('alarms', () => {
  type AlarmProps = Record<string, unknown> & {
    AlarmActions?: unknown[];
    Metrics?: { Expression?: string; MetricStat?: { Metric: { MetricName: string } } }[];
  };
  const alarms = () =>
    resources(prod.template, 'AWS::CloudWatch::Alarm').map(
      ([id, a]) => [id, a.Properties as AlarmProps] as const,
    );
  const byMetric = (name: string) => alarms().filter(([, a]) => a['MetricName'] === name);

  it('alarm on API 5xx and on throttled requests', () => {
    const [api5xx] = byMetric('5xx');
    expect(api5xx?.[1]).toMatchObject({ Namespace: 'AWS/ApiGateway', Threshold: 1, Statistic: 'Sum' });
    const [throttled] = byMetric('ThrottledRequests');
    expect(throttled?.[1]).toMatchObject({ Namespace: 'PropertyBilling/prod', Statistic: 'Sum' });
  });

  it('alarm on errors of every function, one each', () => {
    const errorAlarms = byMetric('Errors').map(([, a]) => JSON.stringify(a['Dimensions']));
    // Our functions: a failing deploy-time handler fails the deployment, which says so itself.
    const fns = ownFunctions(prod.stack);
    expect(errorAlarms).toHaveLength(fns.length);
    for (const id of fns)
      expect(
        errorAlarms.some((d) => d.includes(`"Ref":"${id}"`)),
        id,
      ).toBe(true);
  });

  it('alarm on DynamoDB system errors and throttled requests for every operation the code uses', () => {
    for (const metric of ['SystemErrors', 'ThrottledRequests']) {
      const found = alarms().filter(([, a]) =>
        (a.Metrics ?? []).some((m) => m.MetricStat?.Metric.MetricName === metric),
      );
      expect(found, metric).toHaveLength(1);
      const ops = JSON.stringify(found[0]![1].Metrics);
      for (const op of [
        'GetItem',
        'BatchGetItem',
        'Query',
        'PutItem',
        'UpdateItem',
        'TransactWriteItems',
        'Scan',
      ]) {
        expect(ops, `${metric} ${op}`).toContain(`"Value":"${op}"`);
      }
    }
  });

  it('alarm when the daily renewal run was not invoked, and notify one SSL-only topic on every alarm', () => {
    const [missed] = byMetric('Invocations');
    expect(missed?.[1]).toMatchObject({
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      Period: 86400,
    });
    const [topicId] = only(prod.template, 'AWS::SNS::Topic');
    for (const [id, a] of alarms()) {
      expect(a.AlarmActions, id).toEqual([{ Ref: topicId }]);
      expect(a['OKActions'], id).toEqual([{ Ref: topicId }]);
    }
    prod.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('subscribe the configured address', () => {
    variant.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
  });
});

describe('web pages (counter and kiosk)', () => {
  const ids = (stack: AppStack) => ({
    bucket: stack.getLogicalId(stack.web.bucket.node.defaultChild as CfnBucket),
    distribution: stack.getLogicalId(stack.web.distribution.node.defaultChild as CfnDistribution),
    api: stack.getLogicalId(stack.api.api.node.defaultChild as CfnApi),
  });
  const origin = (distribution: string) => ({
    'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distribution, 'DomainName'] }]],
  });

  it('keep the pages in a bucket that blocks public access and refuses requests without TLS', () => {
    const { bucket } = ids(prod.stack);
    expect(prod.template.toJSON().Resources[bucket].Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    prod.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucket },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('serve them through CloudFront only: origin access control to that bucket, HTTPS for viewers', () => {
    const { bucket, distribution } = ids(prod.stack);
    const [oacId] = only(prod.template, 'AWS::CloudFront::OriginAccessControl');
    const config = prod.template.toJSON().Resources[distribution].Properties.DistributionConfig;
    expect(config.Origins).toEqual([
      expect.objectContaining({
        DomainName: { 'Fn::GetAtt': [bucket, 'RegionalDomainName'] },
        OriginAccessControlId: { 'Fn::GetAtt': [oacId, 'Id'] },
        S3OriginConfig: { OriginAccessIdentity: '' },
      }),
    ]);
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(config.CacheBehaviors).toBeUndefined();
    // The bucket lets CloudFront read, and only this distribution.
    prod.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucket },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:GetObject',
            Condition: {
              StringEquals: {
                'AWS:SourceArn': {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      ':cloudfront::',
                      { Ref: 'AWS::AccountId' },
                      ':distribution/',
                      { Ref: distribution },
                    ],
                  ],
                },
              },
            },
          }),
        ]),
      },
    });
  });

  it('are the one origin the API allows by CORS, with the headers the pages send and read', () => {
    for (const { stack, template } of [prod, dev]) {
      const { api, distribution } = ids(stack);
      const cors = template.toJSON().Resources[api].Properties.CorsConfiguration;
      expect(cors.AllowOrigins).toEqual([origin(distribution)]);
      expect(cors.AllowHeaders).toEqual(['authorization', 'content-type', 'idempotency-key']);
      expect(cors.AllowCredentials).toBe(false);
    }
  });

  it('print their address as WebUrl', () => {
    const { distribution } = ids(prod.stack);
    prod.template.hasOutput('WebUrl', { Value: origin(distribution) });
  });

  it('write the stage URL into config.json without a dependency cycle between API and distribution', () => {
    const { distribution } = ids(prod.stack);
    const json = prod.template.toJSON();
    expect(dependencyCycle(json.Resources)).toEqual([]);
    // The distribution (and its CSP) does not reach the API; the deployment does, at deploy time.
    const [deployId, deploy] = only(prod.template, 'Custom::CDKBucketDeployment');
    expect(JSON.stringify(deploy.Properties!['SourceMarkers'])).toContain(ids(prod.stack).api);
    expect(JSON.stringify(json.Resources[distribution])).not.toContain(ids(prod.stack).api);
    expect(deployId).toBeDefined();
  });

  it('would be caught by the cycle check if the distribution named the API', () => {
    const cyclic = {
      Api: { Properties: { Cors: { AllowOrigins: [{ 'Fn::GetAtt': ['Cdn', 'DomainName'] }] } } },
      Cdn: { Properties: { Csp: { 'Fn::Join': ['', ['connect-src ', { Ref: 'Api' }]] } } },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax
      Other: { Properties: { Sub: { 'Fn::Sub': '${Api.ApiEndpoint}' } } },
    };
    expect(dependencyCycle(cyclic)).toEqual(['Api', 'Cdn', 'Api']);
    expect(dependencyCycle({ Api: cyclic.Api, Cdn: { Properties: {} }, Other: cyclic.Other })).toEqual([]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax
    const sub = { 'Fn::Sub': '${B.Arn}' };
    expect(dependencyCycle({ A: { Properties: { X: sub } }, B: { DependsOn: ['A'] } })).toEqual([
      'A',
      'B',
      'A',
    ]);
  });
});

describe('provider notifications', () => {
  it('have their own throttle, tighter than the stage’s', () => {
    const [, stage] = only(prod.template, 'AWS::ApiGatewayV2::Stage');
    const settings = stage.Properties!['RouteSettings'] as Record<string, { ThrottlingRateLimit: number }>;
    expect(Object.keys(settings).sort()).toEqual([
      'POST /v1/payment-notify/alipay',
      'POST /v1/payment-notify/wechat',
    ]);
    const stageRate = (stage.Properties!['DefaultRouteSettings'] as { ThrottlingRateLimit: number })
      .ThrottlingRateLimit;
    for (const s of Object.values(settings)) expect(s.ThrottlingRateLimit).toBeLessThan(stageRate);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged in either stage', () => {
    for (const { stack } of [prod, dev]) {
      const report = new AwsSolutionsChecks().validateScope(stack);
      expect(
        report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath)}`),
      ).toEqual([]);
      expect(report.success).toBe(true);
    }
  });

  it('acknowledges only these findings, each with a specific reason, and none that does not occur', () => {
    const acks: { path: string; id: string }[] = [];
    const visit = (c: IConstruct) => {
      for (const m of c.node.metadata) {
        if (m.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(m.data as Record<string, string>)) {
          // aws-cdk-lib acknowledges some of its own cfn-lint warnings (W3045 on a bucket with an ACL).
          if (!id.replace(/^annotation::/i, '').startsWith('AwsSolutions-')) continue;
          expect(String(reason).length, id).toBeGreaterThan(80);
          acks.push({ path: c.node.path, id: id.replace(/^annotation::/i, '') });
        }
      }
      for (const child of c.node.children) visit(child);
    };
    visit(prod.stack);
    const short = (p: string) => p.replace(/^PropertyBilling-prod\//, '');
    const functionRoles = [...groups.map((g) => `Fn-${g}`), 'Renewals/Runner', 'Imports/Runner'].map(
      (p) => `${p}/Role AwsSolutions-IAM5[Resource::*]`,
    );
    const secretReaders = ['Fn-payments', 'Fn-payments-notify', 'Renewals/Runner'].map(
      (p) =>
        `${p}/Role AwsSolutions-IAM5[Resource::arn:aws:secretsmanager:ap-east-1:123456789012:secret:property-billing/prod/payments/*]`,
    );
    const pagesBucket = prod.stack.getLogicalId(prod.stack.web.bucket.node.defaultChild as CfnBucket);
    const deployRole = [
      'Action::s3:GetObject*',
      'Action::s3:GetBucket*',
      'Action::s3:List*',
      'Action::s3:DeleteObject*',
      'Action::s3:Abort*',
      // A literal partition: the region is known and cdk.json turns partition literals on.
      'Resource::arn:aws:s3:::cdk-hnb659fds-assets-123456789012-ap-east-1/*',
      `Resource::<${pagesBucket}.Arn>/*`,
      'Resource::*',
    ].map((f) => `Web/DeployRole AwsSolutions-IAM5[${f}]`);
    // The BucketDeployment handler is a stack-level singleton named after a fixed id of the library.
    const handler = prod.stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
    expect(handler).toBeDefined();
    expect(acks.map((a) => `${short(a.path)} ${a.id}`).sort()).toEqual(
      [
        ...functionRoles,
        ...secretReaders,
        'Http/Route-health AwsSolutions-APIG4',
        'Http/Route-openapi AwsSolutions-APIG4',
        'Http/Route-notifyAlipay AwsSolutions-APIG4',
        'Http/Route-notifyWechatPay AwsSolutions-APIG4',
        'Users/Users AwsSolutions-COG2',
        'Users/Users AwsSolutions-COG8',
        'Web/Cdn AwsSolutions-CFR1',
        'Web/Cdn AwsSolutions-CFR2',
        'Web/Cdn AwsSolutions-CFR4',
        ...deployRole,
        `${handler!.node.id} AwsSolutions-L1`,
      ].sort(),
    );
    // The same checks with every acknowledgement ignored: each one must cover a real finding.
    const raw = new AwsSolutionsChecks();
    (raw as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
    const findings = raw
      .validateScope(prod.stack)
      .violations.flatMap((v) =>
        v.violatingResources.map((r) => ({ path: r.constructPath ?? '?', id: v.ruleName })),
      );
    for (const a of acks) {
      expect(
        findings.some((f) => f.id === a.id && f.path.startsWith(`${a.path}/`)),
        `${short(a.path)} ${a.id}`,
      ).toBe(true);
    }
    for (const f of findings) {
      expect(
        acks.some((a) => f.id === a.id && f.path.startsWith(`${a.path}/`)),
        `${short(f.path)} ${f.id}`,
      ).toBe(true);
    }
  });

  it('runs on every synth: an unacknowledged finding stops it', () => {
    // An SQS queue without a DLQ or a TLS-only policy: two findings nobody acknowledged.
    expect(() =>
      synthApp({ context: { stage: 'dev' }, extend: (s: Stack) => new Queue(s, 'Stray') }),
    ).toThrow(/AwsSolutions-SQS4/);
  });
});

describe('template snapshot', () => {
  it('matches the reviewed template (asset hashes stripped)', async () => {
    const json = prod.template.toJSON() as { Resources: Record<string, { Type: string }> };
    for (const [id, r] of Object.entries(json.Resources))
      if (r.Type === 'AWS::CDK::Metadata') delete json.Resources[id];
    const normalised = JSON.stringify(json, null, 2).replace(/[0-9a-f]{64}/g, '<asset-hash>');
    // .snap, not .json: Biome would reformat a .json file and break the comparison.
    await expect(normalised).toMatchFileSnapshot('__snapshots__/stack.template.snap');
  });
});
