/**
 * Payment exceptions: confirmed money that paid no bill (SPEC.md §9). Listed for accountants and
 * resolved once, by applying it to another open invoice of the same amount (a receipt through the
 * ordinary payment path, in the transaction that resolves the exception) or by a refund.
 */
import type { Ctx } from '../billing/context.js';
import type { IdempotentCall } from '../billing/invoices.js';
import { payInvoice } from '../billing/payments.js';
import type { Receipt } from '../billing/records.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { formatFen } from '../money.js';
import { cursor, TransactionCancelled } from '../store/db.js';
import { PROVIDER_CHANNEL } from './provider.js';
import { refundException } from './refund.js';
import {
  exceptionFromItem,
  exceptionResolvedItem,
  type PaymentException,
  type PaymentRefund,
  paymentGsi2,
  paymentKey,
} from './store.js';
import { unappliedItems } from './unapplied.js';

export async function getPaymentException(ctx: Pick<Ctx, 'db'>, id: string): Promise<PaymentException> {
  const item = await ctx.db.get(paymentKey.exception(id));
  if (!item) throw new NotFoundError('PAYMENT_EXCEPTION_NOT_FOUND', `payment exception ${id} does not exist`);
  return exceptionFromItem(item);
}

export async function listPaymentExceptions(
  ctx: Pick<Ctx, 'db'>,
  estateId: string,
  q: { status?: 'OPEN' | 'RESOLVED'; limit: number; cursor?: string },
): Promise<{ items: PaymentException[]; nextCursor?: string }> {
  const pk = paymentGsi2.exceptions(estateId);
  const start = cursor.decode(q.cursor, { GSI2PK: pk });
  const page = await ctx.db.query({
    IndexName: 'GSI2',
    KeyConditionExpression: q.status ? 'GSI2PK = :pk AND begins_with(GSI2SK, :status)' : 'GSI2PK = :pk',
    ExpressionAttributeValues: { ':pk': pk, ...(q.status ? { ':status': `${q.status}#` } : {}) },
    Limit: q.limit,
    ...(start ? { ExclusiveStartKey: start } : {}),
  });
  const next = cursor.encode(page.lastKey);
  return { items: page.items.map(exceptionFromItem), ...(next ? { nextCursor: next } : {}) };
}

export interface Resolution {
  action: 'REFUND' | 'APPLY';
  invoiceId?: string;
  reason: string;
}

/** APPLY after a REFUND was asked: the money may be on its way back to the payer. */
const refundUnderWay = (x: PaymentException) =>
  new ConflictError(
    'REFUND_IN_PROGRESS',
    `a refund of payment exception ${x.exceptionId} was asked of the provider and is not settled; the money may be on its way back to the payer, so it cannot be applied: REFUND it again to settle it`,
  );

/**
 * APPLY pays `invoiceId` with the exception's money (its channel and provider transaction as the
 * reference); the exception's OPEN → RESOLVED and the reversal of its unapplied ledger row ride in
 * the payment's transaction, so the money is applied once. REFUND: refund.ts.
 */
export async function resolvePaymentException(
  ctx: Ctx,
  x: PaymentException,
  r: Resolution,
): Promise<{ exception: PaymentException; receipt?: Receipt; refund?: PaymentRefund }> {
  if (x.status !== 'OPEN')
    throw new ConflictError('EXCEPTION_RESOLVED', `payment exception ${x.exceptionId} is already resolved`);
  if (r.action === 'REFUND') return refundException(ctx, x, r.reason);
  if (x.refundAsked) throw refundUnderWay(x);
  if (!r.invoiceId)
    throw ValidationError.of('invoiceId', 'INVOICE_REQUIRED', 'APPLY names the invoice to pay');
  const atMs = ctx.now();
  let resolution: NonNullable<PaymentException['resolution']> | undefined;
  const slot: IdempotentCall = {
    present: (receipt) => {
      resolution = {
        action: 'APPLY',
        invoiceId: r.invoiceId!,
        receiptNo: (receipt as Receipt).receiptNo,
        reason: r.reason,
        by: ctx.actor.sub,
        atMs,
      };
      return { status: 201, body: null };
    },
    handle: { ready: Promise.resolve(), completeItem: () => exceptionResolvedItem(x, resolution!) },
    alsoItems: (receipt) =>
      unappliedItems(ctx, atMs, x, -1n, {
        receiptNo: (receipt as Receipt).receiptNo,
        invoiceNo: r.invoiceId!,
      }),
  };
  let receipt: Receipt;
  try {
    receipt = await payInvoice(
      ctx,
      r.invoiceId,
      {
        channel: PROVIDER_CHANNEL[x.provider],
        amount: formatFen(x.amount),
        reference: x.providerTransactionId,
      },
      slot,
    );
  } catch (e) {
    if (e instanceof TransactionCancelled) {
      // A REFUND asked between our read and our transaction, or a resolution that won.
      const now = await getPaymentException(ctx, x.exceptionId);
      if (now.status === 'OPEN' && now.refundAsked) throw refundUnderWay(now);
      throw new ConflictError(
        'EXCEPTION_RESOLVED',
        `payment exception ${x.exceptionId} was resolved meanwhile`,
      );
    }
    throw e;
  }
  return { exception: await getPaymentException(ctx, x.exceptionId), receipt };
}
