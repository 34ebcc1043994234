/** Merchant credentials read from Secrets Manager: the shell is "not configured", answers are cached for a TTL. */
import { describe, expect, it } from 'vitest';
import { merchantFromSecret, secretMerchants, secretName } from '../../lib/payments/secrets.js';

const alipay = { appId: '2021', privateKey: 'PEM', alipayPublicKey: 'PEM2' };

describe('merchant secrets', () => {
  it('reads only a filled-in provider secret; the placeholder shell is no merchant', () => {
    expect(merchantFromSecret('ALIPAY', '{"placeholder":"x"}')).toBeUndefined();
    expect(merchantFromSecret('ALIPAY', undefined)).toBeUndefined();
    expect(merchantFromSecret('ALIPAY', JSON.stringify({ ...alipay, appId: '' }))).toBeUndefined();
    expect(merchantFromSecret('ALIPAY', JSON.stringify({ ...alipay, extra: 'ignored' }))).toEqual({
      ALIPAY: alipay,
    });
    // An Alipay secret does not make a WeChat merchant.
    expect(merchantFromSecret('WECHAT', JSON.stringify(alipay))).toBeUndefined();
    expect(() => merchantFromSecret('WECHAT', 'not json')).toThrow(/not JSON/);
  });

  it('names one secret per estate and provider under the prefix', () => {
    expect(secretName('property-billing/prod/payments', 'DEMO', 'WECHAT')).toBe(
      'property-billing/prod/payments/DEMO/wechat',
    );
    expect(secretName('p/', 'E1', 'ALIPAY')).toBe('p/E1/alipay');
  });

  it('reads `{prefix}/{estate}/{provider}` once per TTL and retries a failed read', async () => {
    let t = 0;
    const reads: string[] = [];
    let fail = true;
    const merchant = secretMerchants('stack/payments', {
      now: () => t,
      ttlMs: 1000,
      read: async (id) => {
        reads.push(id);
        if (fail) throw new Error('throttled');
        return id.endsWith('/alipay') ? JSON.stringify(alipay) : '{"placeholder":"fill in"}';
      },
    });
    await expect(merchant('DEMO', 'ALIPAY')).rejects.toThrow('throttled');
    fail = false;
    expect(await merchant('DEMO', 'ALIPAY')).toEqual({ ALIPAY: alipay });
    expect(await merchant('DEMO', 'WECHAT')).toBeUndefined();
    t = 999;
    await merchant('DEMO', 'ALIPAY');
    expect(reads).toEqual([
      'stack/payments/DEMO/alipay',
      'stack/payments/DEMO/alipay',
      'stack/payments/DEMO/wechat',
    ]);
    t = 2000;
    await merchant('DEMO', 'ALIPAY');
    expect(reads).toHaveLength(4);
  });
});
