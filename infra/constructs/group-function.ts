/**
 * One Lambda function with everything a function here must have: Node 24 on ARM64, an ESM bundle
 * built by the local esbuild, its own log group with a retention, active tracing, a validated
 * environment, and a role that holds nothing but its log group, tracing and `bindTable`'s grants.
 * The role is written out rather than taking AWSLambdaBasicExecutionRole, which may create any log
 * group and write to every one in the account.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import * as z from 'zod';
import type { StageConfig } from '../config.js';
import { BUNDLE } from './bundling.js';
import type { BillingTable } from './table.js';
import { type AccessMode, type TableNeeds, WRITE_ACTIONS } from './table-access.js';

export const PROJECT_ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const RUNTIME = Runtime.NODEJS_24_X;
export const SERVICE_NAME = 'property-billing';
const LAZY_BUNDLER = path.join(PROJECT_ROOT, 'infra', 'bundle-lazy.ts');
const shellQuote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

/** The environment every function receives; validated at synth so a typo cannot reach Lambda. */
export const functionEnvironment = z.strictObject({
  TABLE_NAME: z.string().min(1),
  POWERTOOLS_SERVICE_NAME: z.string().regex(/^[a-z][a-z0-9-]{2,63}$/),
  POWERTOOLS_LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']),
  NODE_OPTIONS: z.literal('--enable-source-maps'),
  /** The onboarding function: where large roster imports are queued (lib/onboarding/queue.ts). */
  IMPORT_QUEUE_URL: z.string().min(1).optional(),
  /** The import worker: the dead-letter queue it also consumes (lib/onboarding/worker-messages.ts). */
  IMPORT_DEAD_LETTER_ARN: z.string().min(1).optional(),
});
export type FunctionEnvironment = z.infer<typeof functionEnvironment>;

export interface GroupFunctionProps {
  /** Route group or job name; the entry is functions/<name>.ts. */
  name: string;
  description: string;
  config: StageConfig;
  table: BillingTable;
  timeout?: Duration;
  memorySize?: number;
  /** The optional variables of functionEnvironment this function needs. */
  environment?: Pick<FunctionEnvironment, 'IMPORT_QUEUE_URL' | 'IMPORT_DEAD_LETTER_ARN'>;
}

export class GroupFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: GroupFunctionProps) {
    super(scope, id);
    const { config } = props;
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: config.logRetentionDays,
      removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.name} function: its log group, X-Ray, and its table grants`,
    });
    this.logGroup.grantWrite(this.role);

    const environment = functionEnvironment.parse({
      TABLE_NAME: props.table.table.tableName,
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
      ...props.environment,
    } satisfies FunctionEnvironment);

    this.fn = new NodejsFunction(this, 'Function', {
      entry: path.join(PROJECT_ROOT, 'functions', `${props.name}.ts`),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      description: props.description,
      role: this.role,
      logGroup: this.logGroup,
      tracing: Tracing.ACTIVE,
      environment,
      // The SDK is bundled (see bundling.ts); this only stops CDK setting a v2-era variable.
      awsSdkConnectionReuse: false,
      bundling: {
        format: OutputFormat.ESM,
        target: BUNDLE.target,
        minify: BUNDLE.minify,
        sourceMap: BUNDLE.sourceMap,
        sourcesContent: BUNDLE.sourcesContent,
        banner: BUNDLE.banner,
        define: { ...BUNDLE.define },
        // aws-cdk-lib 2.276's bundling ignores its own `charset` option: pass esbuild's flag.
        esbuildArgs: { '--charset': BUNDLE.charset },
        mainFields: [...BUNDLE.mainFields],
        externalModules: [...BUNDLE.externalModules],
        bundleAwsSDK: true,
        forceDockerBundling: false,
        // esbuild's size table on every synth is noise; warnings are caught by the bundle test.
        logLevel: LogLevel.ERROR,
        // The lazy modules the bundle imports, each bundled beside it (lazy-modules.ts). Runs in
        // the project root with this process's Node and tsx, as the local esbuild did.
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir: string, outputDir: string) => [
            [process.execPath, '--import', 'tsx', LAZY_BUNDLER, outputDir].map(shellQuote).join(' '),
          ],
        },
      },
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'xray:PutTraceSegments and xray:PutTelemetryRecords (active tracing) do not support resource-level permissions; the role has no other wildcard resource.',
    });
  }

  /** Grants exactly the table actions and index ARNs the function's code uses. */
  bindTable(table: BillingTable, mode: AccessMode, needs: TableNeeds): void {
    const queryTargets = [
      ...(needs.queriesTable ? [table.table.tableArn] : []),
      ...needs.queriesIndexes.map((i) => table.indexArn(i)),
    ];
    const statements = [
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['dynamodb:GetItem', ...(needs.batchGets ? ['dynamodb:BatchGetItem'] : [])],
        resources: [table.table.tableArn],
      }),
    ];
    if (queryTargets.length > 0) {
      statements.push(
        new PolicyStatement({ effect: Effect.ALLOW, actions: ['dynamodb:Query'], resources: queryTargets }),
      );
    }
    if (needs.scansIndexes?.length) {
      statements.push(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['dynamodb:Scan'],
          resources: needs.scansIndexes.map((i) => table.indexArn(i)),
        }),
      );
    }
    if (mode === 'RW') {
      statements.push(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: [...WRITE_ACTIONS],
          resources: [table.table.tableArn],
          ...(needs.writePartitions
            ? {
                conditions: {
                  'ForAllValues:StringLike': {
                    'dynamodb:LeadingKeys': needs.writePartitions.map((p) => `${p}*`),
                  },
                },
              }
            : {}),
        }),
      );
    }
    for (const s of statements) this.role.addToPrincipalPolicy(s);
  }
}
