/** Merchant credentials read from Secrets Manager: the shell is "not configured", answers are cached for a TTL. */
import { describe, expect, it } from 'vitest';
import { merchantFromSecret, secretMerchants } from '../../lib/payments/secrets.js';

const alipay = { appId: '2021', privateKey: 'PEM', alipayPublicKey: 'PEM2' };

describe('merchant secrets', () => {
  it('reads only filled-in providers; the placeholder shell is no merchant', () => {
    expect(merchantFromSecret('{"placeholder":"x"}')).toBeUndefined();
    expect(merchantFromSecret(undefined)).toBeUndefined();
    expect(merchantFromSecret(JSON.stringify({ ALIPAY: { ...alipay, appId: '' } }))).toBeUndefined();
    expect(merchantFromSecret(JSON.stringify({ ALIPAY: alipay }))).toEqual({ ALIPAY: alipay });
    expect(() => merchantFromSecret('not json')).toThrow(/not JSON/);
  });

  it('reads `{prefix}{estate}` once per TTL and retries a failed read', async () => {
    let t = 0;
    const reads: string[] = [];
    let fail = true;
    const merchant = secretMerchants('stack/payments/', {
      now: () => t,
      ttlMs: 1000,
      read: async (id) => {
        reads.push(id);
        if (fail) throw new Error('throttled');
        return JSON.stringify({ ALIPAY: alipay });
      },
    });
    await expect(merchant('DEMO')).rejects.toThrow('throttled');
    fail = false;
    expect(await merchant('DEMO')).toEqual({ ALIPAY: alipay });
    t = 999;
    await merchant('DEMO');
    expect(reads).toEqual(['stack/payments/DEMO', 'stack/payments/DEMO']);
    t = 2000;
    await merchant('DEMO');
    expect(reads).toHaveLength(3);
  });
});
