/**
 * Merchant credentials from AWS Secrets Manager, one secret per estate named `{prefix}{estateId}`
 * (the stack makes the shells and grants GetSecretValue on exactly those; docs/payments.md gives
 * the JSON a merchant fills in). The SDK client is imported on first use, never at cold start, and
 * an answer is kept for a TTL so a burst of kiosk orders reads the secret once.
 */
import type { EstateMerchant } from './provider.js';

/** Reads one secret's string; undefined when it does not exist. */
export type SecretReader = (secretId: string) => Promise<string | undefined>;

export const SECRET_TTL_MS = 5 * 60_000;

/** The SDK's GetSecretValue; a missing secret is an estate without a merchant account. */
export const readSecretFromAws: SecretReader = async (secretId) => {
  const { SecretsManagerClient, GetSecretValueCommand, ResourceNotFoundException } = await import(
    '@aws-sdk/client-secrets-manager'
  );
  client ??= new SecretsManagerClient({});
  try {
    return (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
  } catch (e) {
    if (e instanceof ResourceNotFoundException) return undefined;
    throw e;
  }
};
let client: import('@aws-sdk/client-secrets-manager').SecretsManagerClient | undefined;

/**
 * Only the providers a secret fills in count: the shell the stack creates (`{"placeholder": …}`)
 * and a half-filled provider are "not configured", answered 409 PROVIDER_NOT_CONFIGURED.
 */
export function merchantFromSecret(text: string | undefined): EstateMerchant | undefined {
  if (!text) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('the merchant secret is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null)
    throw new Error('the merchant secret is not a JSON object');
  const p = parsed as Record<string, Record<string, unknown> | undefined>;
  const filled = (o: Record<string, unknown> | undefined, fields: readonly string[]) =>
    o !== undefined && fields.every((f) => typeof o[f] === 'string' && o[f] !== '');
  const merchant: EstateMerchant = {};
  if (filled(p['WECHAT'], WECHAT_FIELDS))
    merchant.WECHAT = p['WECHAT'] as unknown as EstateMerchant['WECHAT'];
  if (filled(p['ALIPAY'], ALIPAY_FIELDS))
    merchant.ALIPAY = p['ALIPAY'] as unknown as EstateMerchant['ALIPAY'];
  return merchant.WECHAT || merchant.ALIPAY ? merchant : undefined;
}

export const WECHAT_FIELDS = [
  'mchid',
  'appid',
  'serialNo',
  'privateKey',
  'apiV3Key',
  'platformPublicKey',
  'platformSerial',
] as const;
export const ALIPAY_FIELDS = ['appId', 'privateKey', 'alipayPublicKey'] as const;

/** `merchant(estateId)` backed by secrets, each answer (found or not) cached for `ttlMs`. */
export function secretMerchants(
  prefix: string,
  opts: { read?: SecretReader; now?: () => number; ttlMs?: number } = {},
): (estateId: string) => Promise<EstateMerchant | undefined> {
  const read = opts.read ?? readSecretFromAws;
  const now = opts.now ?? Date.now;
  const ttlMs = opts.ttlMs ?? SECRET_TTL_MS;
  const cache = new Map<string, { atMs: number; merchant: Promise<EstateMerchant | undefined> }>();
  return (estateId) => {
    const hit = cache.get(estateId);
    if (hit && now() - hit.atMs < ttlMs) return hit.merchant;
    const merchant = read(`${prefix}${estateId}`).then(merchantFromSecret);
    cache.set(estateId, { atMs: now(), merchant });
    // A failed read is not cached: the next order retries it.
    merchant.catch(() => cache.delete(estateId));
    return merchant;
  };
}
