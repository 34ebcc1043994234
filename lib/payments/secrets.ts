/**
 * Merchant credentials from AWS Secrets Manager, one secret per estate and provider named
 * `{prefix}/{estateId}/wechat` and `{prefix}/{estateId}/alipay` (the stack makes the shells and
 * grants GetSecretValue on `{prefix}/*` only; docs/deploy.md gives the JSON a merchant fills in).
 * The SDK client is imported on first use, never at cold start, and an answer is kept for a TTL so
 * a burst of kiosk orders reads the secret once.
 */
import type { EstateMerchant, ProviderName } from './provider.js';

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
 * One provider's secret: its fields at the top level. The shell the stack creates
 * (`{"placeholder": …}`) and a half-filled secret are "not configured", answered 409
 * PROVIDER_NOT_CONFIGURED.
 */
export function merchantFromSecret(
  provider: ProviderName,
  text: string | undefined,
): EstateMerchant | undefined {
  if (!text) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`the ${provider} merchant secret is not JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null)
    throw new Error(`the ${provider} merchant secret is not a JSON object`);
  const o = parsed as Record<string, unknown>;
  const fields = provider === 'WECHAT' ? WECHAT_FIELDS : ALIPAY_FIELDS;
  if (!fields.every((f) => typeof o[f] === 'string' && o[f] !== '')) return undefined;
  const creds = Object.fromEntries(fields.map((f) => [f, o[f]]));
  return { [provider]: creds } as EstateMerchant;
}

/** The secret of an estate's provider: `{prefix}/{estateId}/wechat` or `…/alipay`. */
export const secretName = (prefix: string, estateId: string, provider: ProviderName) =>
  `${prefix.replace(/\/+$/, '')}/${estateId}/${provider.toLowerCase()}`;

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

/** `merchant(estateId, provider)` backed by secrets, each answer (found or not) cached for `ttlMs`. */
export function secretMerchants(
  prefix: string,
  opts: { read?: SecretReader; now?: () => number; ttlMs?: number } = {},
): (estateId: string, provider: ProviderName) => Promise<EstateMerchant | undefined> {
  const read = opts.read ?? readSecretFromAws;
  const now = opts.now ?? Date.now;
  const ttlMs = opts.ttlMs ?? SECRET_TTL_MS;
  const cache = new Map<string, { atMs: number; merchant: Promise<EstateMerchant | undefined> }>();
  return (estateId, provider) => {
    const id = secretName(prefix, estateId, provider);
    const hit = cache.get(id);
    if (hit && now() - hit.atMs < ttlMs) return hit.merchant;
    const merchant = read(id).then((text) => merchantFromSecret(provider, text));
    cache.set(id, { atMs: now(), merchant });
    // A failed read is not cached: the next order retries it.
    merchant.catch(() => cache.delete(id));
    return merchant;
  };
}
