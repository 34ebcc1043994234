/**
 * One interface for every payment provider (ENGINEERING.md: one plugin per provider, as Kill Bill
 * keeps them). The order service speaks only this; WeChat Pay, Alipay and the local sandbox's
 * protocols live behind it, configured per estate (credentials) and per deployment (base URLs).
 */
import { ForbiddenError } from '../errors.js';
import type { Fen } from '../money.js';

export const PROVIDERS = ['WECHAT', 'ALIPAY'] as const;

/** Contract: 6-32 characters of `[0-9A-Za-z_-|*]` (an out_trade_no; also an out_refund_no). */
export const OUT_TRADE_NO_RE = /^[0-9A-Za-z_\-|*]{6,32}$/;
export type ProviderName = (typeof PROVIDERS)[number];

/** The receipt channel a provider's confirmed payment is recorded under. */
export const PROVIDER_CHANNEL = { WECHAT: 'KIOSK_WECHAT', ALIPAY: 'KIOSK_ALIPAY' } as const;

export interface NewProviderOrder {
  outTradeNo: string;
  amount: Fen;
  description: string;
  validUntilMs: number;
  notifyUrl: string;
}

/** What the provider says about an order (query) or confirms (notification), already verified. */
export interface ProviderTrade {
  outTradeNo: string;
  state: 'PAID' | 'NOT_PAID' | 'CLOSED';
  transactionId?: string;
  amount?: Fen;
}

/** A confirmed payment: every field checked against the merchant's own ids before it is believed. */
export interface Confirmation {
  provider: ProviderName;
  outTradeNo: string;
  transactionId: string;
  amount: Fen;
}

/** A notification that failed a check: answered as the provider expects for a failure, so it retries. */
export class NotificationRefused extends Error {
  constructor(
    readonly status: 400 | 401,
    message: string,
  ) {
    super(message);
    this.name = 'NotificationRefused';
  }
}

/**
 * A provider's API answered with an error or an unverifiable body. `refused`: the provider answered,
 * verifiably, that it did not do what was asked (a 4xx of WeChat Pay, a 4xxxx code of Alipay, a
 * refund CLOSED), so nothing happened; otherwise (5xx, unknown errors, an answer that could not be
 * verified) what happened is unknown until asked again.
 */
export class ProviderError extends Error {
  readonly refused: boolean;
  constructor(message: string, opts: { refused?: boolean } = {}) {
    super(message);
    this.name = 'ProviderError';
    this.refused = opts.refused ?? false;
  }
}

/** A refund of a confirmed payment, asked with our own refund number (the provider's idempotency key). */
export interface RefundRequest {
  outTradeNo: string;
  transactionId: string;
  /** Ours, the same on every retry: the provider refunds once per number. */
  outRefundNo: string;
  /** What goes back (the whole payment here) and what the payment was. */
  amount: Fen;
  total: Fen;
  reason: string;
}

/**
 * The provider's word on a refund, verified. `SUCCESS`: the money went back; `PROCESSING`: the
 * provider accepted it and will pay it out (WeChat's usual first answer). Anything else throws.
 */
export interface ProviderRefund {
  outRefundNo: string;
  /** WeChat's refund_id; Alipay has none of its own, its trade_no is kept. */
  refundId: string;
  amount: Fen;
  status: 'SUCCESS' | 'PROCESSING';
}

export interface PaymentProvider {
  readonly name: ProviderName;
  /** Creates the provider's order; answers the QR payload the owner scans. */
  createOrder(order: NewProviderOrder): Promise<{ codeUrl: string }>;
  queryOrder(outTradeNo: string): Promise<ProviderTrade>;
  closeOrder(outTradeNo: string): Promise<void>;
  /** Refunds a confirmed payment; asking again with the same outRefundNo refunds nothing more. */
  refund(r: RefundRequest): Promise<ProviderRefund>;
  /**
   * Verifies a notification (signature, timestamp, decryption, merchant and app ids, status) and
   * answers what it confirms; throws NotificationRefused otherwise. The order's own checks
   * (out-trade-no known, amount) are the order service's.
   */
  verifyNotification(n: { headers: Record<string, string>; body: Buffer; nowMs: number }): Confirmation;
}

/** WeChat Pay merchant credentials (API v3). */
export interface WechatCredentials {
  mchid: string;
  appid: string;
  /** Serial number of the merchant's API certificate (sent with every signed request). */
  serialNo: string;
  /** The merchant's API private key (PEM). */
  privateKey: string;
  /** The API v3 key: 32 characters, the AES-256-GCM key of notifications. */
  apiV3Key: string;
  /** The WeChat Pay platform public key (PEM) that signs responses and notifications. */
  platformPublicKey: string;
  /** Its serial or public-key id, as `Wechatpay-Serial` names it. */
  platformSerial: string;
}

/** Alipay application credentials (RSA2). */
export interface AlipayCredentials {
  appId: string;
  /** The application's private key (PEM). */
  privateKey: string;
  /** Alipay's public key (PEM) that signs responses and notifications. */
  alipayPublicKey: string;
}

export interface EstateMerchant {
  WECHAT?: WechatCredentials;
  ALIPAY?: AlipayCredentials;
}

/**
 * Kiosk channels are confirmed by the provider, never by the kiosk's word (SPEC.md §5, §9): the
 * payment routes refuse them for every role; only a verified confirmation records one.
 */
export function refuseSelfReportedKiosk(channel: string): void {
  if (channel.startsWith('KIOSK_'))
    throw new ForbiddenError(
      'KIOSK_CHANNEL_NOT_SELF_REPORTED',
      `${channel} is recorded only when the provider confirms it: pay through POST /v1/payment-orders`,
    );
}
