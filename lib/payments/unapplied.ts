/**
 * Money received and not yet applied (待处理款项) in the ledger: a payment exception writes a
 * PAYMENT_UNAPPLIED row of its amount on its date; its resolution writes the same row negated
 * (APPLY, beside the receipt's PAYMENT_RECEIVED rows; REFUND, the money going back). The rows are
 * money in the bank that is no fee's revenue and no invoice's payment: the summary counts them only
 * by kind, the accountant's month posts them to a suspense account (docs/payments.md).
 */
import { type Ctx, ledgerItems } from '../billing/context.js';
import type { TxItem } from '../store/db.js';
import { PROVIDER_CHANNEL } from './provider.js';
import type { PaymentException, PaymentOrder } from './store.js';

/** The fee the money was meant for: the order's first invoice line, or temporary parking. */
export function intendedFee(order: Pick<PaymentOrder, 'invoiceItem' | 'sessionId'>): string {
  const lines = order.invoiceItem?.['lines'] as { type?: unknown }[] | undefined;
  const first = lines?.[0]?.type;
  return typeof first === 'string' ? first : 'TEMP_PARKING';
}

/** The exception's unapplied row: +amount when it is recorded, −amount when it is resolved. */
export function unappliedItems(
  ctx: Ctx,
  atMs: number,
  x: PaymentException,
  sign: 1n | -1n,
  link: { receiptNo?: string; invoiceNo?: string } = {},
): TxItem[] {
  return ledgerItems(ctx, atMs, {
    estateId: x.estateId,
    kind: 'PAYMENT_UNAPPLIED',
    // The reversal's own document number keeps its sort key apart from the row it reverses.
    documentNo: sign > 0n ? x.exceptionId : `${x.exceptionId}/R`,
    channel: PROVIDER_CHANNEL[x.provider],
    ...link,
    lines: [{ feeCode: x.feeCode ?? 'TEMP_PARKING', amount: x.amount * sign }],
  });
}
