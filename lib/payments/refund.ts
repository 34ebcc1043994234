/**
 * REFUND of a payment exception through the provider (WeChat Pay `POST /v3/refund/domestic/refunds`,
 * Alipay `alipay.trade.refund`): the whole amount goes back to the payer. Our refund number is
 * derived from the order (`RF` + out_trade_no: one order, one transaction, one exception), so a
 * retry — the same request again, or a new one after a failure — asks the provider with the same
 * number and the provider refunds once.
 *
 * Before the provider is asked, the exception is marked `refundAsked` (while OPEN): from then on
 * APPLY is refused, so an accountant applying the money while another refunds it cannot send it
 * both ways. After the provider has accepted the refund, one transaction writes the refund record,
 * the exception's OPEN → RESOLVED, the reversal of its unapplied ledger row and the audit record.
 * A refusal by the provider (nothing was refunded) takes the mark back: 409 REFUND_REFUSED, and
 * APPLY or another REFUND may follow. Any other failure leaves the outcome unknown: the mark stays,
 * 503, and only a REFUND (the same refund number) settles it.
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
  refundAskedItem,
  refundRefusedItem,
} from './store.js';
import { unappliedItems } from './unapplied.js';

const resolvedMeanwhile = (x: PaymentException) =>
  new ConflictError('EXCEPTION_RESOLVED', `payment exception ${x.exceptionId} was resolved meanwhile`);

/** Our refund number: at most 34 characters of the out_trade_no's alphabet (both providers take 64). */
export const outRefundNoOf = (x: Pick<PaymentException, 'outTradeNo'>) => `RF${x.outTradeNo}`;

export async function refundException(
  ctx: Ctx,
  x: PaymentException,
  reason: string,
): Promise<{ exception: PaymentException; refund: PaymentRefund }> {
  const outRefundNo = outRefundNoOf(x);
  const provider = await providerFor(x.estateId, x.provider, ctx.now);
  try {
    await ctx.db.transact([refundAskedItem(x, ctx.actor.sub, ctx.now())]);
  } catch (e) {
    if (e instanceof TransactionCancelled) throw resolvedMeanwhile(x);
    throw e;
  }
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
    if (e instanceof ProviderError && e.refused) {
      await ctx.db.transact([refundRefusedItem(x)]).catch((c) => {
        if (!(c instanceof TransactionCancelled)) throw c; // resolved meanwhile: nothing to take back
      });
      throw new ConflictError(
        'REFUND_REFUSED',
        `the provider refused refund ${outRefundNo} (${e.message}); nothing was refunded and the exception stays open: APPLY it, or REFUND it again once the cause is fixed`,
      );
    }
    if (e instanceof ProviderError || e instanceof TypeError)
      throw new UnavailableError(
        `the provider did not confirm refund ${outRefundNo} (${(e as Error).message}); the refund may still happen, so the exception stays open for a REFUND only: retry`,
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
    if (e instanceof TransactionCancelled) throw resolvedMeanwhile(x);
    throw e;
  }
  const item = await ctx.db.get(paymentKey.exception(x.exceptionId));
  return { exception: exceptionFromItem(item!), refund };
}
