/**
 * The sandbox provider's test credentials: RSA key pairs for the merchant and the platform of each
 * provider and a WeChat API v3 key, generated once and kept beside tokens.env in the git-ignored
 * local state folder. The service reads its side (EstateMerchant), the sandbox the other.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EstateMerchant } from '../../lib/payments/provider.js';

export interface SandboxKeys {
  wechat: {
    mchid: string;
    appid: string;
    serialNo: string;
    merchantPrivateKey: string;
    merchantPublicKey: string;
    platformPrivateKey: string;
    platformPublicKey: string;
    platformSerial: string;
    apiV3Key: string;
  };
  alipay: {
    appId: string;
    appPrivateKey: string;
    appPublicKey: string;
    alipayPrivateKey: string;
    alipayPublicKey: string;
  };
}

function pair(): { privateKey: string; publicKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

export function generateSandboxKeys(): SandboxKeys {
  const merchant = pair();
  const platform = pair();
  const app = pair();
  const alipay = pair();
  return {
    wechat: {
      mchid: '1900000109',
      appid: 'wxsandbox0000001',
      serialNo: randomBytes(20).toString('hex').toUpperCase(),
      merchantPrivateKey: merchant.privateKey,
      merchantPublicKey: merchant.publicKey,
      platformPrivateKey: platform.privateKey,
      platformPublicKey: platform.publicKey,
      platformSerial: `PUB_KEY_ID_${randomBytes(8).toString('hex').toUpperCase()}`,
      // 32 characters: the AES-256 key is its UTF-8 bytes, as WeChat Pay's is.
      apiV3Key: randomBytes(16).toString('hex'),
    },
    alipay: {
      appId: '2021000000000001',
      appPrivateKey: app.privateKey,
      appPublicKey: app.publicKey,
      alipayPrivateKey: alipay.privateKey,
      alipayPublicKey: alipay.publicKey,
    },
  };
}

export const SANDBOX_KEYS_FILE = 'sandbox-keys.json';

/** The keys of an earlier start, or new ones (mode 0600: they sign payments, even test ones). */
export function loadOrCreateSandboxKeys(dir: string): SandboxKeys {
  const file = join(dir, SANDBOX_KEYS_FILE);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as SandboxKeys;
  const keys = generateSandboxKeys();
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, JSON.stringify(keys, null, 2), { mode: 0o600 });
  return keys;
}

/** What the service holds: its own private keys and the providers' public ones. */
export function merchantOf(k: SandboxKeys): EstateMerchant {
  return {
    WECHAT: {
      mchid: k.wechat.mchid,
      appid: k.wechat.appid,
      serialNo: k.wechat.serialNo,
      privateKey: k.wechat.merchantPrivateKey,
      apiV3Key: k.wechat.apiV3Key,
      platformPublicKey: k.wechat.platformPublicKey,
      platformSerial: k.wechat.platformSerial,
    },
    ALIPAY: {
      appId: k.alipay.appId,
      privateKey: k.alipay.appPrivateKey,
      alipayPublicKey: k.alipay.alipayPublicKey,
    },
  };
}
