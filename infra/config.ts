/**
 * Per-stage configuration, read from CDK context (`-c stage=prod -c account=… -c region=…`) and
 * validated with one zod call before any construct is built: a bad value stops the synth with a
 * message naming the key, never a half-built template.
 */
import * as z from 'zod';

export const STAGES = ['dev', 'staging', 'prod'] as const;
export type Stage = (typeof STAGES)[number];

/** The retention periods CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Used only when neither context nor the CLI's credentials name an account: synth, never deploy. */
export const PLACEHOLDER_ACCOUNT = '000000000000';
export const PLACEHOLDER_REGION = 'ap-east-1';

const STAGE_DEFAULTS: Record<
  Stage,
  { logRetentionDays: number; throttleRate: number; throttleBurst: number }
> = {
  dev: { logRetentionDays: 14, throttleRate: 20, throttleBurst: 40 },
  staging: { logRetentionDays: 30, throttleRate: 50, throttleBurst: 100 },
  // An estate office of a few thousand units peaks at a few requests a second (counter, kiosks,
  // gates); the limit is far above that and far below what would run up a bill.
  prod: { logRetentionDays: 365, throttleRate: 200, throttleBurst: 400 },
};

const positiveInt = (max: number) => z.coerce.number().int().positive().max(max);

export const stageConfigSchema = z
  .strictObject({
    stage: z.enum(STAGES),
    account: z.string().regex(/^\d{12}$/, 'an AWS account id is 12 digits'),
    region: z
      .string()
      // Commercial, China and GovCloud regions; the isolated regions need credentials and endpoints
      // set up outside this stack.
      .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'not a supported AWS region name (e.g. ap-east-1, cn-north-1)'),
    logRetentionDays: z.coerce.number().refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
      message: `CloudWatch Logs accepts ${LOG_RETENTION_DAYS.join(', ')}`,
    }),
    throttle: z.strictObject({ rateLimit: positiveInt(10_000), burstLimit: positiveInt(5_000) }),
    alarmEmail: z.email().optional(),
    /** PLUS adds Cognito threat protection (compromised credentials, adaptive sign-in) at a per-MAU price. */
    cognitoFeaturePlan: z.enum(['ESSENTIALS', 'PLUS']),
    /** Production data and logs survive stack deletion; other stages may be torn down. */
    retainData: z.boolean(),
    /** Kiosk payments (docs/deploy.md): the estates whose merchant-secret shells the stack makes. */
    payments: z.strictObject({
      estates: z.array(
        z.string().regex(/^[A-Z0-9]{2,12}$/, 'an estate id is 2-12 upper-case letters or digits'),
      ),
      wechatBaseUrl: z.url({ protocol: /^https$/ }),
      alipayGateway: z.url({ protocol: /^https$/ }),
      /** The public base URL the providers post notifications to; default: the API's own endpoint. */
      notifyBaseUrl: z.url({ protocol: /^https$/ }).optional(),
    }),
  })
  .refine((c) => c.stage !== 'prod' || c.retainData, {
    message: 'production must retain its data',
    path: ['retainData'],
  })
  .refine((c) => c.throttle.burstLimit >= c.throttle.rateLimit, {
    message: 'the burst limit must be at least the rate limit',
    path: ['throttle', 'burstLimit'],
  });

export type StageConfig = z.infer<typeof stageConfigSchema>;

export class StageConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StageConfigError';
  }
}

/** What the loader reads: CDK context (strings from `-c`) and the CLI's environment. */
export interface ConfigSources {
  context: (key: string) => unknown;
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * Builds and validates the stage configuration. Production names its account and region
 * explicitly (no placeholder, no "whatever the credentials point at"): a production stack must not
 * land in the wrong account because of a stale profile.
 */
export function loadStageConfig({ context, env }: ConfigSources): StageConfig {
  const str = (key: string): string | undefined => {
    const v = context(key);
    return v === undefined || v === null || v === '' ? undefined : String(v);
  };
  const stageName = str('stage') ?? 'dev';
  const stage = (STAGES as readonly string[]).includes(stageName) ? (stageName as Stage) : undefined;
  if (!stage) throw new StageConfigError(`stage: must be one of ${STAGES.join(', ')}, not "${stageName}"`);
  const defaults = STAGE_DEFAULTS[stage];
  const production = stage === 'prod';
  const account =
    str('account') ?? (production ? undefined : (env['CDK_DEFAULT_ACCOUNT'] ?? PLACEHOLDER_ACCOUNT));
  const region =
    str('region') ?? (production ? undefined : (env['CDK_DEFAULT_REGION'] ?? PLACEHOLDER_REGION));
  if (production && (!account || !region)) {
    throw new StageConfigError(
      'prod: pass the target explicitly, e.g. -c account=123456789012 -c region=ap-east-1',
    );
  }
  const parsed = stageConfigSchema.safeParse({
    stage,
    account,
    region,
    logRetentionDays: str('logRetentionDays') ?? defaults.logRetentionDays,
    throttle: {
      rateLimit: str('throttleRate') ?? defaults.throttleRate,
      burstLimit: str('throttleBurst') ?? defaults.throttleBurst,
    },
    alarmEmail: str('alarmEmail'),
    cognitoFeaturePlan: str('cognitoFeaturePlan') ?? 'ESSENTIALS',
    retainData: production,
    payments: {
      estates: estateList(context('paymentEstates')),
      wechatBaseUrl: str('wechatPayBaseUrl') ?? 'https://api.mch.weixin.qq.com',
      alipayGateway: str('alipayGateway') ?? 'https://openapi.alipay.com/gateway.do',
      notifyBaseUrl: str('paymentNotifyBaseUrl'),
    },
  });
  if (!parsed.success)
    throw new StageConfigError(`invalid stage configuration:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** `paymentEstates` from cdk.json (an array) or `-c paymentEstates=DEMO,E2` (a string); default none. */
function estateList(v: unknown): unknown {
  if (v === undefined || v === null || v === '') return [];
  if (typeof v === 'string')
    return v
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e !== '');
  return v;
}

export const stackName = (config: Pick<StageConfig, 'stage'>) => `PropertyBilling-${config.stage}`;
