/**
 * The HTTP API: one API Gateway route per entry of the route table (lib/api/routes.ts), each sent
 * to its group's function; every route but the public ones behind the Cognito JWT authorizer.
 * Roles and estate scope are checked by the handler from the verified claims (API Gateway can only
 * check scopes, not groups). Stage throttling, JSON access logs, and a metric of throttled requests
 * taken from those logs (HTTP APIs publish none of their own).
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, LogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { AnyRoute, FunctionGroup } from '../../lib/api/route.js';

/** Requests per second a provider's notifications may use (WeChat and Alipay retry what is refused). */
export const NOTIFY_THROTTLE = { rateLimit: 20, burstLimit: 40 } as const;

import type { StageConfig } from '../config.js';
import type { UserDirectory } from './user-directory.js';

/** One line per request; never a token, a body or a query string (they may carry personal data). */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  routeKey: '$context.routeKey',
  // Unquoted, so that the throttle metric filter can compare it as a number.
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
  sub: '$context.authorizer.claims.sub',
  error: '$context.error.message',
} as const;

function accessLogFormat(): string {
  const parts = Object.entries(ACCESS_LOG_FIELDS).map(([k, v]) =>
    k === 'status' ? `"${k}":${v}` : `"${k}":"${v}"`,
  );
  return `{${parts.join(',')}}`;
}

export interface BillingApiProps {
  config: StageConfig;
  routes: readonly AnyRoute[];
  functions: ReadonlyMap<FunctionGroup, IFunction>;
  users: UserDirectory;
  metricNamespace: string;
}

export class BillingApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;
  readonly routes: HttpRoute[];
  readonly throttledRequests: Metric;

  constructor(scope: Construct, id: string, props: BillingApiProps) {
    super(scope, id);
    const { config } = props;
    this.api = new HttpApi(this, 'Api', {
      apiName: `property-billing-${config.stage}`,
      description: 'Property fee billing and parking charges (物业收费)',
      createDefaultStage: false,
    });
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: config.logRetentionDays,
      removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: config.throttle.rateLimit, burstLimit: config.throttle.burstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(accessLogFormat()),
      },
    });

    const authorizer = new HttpUserPoolAuthorizer('Cognito', props.users.userPool, {
      userPoolClients: [props.users.client],
      identitySource: ['$request.header.Authorization'],
    });
    const integrations = new Map<FunctionGroup, HttpLambdaIntegration>();
    const integrationFor = (group: FunctionGroup) => {
      let integration = integrations.get(group);
      if (!integration) {
        const fn = props.functions.get(group);
        if (!fn) throw new Error(`no function for route group ${group}`);
        integration = new HttpLambdaIntegration(`${group}-integration`, fn);
        integrations.set(group, integration);
      }
      return integration;
    };

    this.routes = props.routes.map((r) => {
      const route = new HttpRoute(this, `Route-${r.operationId}`, {
        httpApi: this.api,
        routeKey: HttpRouteKey.with(r.path, HttpMethod[r.method]),
        integration: integrationFor(r.group),
        authorizer: r.roles === 'public' ? new HttpNoneAuthorizer() : authorizer,
      });
      if (r.roles === 'public') {
        Validations.of(route).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: r.rawBody
            ? `${r.method} ${r.path} is a payment provider's notification (API.md): the provider holds no token; the handler believes nothing before the provider's signature verifies (SPEC.md §9).`
            : `${r.method} ${r.path} is public by contract (API.md): load balancers and clients call it before they have a token, and it returns no customer data.`,
        });
      }
      return route;
    });
    // The providers' notifications are the only public POST routes: their own, tighter throttle, so a
    // flood of forged notifications cannot use up the stage's limit that staff and kiosks share.
    const notify = props.routes.filter((r) => r.roles === 'public' && r.method === 'POST');
    if (notify.length > 0) {
      (this.stage.node.defaultChild as CfnStage).routeSettings = Object.fromEntries(
        notify.map((r) => [
          `${r.method} ${r.path}`,
          // CloudFormation's own names: the property is untyped JSON, passed through as written.
          {
            ThrottlingRateLimit: NOTIFY_THROTTLE.rateLimit,
            ThrottlingBurstLimit: NOTIFY_THROTTLE.burstLimit,
          },
        ]),
      );
    }

    new MetricFilter(this, 'ThrottledFilter', {
      logGroup: this.accessLogs,
      filterPattern: FilterPattern.numberValue('$.status', '=', 429),
      metricNamespace: props.metricNamespace,
      metricName: 'ThrottledRequests',
      metricValue: '1',
    });
    this.throttledRequests = new Metric({
      namespace: props.metricNamespace,
      metricName: 'ThrottledRequests',
      statistic: 'Sum',
    });
  }
}
