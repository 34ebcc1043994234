/**
 * Where the providers are and whose credentials an estate uses. Base URLs are deployment
 * configuration (the sandbox stands in for both providers locally and in tests); credentials are
 * per estate: Secrets Manager in the cloud, generated test keys locally (docs/payments.md).
 */
import { ConflictError, UnavailableError } from '../errors.js';
import { Alipay } from './alipay.js';
import type { EstateMerchant, PaymentProvider, ProviderName } from './provider.js';
import { secretMerchants } from './secrets.js';
import { WechatPay } from './wechat.js';

export interface PaymentsConfig {
  wechatBaseUrl: string;
  alipayGateway: string;
  /** Public base URL of this API: notifications come to `{notifyBaseUrl}/v1/payment-notify/...`. */
  notifyBaseUrl: string;
  /** The estate's credentials for `provider` (one Secrets Manager secret per estate and provider). */
  merchant(estateId: string, provider: ProviderName): Promise<EstateMerchant | undefined>;
}

let configured: PaymentsConfig | undefined;

/** The local server and tests point the service at the sandbox; a Lambda reads its environment. */
export function configurePayments(c: PaymentsConfig | undefined): void {
  configured = c;
}

function fromEnvironment(): PaymentsConfig {
  const env = process.env;
  let merchants: Record<string, EstateMerchant> = {};
  try {
    merchants = JSON.parse(env['PAYMENT_MERCHANTS'] ?? '{}') as Record<string, EstateMerchant>;
  } catch {
    merchants = {};
  }
  return {
    wechatBaseUrl: env['WECHAT_PAY_BASE_URL'] ?? 'https://api.mch.weixin.qq.com',
    alipayGateway: env['ALIPAY_GATEWAY'] ?? 'https://openapi.alipay.com/gateway.do',
    notifyBaseUrl: env['PAYMENT_NOTIFY_BASE_URL'] ?? '',
    // The stack sets the prefix (Secrets Manager); PAYMENT_MERCHANTS is for a hand-run function.
    merchant: env['PAYMENT_SECRET_PREFIX']
      ? secretMerchants(env['PAYMENT_SECRET_PREFIX'])
      : async (estateId) => merchants[estateId],
  };
}

export function paymentsConfig(): PaymentsConfig {
  configured ??= fromEnvironment();
  return configured;
}

/** The provider client of an estate; 409 when the estate has no merchant account with it. */
export async function providerFor(
  estateId: string,
  name: ProviderName,
  now: () => number,
): Promise<PaymentProvider> {
  const c = paymentsConfig();
  let merchant: EstateMerchant | undefined;
  try {
    merchant = await c.merchant(estateId, name);
  } catch (e) {
    throw new UnavailableError('payment credentials could not be read; please retry', 5, { cause: e });
  }
  if (name === 'WECHAT' && merchant?.WECHAT) return new WechatPay(merchant.WECHAT, c.wechatBaseUrl, now);
  if (name === 'ALIPAY' && merchant?.ALIPAY) return new Alipay(merchant.ALIPAY, c.alipayGateway, now);
  throw new ConflictError(
    'PROVIDER_NOT_CONFIGURED',
    `estate ${estateId} has no ${name === 'WECHAT' ? 'WeChat Pay' : 'Alipay'} merchant account configured`,
  );
}

export function notifyUrl(name: ProviderName, estateId: string): string {
  const base = paymentsConfig().notifyBaseUrl.replace(/\/+$/, '');
  return `${base}/v1/payment-notify/${name.toLowerCase()}?estateId=${encodeURIComponent(estateId)}`;
}
