/**
 * REFUND of a payment exception through the provider (WeChat Pay `POST /v3/refund/domestic/refunds`,
 * Alipay `alipay.trade.refund`): the whole amount goes back to the payer. Our refund number is
 * derived from the order (`RF` + out_trade_no: one order, one transaction, one exception), so a
 * retry — the same request again, or a new one after a failure — asks the provider with the same
 * number and the provider refunds once. Only after the provider has accepted it is anything
 * written: the refund record, the exception's OPEN → RESOLVED, the reversal of its unapplied ledger
 * row and the audit record, in one transaction. A provider failure changes nothing here: the
 * exception stays OPEN (503, retry).
 */
import { auditItem, type Ctx } from '../billing/context.js';
import { ConflictError, UnavailableError } from '../errors.js';
import { formatFen } from '../money.js';
import { TransactionCancelled } from '../store/db.js';
import { providerFor } from './config.js';
import { ProviderError, type ProviderRefund } from './provider.js';
import {
  exceptionFromItem,
  exceptionResolvedItem,
  newRefundItem,
  type PaymentException,
  type PaymentRefund,
  paymentKey,
} from './store.js';
import { unappliedItems } from './unapplied.js';

/** Our refund number: at most 34 characters of the out_trade_no's alphabet (both providers take 64). */
export const outRefundNoOf = (x: Pick<PaymentException, 'outTradeNo'>) => `RF${x.outTradeNo}`;

export async function refundException(
  ctx: Ctx,
  x: PaymentException,
  reason: string,
): Promise<{ exception: PaymentException; refund: PaymentRefund }> {
  const outRefundNo = outRefundNoOf(x);
  const provider = await providerFor(x.estateId, x.provider, ctx.now);
  let answer: ProviderRefund;
  try {
    answer = await provider.refund({
      outTradeNo: x.outTradeNo,
      transactionId: x.providerTransactionId,
      outRefundNo,
      amount: x.amount,
      total: x.amount,
      reason,
    });
  } catch (e) {
    if (e instanceof ProviderError || e instanceof TypeError)
      throw new UnavailableError(
        `the provider did not accept refund ${outRefundNo} (${(e as Error).message}); the exception stays open, retry`,
        5,
        { cause: e },
      );
    throw e;
  }
  const atMs = ctx.now();
  const refund: PaymentRefund = {
    outRefundNo,
    exceptionId: x.exceptionId,
    estateId: x.estateId,
    provider: x.provider,
    outTradeNo: x.outTradeNo,
    providerTransactionId: x.providerTransactionId,
    providerRefundId: answer.refundId,
    amount: answer.amount,
    status: answer.status,
    reason,
    by: ctx.actor.sub,
    createdAtMs: atMs,
  };
  try {
    await ctx.db.transact([
      exceptionResolvedItem(x, {
        action: 'REFUND',
        reason,
        by: ctx.actor.sub,
        atMs,
        outRefundNo,
        providerRefundId: answer.refundId,
        refundStatus: answer.status,
      }),
      newRefundItem(refund),
      ...unappliedItems(ctx, atMs, x, -1n),
      auditItem(ctx, atMs, {
        estateId: x.estateId,
        action: 'PAYMENT_REFUNDED',
        document: outRefundNo,
        reason,
        details: {
          exceptionId: x.exceptionId,
          provider: x.provider,
          amount: formatFen(answer.amount),
          providerRefundId: answer.refundId,
          status: answer.status,
        },
      }),
    ]);
  } catch (e) {
    if (e instanceof TransactionCancelled)
      throw new ConflictError(
        'EXCEPTION_RESOLVED',
        `payment exception ${x.exceptionId} was resolved meanwhile`,
      );
    throw e;
  }
  const item = await ctx.db.get(paymentKey.exception(x.exceptionId));
  return { exception: exceptionFromItem(item!), refund };
}
