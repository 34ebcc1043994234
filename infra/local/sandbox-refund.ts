/**
 * The sandbox's refunds, as WeChat Pay (`POST /v3/refund/domestic/refunds`) and Alipay
 * (`alipay.trade.refund`) answer them: one refund per refund number (asked again, the same
 * refund is answered and nothing more goes back), never more than was paid, only of a paid trade.
 * `failNext` makes the next refunds fail as a provider outage would (the outcome unknown to us);
 * `refuseNext` refuses them as a merchant account without the balance would (nothing refunded).
 */
import type { SandboxTrade } from './sandbox.js';

export interface SandboxRefund {
  outRefundNo: string;
  refundId: string;
  outTradeNo: string;
  amount: bigint;
}

export class SandboxRefunds {
  readonly byNo = new Map<string, SandboxRefund>();
  /** How many of the next refund requests fail (a provider error). */
  failNext = 0;
  /** How many of the next refund requests are refused (the merchant's balance is short). */
  refuseNext = 0;
  private seq = 0;

  constructor(private readonly trades: Map<string, SandboxTrade>) {}

  private refunded(outTradeNo: string): bigint {
    let sum = 0n;
    for (const r of this.byNo.values()) if (r.outTradeNo === outTradeNo) sum += r.amount;
    return sum;
  }

  private refund(
    provider: 'WECHAT' | 'ALIPAY',
    outTradeNo: string,
    outRefundNo: string,
    amount: bigint,
  ): { refund: SandboxRefund; repeat: boolean } | { error: string } {
    if (this.failNext > 0) {
      this.failNext--;
      return { error: 'SYSTEM_ERROR' };
    }
    if (this.refuseNext > 0) {
      this.refuseNext--;
      return { error: provider === 'WECHAT' ? 'NOT_ENOUGH' : 'SELLER_BALANCE_NOT_ENOUGH' };
    }
    const t = this.trades.get(outTradeNo);
    if (!t || t.provider !== provider) return { error: 'TRADE_NOT_EXIST' };
    if (t.state !== 'SUCCESS') return { error: 'TRADE_STATUS_ERROR' };
    const earlier = this.byNo.get(outRefundNo);
    if (earlier)
      return earlier.outTradeNo === outTradeNo
        ? { refund: earlier, repeat: true }
        : { error: 'INVALID_REQUEST' };
    if (amount <= 0n || this.refunded(outTradeNo) + amount > (t.paidAmount ?? t.amount))
      return { error: 'REFUND_AMT_EXCEED' };
    const refund = {
      outRefundNo,
      refundId: `5030${Date.now()}${String(++this.seq).padStart(6, '0')}`,
      outTradeNo,
      amount,
    };
    this.byNo.set(outRefundNo, refund);
    return { refund, repeat: false };
  }

  /** WeChat's answer: status and body. */
  wechat(body: string, mchid: string): { status: number; value: unknown } {
    const o = JSON.parse(body) as {
      out_trade_no?: string;
      out_refund_no?: string;
      amount?: { refund?: number; total?: number; currency?: string };
    };
    const t = this.trades.get(o.out_trade_no ?? '');
    if (!o.out_refund_no || typeof o.amount?.refund !== 'number' || o.amount.currency !== 'CNY')
      return { status: 400, value: { code: 'PARAM_ERROR', message: '参数错误' } };
    if (t && BigInt(o.amount.total ?? -1) !== (t.paidAmount ?? t.amount))
      return { status: 400, value: { code: 'PARAM_ERROR', message: '订单金额与退款金额不匹配' } };
    const r = this.refund('WECHAT', o.out_trade_no ?? '', o.out_refund_no, BigInt(o.amount.refund));
    if ('error' in r)
      return {
        status: r.error === 'TRADE_NOT_EXIST' ? 404 : r.error === 'SYSTEM_ERROR' ? 500 : 403,
        value: { code: r.error === 'TRADE_NOT_EXIST' ? 'RESOURCE_NOT_EXISTS' : r.error, message: r.error },
      };
    const { refund } = r;
    return {
      status: 200,
      value: {
        refund_id: refund.refundId,
        out_refund_no: refund.outRefundNo,
        transaction_id: t?.transactionId,
        out_trade_no: refund.outTradeNo,
        channel: 'ORIGINAL',
        status: 'SUCCESS',
        mchid,
        amount: {
          total: Number(t?.paidAmount ?? t?.amount),
          refund: Number(refund.amount),
          payer_total: Number(t?.paidAmount ?? t?.amount),
          payer_refund: Number(refund.amount),
          currency: 'CNY',
        },
      },
    };
  }

  /** Alipay's `alipay_trade_refund_response` member. */
  alipay(biz: Record<string, string>, parseYuan: (s: string) => bigint, formatYuan: (f: bigint) => string) {
    let amount: bigint;
    try {
      amount = parseYuan(biz['refund_amount'] ?? '');
    } catch {
      return { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-parameter' };
    }
    const no = biz['out_trade_no'] ?? '';
    const r = this.refund('ALIPAY', no, biz['out_request_no'] ?? no, amount);
    if ('error' in r)
      return r.error === 'SYSTEM_ERROR'
        ? { code: '20000', msg: 'Service Currently Unavailable', sub_code: 'isp.unknow-error' }
        : { code: '40004', msg: 'Business Failed', sub_code: `ACQ.${r.error}` };
    const t = this.trades.get(no)!;
    return {
      code: '10000',
      msg: 'Success',
      trade_no: t.transactionId,
      out_trade_no: no,
      fund_change: r.repeat ? 'N' : 'Y',
      refund_fee: formatYuan(this.refunded(no)),
    };
  }
}
