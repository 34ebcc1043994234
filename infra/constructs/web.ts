/**
 * The counter console and the kiosk page in AWS: the same esbuild bundle `npm start` serves
 * (infra/local/web.ts), in a private S3 bucket behind CloudFront (origin access control), at
 * `/counter/` and `/kiosk/`. A `config.json` written at deploy time tells the pages where the API
 * is; the API must allow this distribution's origin (CORS), see docs/web.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import type { CfnApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AllowedMethods,
  CachePolicy,
  Function as CloudFrontFunction,
  Distribution,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import type { StageConfig } from '../config.js';
import { buildWebSync, WEB_APPS } from '../local/web.js';

export interface WebConsoleProps {
  config: StageConfig;
  /**
   * The HTTP API's URL, written to `config.json` at deploy time. A token (the stage URL) is fine;
   * the CSP then allows the region's execute-api hosts, keeping the distribution free of any
   * reference to the API (whose CORS references the distribution).
   */
  apiUrl: string;
  /** Extra `config.json` fields (e.g. the Cognito Hosted UI domain and client id once sign-in uses it). */
  pageConfig?: Record<string, string>;
  /** A folder already built with buildWeb(); by default the pages are bundled here, at synth. */
  sourceDir?: string;
}

/**
 * The HTTP API's CORS for the pages (API Gateway answers the preflight itself): the headers the
 * pages send, and the ones they read (Retry-After on a 503, the idempotent replay marker).
 * infra/appStack.ts sets it on the API once both exist, e.g.
 * `(api.api.node.defaultChild as CfnApi).corsConfiguration = webCors([web.origin])`.
 */
export function webCors(origins: string[]): CfnApi.CorsProperty {
  return {
    allowOrigins: origins,
    allowMethods: ['GET', 'POST', 'PUT'],
    allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
    exposeHeaders: ['retry-after', 'idempotent-replayed', 'x-request-id'],
    allowCredentials: false,
    maxAge: 3600,
  };
}

/** Directory URLs to their index page; `/counter` → `/counter/`, `/` → the counter. */
export const INDEX_REWRITE = `function handler(event) {
  var r = event.request;
  var apps = ${JSON.stringify(WEB_APPS)};
  for (var i = 0; i < apps.length; i++) {
    if (r.uri === '/' + apps[i]) {
      return { statusCode: 301, statusDescription: 'Moved Permanently', headers: { location: { value: '/' + apps[i] + '/' } } };
    }
  }
  if (r.uri === '/') {
    return { statusCode: 302, statusDescription: 'Found', headers: { location: { value: '/counter/' } } };
  }
  if (r.uri.endsWith('/')) r.uri += 'index.html';
  return r;
}`;

const scratchDirs: string[] = [];

/**
 * A temporary folder for the pages built at synth, removed when the process exits: CDK copies the
 * asset into the cloud assembly during synth, and tests synthesise many stacks in one process.
 */
function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'web-assets-'));
  if (scratchDirs.push(dir) === 1) {
    process.once('exit', () => {
      for (const d of scratchDirs) rmSync(d, { recursive: true, force: true });
    });
  }
  return dir;
}

export class WebConsole extends Construct {
  readonly bucket: Bucket;
  readonly logs: Bucket;
  readonly distribution: Distribution;
  readonly deployment: BucketDeployment;
  /** `https://dxxxx.cloudfront.net`: the origin the API's CORS must allow. */
  readonly origin: string;

  constructor(scope: Construct, id: string, props: WebConsoleProps) {
    super(scope, id);
    const { config } = props;
    const removal = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    // CloudFront's standard logs need ACLs on their bucket (object writer); nothing is public.
    this.logs = new Bucket(this, 'Logs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(config.logRetentionDays) }],
      removalPolicy: removal,
      autoDeleteObjects: !config.retainData,
    });
    // No access logs of its own, and no AwsSolutions-S1 finding: cdk-nag exempts a bucket that
    // another bucket logs into (the web bucket does, below).

    this.bucket = new Bucket(this, 'Pages', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: this.logs,
      serverAccessLogsPrefix: 's3/',
      removalPolicy: RemovalPolicy.DESTROY,
      // The bucket holds only build output that every deploy rewrites: nothing to retain.
      autoDeleteObjects: true,
    });

    const apiOrigin = props.apiUrl;
    // The API's CORS names this distribution, so the distribution must not depend on the API: a
    // deploy-time URL is allowed by its service pattern instead (a custom domain is named as is).
    const region = Stack.of(this).region;
    const connectApi = Token.isUnresolved(apiOrigin)
      ? `https://*.execute-api.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`
      : apiOrigin;
    const headers = new ResponseHeadersPolicy(this, 'Headers', {
      comment: 'Counter and kiosk pages: strict CSP, no framing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            `connect-src 'self' ${connectApi}`,
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'self'",
          ].join('; '),
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
      },
    });

    this.distribution = new Distribution(this, 'Cdn', {
      comment: `Property billing counter and kiosk (${config.stage})`,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
        functionAssociations: [
          {
            eventType: FunctionEventType.VIEWER_REQUEST,
            function: new CloudFrontFunction(this, 'IndexRewrite', {
              code: FunctionCode.fromInline(INDEX_REWRITE),
              runtime: FunctionRuntime.JS_2_0,
              comment: 'Directory URLs to index.html',
            }),
          },
        ],
      },
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_ALL,
      enableLogging: true,
      logBucket: this.logs,
      logFilePrefix: 'cloudfront/',
    });
    this.origin = `https://${this.distribution.distributionDomainName}`;
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason:
        'No geo restriction: the pages are static and hold no data; every request they make goes to the API, which authenticates it. Staff and owners may sign in from abroad.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR2',
      reason:
        'No WAF on the static pages: they carry no server-side logic and no data; the API behind them has its own stage throttling and Cognito authorizer. A WAF for CloudFront lives in us-east-1 and would be billed per request for static files.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR4',
      reason:
        'The default *.cloudfront.net certificate cannot pin a minimum TLS version; a stage with its own domain and ACM certificate sets TLSv1.2_2021. The pages carry no secrets: tokens are sent only to the API over its own TLS 1.2 endpoint.',
    });

    const sourceDir =
      props.sourceDir ?? buildWebSync(scratchDir(), { config: { apiBaseUrl: '' }, minify: true });
    // The deployment's own role: least privilege on this bucket and this distribution only.
    const role = new Role(this, 'DeployRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Copies the built pages to the web bucket and invalidates the distribution',
    });
    // Retained in production like every other log group of the stack (docs/deploy.md).
    const deployLogs = new LogGroup(this, 'DeployLogs', {
      retention: config.logRetentionDays,
      removalPolicy: removal,
    });
    deployLogs.grantWrite(role);
    this.deployment = new BucketDeployment(this, 'Deploy', {
      sources: [
        Source.asset(sourceDir, { exclude: ['config.json', '*.map'] }),
        Source.jsonData('config.json', { apiBaseUrl: apiOrigin, ...props.pageConfig }),
      ],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      prune: true,
      role,
      logGroup: deployLogs,
      memoryLimit: 256,
    });
    this.acknowledgeDeployment(role);
  }

  /**
   * What aws-cdk-lib's BucketDeployment grants and runs is fixed by the library: its S3 grants use
   * wildcard actions on two buckets, its invalidation grant has no resource form, and its handler's
   * Python runtime is pinned. Each finding is acknowledged by name, on this deployment only.
   */
  private acknowledgeDeployment(role: Role): void {
    const stack = Stack.of(this);
    const qualifier = String(stack.node.tryGetContext('@aws-cdk/core:bootstrapQualifier') ?? 'hnb659fds');
    const pages = stack.getLogicalId(this.bucket.node.defaultChild as CfnBucket);
    // A literal (aws, aws-cn) when the region is known and partition literals are on (cdk.json).
    const partition = Token.isUnresolved(stack.partition) ? '<AWS::Partition>' : stack.partition;
    const s3Reason =
      'BucketDeployment (aws-cdk-lib) grants these read actions on the CDK asset bucket it copies from and read/write/delete on this web bucket it syncs into (prune removes files a new build no longer has); both grants are limited to those two buckets.';
    for (const finding of [
      'Action::s3:GetObject*',
      'Action::s3:GetBucket*',
      'Action::s3:List*',
      'Action::s3:DeleteObject*',
      'Action::s3:Abort*',
      `Resource::arn:${partition}:s3:::cdk-${qualifier}-assets-${stack.account}-${stack.region}/*`,
      `Resource::<${pages}.Arn>/*`,
    ]) {
      Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason: s3Reason });
    }
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'cloudfront:CreateInvalidation and cloudfront:GetInvalidation, added by BucketDeployment to invalidate this distribution after a deploy; the grant is on the deployment role only, which nothing else assumes.',
    });
    const handler = stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (handler) {
      Validations.of(handler).acknowledge({
        id: 'AwsSolutions-L1',
        reason:
          "The BucketDeployment handler's Python runtime is chosen by aws-cdk-lib with its bundled AWS CLI layer and cannot be set; it runs only during a deployment, never on a request path. Upgrading aws-cdk-lib moves it forward.",
      });
    }
  }
}
