/**
 * Alipay open platform, face-to-face QR payments (`alipay.trade.precreate`, `.query`, `.close`)
 * with node:crypto only: requests signed RSA2 (SHA256withRSA over the sorted `k=v` pairs without
 * `sign`), answers verified over the exact text of the `*_response` member, notifications verified
 * over their sorted parameters without `sign` and `sign_type` (SPEC.md §9).
 */
import { formatFen, parseMoney } from '../money.js';
import {
  type AlipayCredentials,
  type Confirmation,
  type NewProviderOrder,
  NotificationRefused,
  type PaymentProvider,
  ProviderError,
  type ProviderRefund,
  type ProviderTrade,
  type RefundRequest,
} from './provider.js';
import { rsaSign, rsaVerify } from './wechat.js';

/** The content Alipay signs: parameters sorted by name, empty values and the signature left out. */
export function signContent(params: Record<string, string>, omit: readonly string[] = ['sign']): string {
  return Object.keys(params)
    .filter((k) => !omit.includes(k) && params[k] !== undefined && params[k] !== '')
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
}

/** Asia/Shanghai wall time `yyyy-MM-dd HH:mm:ss`, Alipay's timestamp format. */
export function alipayTime(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** The exact text of `"{method}_response": {...}` in an answer: what Alipay signed. */
export function responseText(body: string, member: string): string | undefined {
  const at = body.indexOf(`"${member}"`);
  if (at < 0) return undefined;
  const start = body.indexOf('{', at + member.length + 2);
  if (start < 0) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = start; i < body.length; i++) {
    const ch = body[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return body.slice(start, i + 1);
  }
  return undefined;
}

const TRADE_STATUS: Record<string, ProviderTrade['state']> = {
  TRADE_SUCCESS: 'PAID',
  TRADE_FINISHED: 'PAID',
  TRADE_CLOSED: 'CLOSED',
};

export class Alipay implements PaymentProvider {
  readonly name = 'ALIPAY' as const;
  constructor(
    private readonly c: AlipayCredentials,
    /** `https://openapi.alipay.com/gateway.do`, or the sandbox's. */
    private readonly gateway: string,
    private readonly now: () => number = Date.now,
  ) {}

  private async call(method: string, biz: Record<string, unknown>, notifyUrl?: string) {
    const params: Record<string, string> = {
      app_id: this.c.appId,
      method,
      format: 'JSON',
      charset: 'utf-8',
      sign_type: 'RSA2',
      timestamp: alipayTime(this.now()),
      version: '1.0',
      biz_content: JSON.stringify(biz),
      ...(notifyUrl ? { notify_url: notifyUrl } : {}),
    };
    params['sign'] = rsaSign(signContent(params), this.c.privateKey);
    const res = await fetch(this.gateway, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' },
      body: new URLSearchParams(params).toString(),
    });
    const text = await res.text();
    const member = `${method.replace(/\./g, '_')}_response`;
    const signed = responseText(text, member);
    let sign: unknown;
    try {
      sign = (JSON.parse(text) as Record<string, unknown>)['sign'];
    } catch {
      sign = undefined;
    }
    if (!signed || typeof sign !== 'string' || !rsaVerify(signed, sign, this.c.alipayPublicKey))
      throw new ProviderError(`Alipay answer to ${method} not verified`);
    const out = JSON.parse(signed) as Record<string, unknown>;
    return out;
  }

  async createOrder(o: NewProviderOrder): Promise<{ codeUrl: string }> {
    const out = await this.call(
      'alipay.trade.precreate',
      {
        out_trade_no: o.outTradeNo,
        total_amount: formatFen(o.amount),
        subject: o.description.slice(0, 256),
        time_expire: alipayTime(o.validUntilMs),
      },
      o.notifyUrl,
    );
    if (out['code'] !== '10000' || typeof out['qr_code'] !== 'string')
      throw new ProviderError(
        `alipay.trade.precreate: ${String(out['code'])} ${String(out['sub_msg'] ?? out['msg'])}`,
      );
    return { codeUrl: out['qr_code'] };
  }

  async queryOrder(outTradeNo: string): Promise<ProviderTrade> {
    const out = await this.call('alipay.trade.query', { out_trade_no: outTradeNo });
    if (out['code'] === '40004') return { outTradeNo, state: 'NOT_PAID' }; // not yet scanned: unknown trade
    if (out['code'] !== '10000') throw new ProviderError(`alipay.trade.query: ${String(out['code'])}`);
    if (out['out_trade_no'] !== outTradeNo)
      throw new ProviderError('alipay.trade.query answered another trade');
    const amount =
      typeof out['total_amount'] === 'string' ? parseMoney(out['total_amount'], 'total_amount') : undefined;
    return {
      outTradeNo,
      state: TRADE_STATUS[String(out['trade_status'])] ?? 'NOT_PAID',
      ...(typeof out['trade_no'] === 'string' ? { transactionId: out['trade_no'] } : {}),
      ...(amount !== undefined ? { amount } : {}),
    };
  }

  async closeOrder(outTradeNo: string): Promise<void> {
    const out = await this.call('alipay.trade.close', { out_trade_no: outTradeNo });
    // An order never scanned is unknown to Alipay (40004): closed as far as anyone can pay it.
    if (out['code'] !== '10000' && out['code'] !== '40004')
      throw new ProviderError(`alipay.trade.close: ${String(out['code'])}`);
  }

  /**
   * `alipay.trade.refund` (统一收单交易退款): refund_amount in yuan, out_request_no ours. Code 10000
   * is the refund done (synchronous); `fund_change` N on a repeat means it was done before.
   */
  async refund(r: RefundRequest): Promise<ProviderRefund> {
    const out = await this.call('alipay.trade.refund', {
      out_trade_no: r.outTradeNo,
      refund_amount: formatFen(r.amount),
      out_request_no: r.outRefundNo,
      refund_reason: r.reason.slice(0, 256),
    });
    if (out['code'] !== '10000')
      throw new ProviderError(
        `alipay.trade.refund: ${String(out['code'])} ${String(out['sub_code'] ?? out['sub_msg'] ?? '')}`,
        // 4xxxx: the request refused (business failure, bad or missing parameters, no permission);
        // 20000 (service unavailable) and the rest leave the outcome unknown.
        { refused: String(out['code']).startsWith('4') },
      );
    if (out['out_trade_no'] !== r.outTradeNo)
      throw new ProviderError('alipay.trade.refund answered another trade');
    return {
      outRefundNo: r.outRefundNo,
      refundId: typeof out['trade_no'] === 'string' ? out['trade_no'] : r.transactionId,
      amount: r.amount,
      status: 'SUCCESS',
    };
  }

  verifyNotification(n: { headers: Record<string, string>; body: Buffer; nowMs: number }): Confirmation {
    const params: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(n.body.toString('utf8'))) params[k] = v;
    if (!params['sign'] || params['sign_type'] !== 'RSA2')
      throw new NotificationRefused(401, 'no RSA2 signature');
    if (!rsaVerify(signContent(params, ['sign', 'sign_type']), params['sign'], this.c.alipayPublicKey))
      throw new NotificationRefused(401, 'signature does not verify');
    if (params['app_id'] !== this.c.appId)
      throw new NotificationRefused(400, 'app_id is not this application');
    const status = params['trade_status'] ?? '';
    if (status !== 'TRADE_SUCCESS' && status !== 'TRADE_FINISHED')
      throw new NotificationRefused(400, `trade_status ${status} confirms no payment`);
    const out = params['out_trade_no'];
    const id = params['trade_no'];
    let amount: bigint;
    try {
      amount = parseMoney(params['total_amount'] ?? '', 'total_amount');
    } catch {
      throw new NotificationRefused(400, 'total_amount is not money');
    }
    if (!out || !id) throw new NotificationRefused(400, 'out_trade_no or trade_no missing');
    return { provider: 'ALIPAY', outTradeNo: out, transactionId: id, amount };
  }
}
