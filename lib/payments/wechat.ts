/**
 * WeChat Pay API v3, Native (QR) payments, with nothing but node:crypto: requests signed
 * `WECHATPAY2-SHA256-RSA2048` with the merchant key, answers and notifications verified with the
 * platform key (RSA-SHA256 over `timestamp\nnonce\nbody\n`), notification resources decrypted with
 * AEAD_AES_256_GCM under the API v3 key (SPEC.md §9).
 */
import { createCipheriv, createDecipheriv, createSign, createVerify, randomBytes } from 'node:crypto';
import {
  type Confirmation,
  type NewProviderOrder,
  NotificationRefused,
  type PaymentProvider,
  ProviderError,
  type ProviderRefund,
  type ProviderTrade,
  type RefundRequest,
  type WechatCredentials,
} from './provider.js';

/** A notification or answer older or newer than this is refused (replays). */
export const TIMESTAMP_WINDOW_S = 5 * 60;

export function rsaSign(message: string, privateKey: string): string {
  return createSign('RSA-SHA256').update(message).sign(privateKey, 'base64');
}

export function rsaVerify(message: string, signature: string, publicKey: string): boolean {
  try {
    return createVerify('RSA-SHA256').update(message).verify(publicKey, signature, 'base64');
  } catch {
    return false;
  }
}

export const nonce = () => randomBytes(16).toString('hex');

/** The `Authorization` header of a merchant request. */
export function authorization(
  c: Pick<WechatCredentials, 'mchid' | 'serialNo' | 'privateKey'>,
  method: string,
  pathAndQuery: string,
  body: string,
  timestamp = Math.floor(Date.now() / 1000),
  nonceStr = nonce(),
): string {
  const signature = rsaSign(`${method}\n${pathAndQuery}\n${timestamp}\n${nonceStr}\n${body}\n`, c.privateKey);
  return `WECHATPAY2-SHA256-RSA2048 mchid="${c.mchid}",nonce_str="${nonceStr}",signature="${signature}",timestamp="${timestamp}",serial_no="${c.serialNo}"`;
}

/** The four signed-message headers of an answer or notification, signed with `privateKey`. */
export function signedHeaders(body: string, privateKey: string, serial: string, timestamp: number) {
  const n = nonce();
  return {
    'wechatpay-timestamp': String(timestamp),
    'wechatpay-nonce': n,
    'wechatpay-serial': serial,
    'wechatpay-signature': rsaSign(`${timestamp}\n${n}\n${body}\n`, privateKey),
  };
}

/** Checks the platform's signature and the timestamp window; throws NotificationRefused(401). */
export function verifySigned(
  headers: Record<string, string>,
  body: string,
  c: Pick<WechatCredentials, 'platformPublicKey' | 'platformSerial'>,
  nowMs: number,
): void {
  const ts = headers['wechatpay-timestamp'] ?? '';
  const n = headers['wechatpay-nonce'] ?? '';
  const sig = headers['wechatpay-signature'] ?? '';
  const serial = headers['wechatpay-serial'] ?? '';
  if (!/^\d{1,12}$/.test(ts) || !n || !sig) throw new NotificationRefused(401, 'signature headers missing');
  if (serial !== c.platformSerial) throw new NotificationRefused(401, `unknown platform serial ${serial}`);
  if (Math.abs(nowMs / 1000 - Number(ts)) > TIMESTAMP_WINDOW_S)
    throw new NotificationRefused(401, 'timestamp outside the 5-minute window');
  if (!rsaVerify(`${ts}\n${n}\n${body}\n`, sig, c.platformPublicKey))
    throw new NotificationRefused(401, 'signature does not verify');
}

export interface EncryptedResource {
  algorithm: 'AEAD_AES_256_GCM';
  ciphertext: string;
  associated_data: string;
  nonce: string;
  original_type: string;
}

export function encryptResource(plain: string, apiV3Key: string, aad = 'transaction'): EncryptedResource {
  const iv = randomBytes(6).toString('hex'); // 12 characters, as WeChat's nonces are
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(iv, 'utf8'));
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return {
    algorithm: 'AEAD_AES_256_GCM',
    ciphertext: body.toString('base64'),
    associated_data: aad,
    nonce: iv,
    original_type: 'transaction',
  };
}

/** Decrypts a notification resource; a tampered ciphertext fails the GCM tag. */
export function decryptResource(r: EncryptedResource, apiV3Key: string): string {
  const data = Buffer.from(r.ciphertext, 'base64');
  if (data.length < 17) throw new NotificationRefused(400, 'ciphertext too short');
  try {
    const d = createDecipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(r.nonce, 'utf8'));
    d.setAAD(Buffer.from(r.associated_data ?? '', 'utf8'));
    d.setAuthTag(data.subarray(data.length - 16));
    return Buffer.concat([d.update(data.subarray(0, data.length - 16)), d.final()]).toString('utf8');
  } catch {
    throw new NotificationRefused(400, 'resource does not decrypt');
  }
}

const TRADE_STATE: Record<string, ProviderTrade['state']> = {
  SUCCESS: 'PAID',
  CLOSED: 'CLOSED',
  REVOKED: 'CLOSED',
  PAYERROR: 'CLOSED',
};

function asObject(text: string, what: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // falls through
  }
  throw new NotificationRefused(400, `${what} is not a JSON object`);
}

function fenOf(total: unknown): bigint | undefined {
  return typeof total === 'number' && Number.isSafeInteger(total) && total >= 0 ? BigInt(total) : undefined;
}

export class WechatPay implements PaymentProvider {
  readonly name = 'WECHAT' as const;
  constructor(
    private readonly c: WechatCredentials,
    /** `https://api.mch.weixin.qq.com`, or the sandbox's. */
    private readonly baseUrl: string,
    private readonly now: () => number = Date.now,
  ) {}

  private async call(
    method: 'GET' | 'POST',
    path: string,
    payload?: unknown,
  ): Promise<Record<string, unknown>> {
    const body = payload === undefined ? '' : JSON.stringify(payload);
    const url = new URL(this.baseUrl.replace(/\/+$/, '') + path);
    const res = await fetch(url, {
      method,
      headers: {
        authorization: authorization(this.c, method, url.pathname + url.search, body),
        accept: 'application/json',
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(payload === undefined ? {} : { body }),
    });
    const text = await res.text();
    const headers = Object.fromEntries(res.headers);
    try {
      verifySigned(headers, text, this.c, this.now());
    } catch (e) {
      throw new ProviderError(`WeChat Pay answer to ${method} ${path} not verified: ${(e as Error).message}`);
    }
    if (res.status === 204) return {};
    const out = text ? asObject(text, 'answer') : {};
    if (res.status >= 300)
      throw new ProviderError(`WeChat Pay ${method} ${path}: ${res.status} ${String(out['code'])}`, {
        refused: res.status >= 400 && res.status < 500,
      });
    return out;
  }

  async createOrder(o: NewProviderOrder): Promise<{ codeUrl: string }> {
    const out = await this.call('POST', '/v3/pay/transactions/native', {
      appid: this.c.appid,
      mchid: this.c.mchid,
      description: o.description.slice(0, 127),
      out_trade_no: o.outTradeNo,
      time_expire: new Date(o.validUntilMs).toISOString().replace(/\.\d{3}Z$/, '+00:00'),
      notify_url: o.notifyUrl,
      amount: { total: Number(o.amount), currency: 'CNY' },
    });
    if (typeof out['code_url'] !== 'string') throw new ProviderError('WeChat Pay answered no code_url');
    return { codeUrl: out['code_url'] };
  }

  async queryOrder(outTradeNo: string): Promise<ProviderTrade> {
    const out = await this.call(
      'GET',
      `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}?mchid=${encodeURIComponent(this.c.mchid)}`,
    );
    return this.trade(out, outTradeNo);
  }

  async closeOrder(outTradeNo: string): Promise<void> {
    await this.call('POST', `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}/close`, {
      mchid: this.c.mchid,
    });
  }

  /**
   * `POST /v3/refund/domestic/refunds` (申请退款): by out_trade_no, amounts in fen. The answer's
   * status: SUCCESS or PROCESSING is the refund accepted; CLOSED or ABNORMAL is a failure.
   */
  async refund(r: RefundRequest): Promise<ProviderRefund> {
    const out = await this.call('POST', '/v3/refund/domestic/refunds', {
      out_trade_no: r.outTradeNo,
      out_refund_no: r.outRefundNo,
      reason: r.reason.slice(0, 80),
      amount: { refund: Number(r.amount), total: Number(r.total), currency: 'CNY' },
    });
    const status = String(out['status']);
    if (out['out_refund_no'] !== r.outRefundNo || typeof out['refund_id'] !== 'string')
      throw new ProviderError('WeChat Pay refund answer names another refund');
    // CLOSED: the refund will not happen. ABNORMAL: the money is stuck on its way back (the merchant
    // console re-sends it), so it may still reach the payer: not a refusal.
    if (status !== 'SUCCESS' && status !== 'PROCESSING')
      throw new ProviderError(`WeChat Pay refund ${r.outRefundNo}: ${status}`, {
        refused: status === 'CLOSED',
      });
    const refunded = fenOf((out['amount'] as Record<string, unknown> | undefined)?.['refund']);
    if (refunded !== r.amount) throw new ProviderError('WeChat Pay refunded another amount');
    return { outRefundNo: r.outRefundNo, refundId: out['refund_id'], amount: refunded, status };
  }

  /** A transaction as the query or the notification has it, its merchant and app ids checked. */
  private trade(t: Record<string, unknown>, outTradeNo?: string): ProviderTrade {
    if (t['mchid'] !== this.c.mchid) throw new NotificationRefused(400, 'mchid is not this merchant');
    if (t['appid'] !== this.c.appid) throw new NotificationRefused(400, 'appid is not this merchant');
    const out = t['out_trade_no'];
    if (typeof out !== 'string' || (outTradeNo !== undefined && out !== outTradeNo))
      throw new NotificationRefused(400, 'out_trade_no missing or not the one asked');
    const amount = fenOf((t['amount'] as Record<string, unknown> | undefined)?.['total']);
    const id = t['transaction_id'];
    return {
      outTradeNo: out,
      state: TRADE_STATE[String(t['trade_state'])] ?? 'NOT_PAID',
      ...(typeof id === 'string' && id ? { transactionId: id } : {}),
      ...(amount !== undefined ? { amount } : {}),
    };
  }

  verifyNotification(n: { headers: Record<string, string>; body: Buffer; nowMs: number }): Confirmation {
    const text = n.body.toString('utf8');
    verifySigned(n.headers, text, this.c, n.nowMs);
    const event = asObject(text, 'notification');
    const resource = event['resource'] as EncryptedResource | undefined;
    if (resource?.algorithm !== 'AEAD_AES_256_GCM' || typeof resource.ciphertext !== 'string')
      throw new NotificationRefused(400, 'resource missing or not AEAD_AES_256_GCM');
    const t = this.trade(asObject(decryptResource(resource, this.c.apiV3Key), 'resource'));
    if (t.state !== 'PAID' || !t.transactionId || t.amount === undefined)
      throw new NotificationRefused(400, 'trade_state is not SUCCESS');
    return { provider: 'WECHAT', outTradeNo: t.outTradeNo, transactionId: t.transactionId, amount: t.amount };
  }
}
