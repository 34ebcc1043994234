/**
 * Everything `npm start` runs locally, in AWS: the table, one function per route group of the
 * route table, the HTTP API with its Cognito authorizer, the daily renewal run, the roster import
 * worker (an SQS job queue and its function), the alarms, the counter and kiosk pages (S3 behind
 * CloudFront) that the API allows by CORS, and the payment providers' merchant-secret shells.
 */
import { type App, CfnOutput, Stack, type StackProps, Tags, Validations } from 'aws-cdk-lib';
import type { CfnApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import type { AnyRoute, FunctionGroup } from '../lib/api/route.js';
import { ROUTES } from '../lib/api/routes.js';
import { type ConfigSources, loadStageConfig, type StageConfig, stackName } from './config.js';
import { OperationsAlarms } from './constructs/alarms.js';
import { GroupFunction } from './constructs/group-function.js';
import { BillingApi } from './constructs/http-api.js';
import { ImportWorker } from './constructs/import-worker.js';
import { PaymentSecrets } from './constructs/payment-access.js';
import { RenewalSchedule } from './constructs/renewal-schedule.js';
import { BillingTable } from './constructs/table.js';
import { groupAccess, TABLE_NEEDS } from './constructs/table-access.js';
import { UserDirectory } from './constructs/user-directory.js';
import { WebConsole, webCors } from './constructs/web.js';

export interface AppStackProps extends StackProps {
  config: StageConfig;
  /** The route table; tests pass their own to prove the stack follows it. */
  routes?: readonly AnyRoute[];
}

export class AppStack extends Stack {
  readonly table: BillingTable;
  readonly functions = new Map<FunctionGroup, GroupFunction>();
  readonly users: UserDirectory;
  readonly api: BillingApi;
  readonly renewals: RenewalSchedule;
  readonly imports: ImportWorker;
  readonly alarms: OperationsAlarms;
  readonly web: WebConsole;
  readonly paymentSecrets: PaymentSecrets;

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, props);
    const { config } = props;
    const routes = props.routes ?? ROUTES;
    Tags.of(this).add('project', 'property-billing');
    Tags.of(this).add('stage', config.stage);

    this.table = new BillingTable(this, 'Billing', { retainData: config.retainData });
    // Before the route functions: the onboarding function is given the job queue's URL.
    this.imports = new ImportWorker(this, 'Imports', { config, table: this.table });
    for (const [group, mode] of groupAccess(routes)) {
      const fn = new GroupFunction(this, `Fn-${group}`, {
        name: group,
        description: `Routes of the ${group} group (${mode === 'RO' ? 'read-only' : 'read-write'})`,
        config,
        table: this.table,
        ...(group === 'onboarding' ? { environment: { IMPORT_QUEUE_URL: this.imports.queue.queueUrl } } : {}),
      });
      fn.bindTable(this.table, mode, TABLE_NEEDS[group]);
      this.functions.set(group, fn);
    }
    this.users = new UserDirectory(this, 'Users', { config });
    this.api = new BillingApi(this, 'Http', {
      config,
      routes,
      functions: new Map([...this.functions].map(([g, f]) => [g, f.fn])),
      users: this.users,
      metricNamespace: `PropertyBilling/${config.stage}`,
    });
    // The pages get only the stage URL, resolved into config.json at deploy time, never the API
    // itself: the API's CORS names the distribution, and a reference back would be a cycle.
    this.web = new WebConsole(this, 'Web', { config, apiUrl: this.api.stage.url });
    (this.api.api.node.defaultChild as CfnApi).corsConfiguration = webCors([this.web.origin]);
    this.renewals = new RenewalSchedule(this, 'Renewals', { config, table: this.table });
    // The functions that call the providers: orders and refunds, notifications, the daily close of
    // expired orders. The notify URL is the API's own endpoint unless a custom domain is given.
    this.paymentSecrets = new PaymentSecrets(this, 'PaymentSecrets', { config });
    for (const fn of [
      this.functions.get('payments'),
      this.functions.get('payments-notify'),
      this.renewals.function,
    ]) {
      if (fn) this.paymentSecrets.grantTo(fn, this.api.api.apiEndpoint);
    }
    const onboarding = this.functions.get('onboarding');
    if (onboarding) this.imports.allowDispatchFrom(onboarding);
    this.alarms = new OperationsAlarms(this, 'Alarms', {
      config,
      api: this.api,
      table: this.table,
      functions: new Map<string, GroupFunction['fn']>([
        ...[...this.functions].map(([g, f]) => [g, f.fn] as const),
        ['scheduler', this.renewals.function.fn],
        ['import-worker', this.imports.function.fn],
      ]),
      renewalRunner: this.renewals.function.fn,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.stage.url });
    new CfnOutput(this, 'UserPoolId', { value: this.users.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.users.client.userPoolClientId });
    new CfnOutput(this, 'TableName', { value: this.table.table.tableName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
    new CfnOutput(this, 'RenewalFunctionName', { value: this.renewals.function.fn.functionName });
    new CfnOutput(this, 'WebUrl', { value: this.web.origin });
  }
}

/**
 * The deployable app: the stage's configuration validated, cdk-nag's AwsSolutions checks on every
 * synth (a finding without a written acknowledgement fails the synth), one stack.
 */
export function addStageStack(app: App, sources: ConfigSources, routes?: readonly AnyRoute[]): AppStack {
  const config = loadStageConfig(sources);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return new AppStack(app, stackName(config), {
    config,
    ...(routes ? { routes } : {}),
    env: { account: config.account, region: config.region },
    description: `Property fee billing and parking charges (${config.stage})`,
    terminationProtection: config.retainData,
  });
}
