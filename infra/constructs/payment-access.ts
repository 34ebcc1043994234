/**
 * The merchant credentials in AWS Secrets Manager (docs/deploy.md): one secret shell per estate and
 * provider, named `{prefix}/{estateId}/wechat` and `…/alipay` (lib/payments/secrets.ts), and the
 * environment and the grant of the functions that call the providers: `secretsmanager:GetSecretValue`
 * on `{prefix}/*` and nothing else of Secrets Manager.
 */
import { Arn, ArnFormat, RemovalPolicy, SecretValue, Stack, Token, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import * as z from 'zod';
import { PROVIDERS } from '../../lib/payments/provider.js';
import { secretName } from '../../lib/payments/secrets.js';
import type { StageConfig } from '../config.js';
import type { GroupFunction } from './group-function.js';

/** What a shell holds until the merchant fills it in: "not configured" (409 PROVIDER_NOT_CONFIGURED). */
export const SECRET_SHELL = { placeholder: 'fill in as docs/deploy.md says' };

export const paymentSecretPrefix = (stage: string) => `property-billing/${stage}/payments`;

/** The variables a provider-calling function gets on top of functionEnvironment. */
export const paymentEnvironment = z.strictObject({
  PAYMENT_SECRET_PREFIX: z.string().regex(/^[a-z0-9/-]+[a-z0-9]$/),
  WECHAT_PAY_BASE_URL: z.url({ protocol: /^https$/ }),
  ALIPAY_GATEWAY: z.url({ protocol: /^https$/ }),
  // A token at synth (the API's endpoint), a URL at deploy.
  PAYMENT_NOTIFY_BASE_URL: z.string().min(1),
});
export type PaymentEnvironment = z.infer<typeof paymentEnvironment>;

export class PaymentSecrets extends Construct {
  readonly prefix: string;
  /** Per estate and provider, the shell the stack made. */
  readonly secrets = new Map<string, Secret>();

  constructor(
    scope: Construct,
    id: string,
    private readonly props: { config: StageConfig },
  ) {
    super(scope, id);
    const { config } = props;
    this.prefix = paymentSecretPrefix(config.stage);
    for (const estateId of config.payments.estates) {
      for (const provider of PROVIDERS) {
        const name = secretName(this.prefix, estateId, provider);
        const secret = new Secret(this, `${estateId}-${provider}`, {
          secretName: name,
          description: `${provider === 'WECHAT' ? 'WeChat Pay' : 'Alipay'} merchant credentials of estate ${estateId} (docs/deploy.md)`,
          // The shell only: the merchant puts the real value (put-secret-value); a deploy never
          // overwrites it, because CloudFormation sees no change to this template value.
          secretStringValue: SecretValue.unsafePlainText(JSON.stringify(SECRET_SHELL)),
          removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        });
        Validations.of(secret).acknowledge({
          id: 'AwsSolutions-SMG4',
          reason:
            'Merchant keys are issued and rotated in the WeChat Pay / Alipay merchant consoles, which Secrets Manager cannot call; the merchant rotates there and puts the new value (docs/deploy.md).',
        });
        this.secrets.set(`${estateId}/${provider}`, secret);
      }
    }
  }

  /** `arn:…:secret:{prefix}/*`: the shells, and any estate's secret made later under the prefix. */
  get grantArn(): string {
    return Arn.format(
      {
        service: 'secretsmanager',
        resource: 'secret',
        resourceName: `${this.prefix}/*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      },
      Stack.of(this),
    );
  }

  /** The function calls the providers: it reads the secrets under the prefix, and knows where to go. */
  grantTo(fn: GroupFunction, notifyBaseUrl: string): void {
    const { payments } = this.props.config;
    const env = paymentEnvironment.parse({
      PAYMENT_SECRET_PREFIX: this.prefix,
      WECHAT_PAY_BASE_URL: payments.wechatBaseUrl,
      ALIPAY_GATEWAY: payments.alipayGateway,
      PAYMENT_NOTIFY_BASE_URL: payments.notifyBaseUrl ?? notifyBaseUrl,
    } satisfies PaymentEnvironment);
    for (const [k, v] of Object.entries(env)) fn.fn.addEnvironment(k, v);
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['secretsmanager:GetSecretValue'],
        resources: [this.grantArn],
      }),
    );
    Validations.of(fn.role).acknowledge({
      // The stage names its account and region, so the ARN is a literal (cdk.json: partition literals).
      id: `AwsSolutions-IAM5[Resource::${Token.isUnresolved(this.grantArn) ? `arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${this.prefix}/*` : this.grantArn}]`,
      reason:
        'GetSecretValue on the payment-secret prefix only: one secret per estate and provider, estates are added after deployment, and a secret ARN ends in a random suffix, so the grant names the prefix.',
    });
  }
}
