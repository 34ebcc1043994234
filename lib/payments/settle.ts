/**
 * Believing a confirmed payment (SPEC.md §9): a verified notification, or the provider's answer
 * to our query, becomes exactly one receipt through the ordinary payment path (billing/payments.ts,
 * parking payments: same receipt series, ledger and audit), and the order's move to PAID rides in
 * that same transaction. Money that cannot be applied becomes a payment exception, never lost.
 */
import type { Ctx } from '../billing/context.js';
import { auditItem } from '../billing/context.js';
import type { IdempotentCall } from '../billing/invoices.js';
import { payInvoice } from '../billing/payments.js';
import { invoiceFromItem } from '../billing/records.js';
import { ConflictError, ValidationError } from '../errors.js';
import { formatFen } from '../money.js';
import { payParking } from '../parking/parking.js';
import { type Db, TransactionCancelled, type TxItem } from '../store/db.js';
import { type Confirmation, NotificationRefused, PROVIDER_CHANNEL } from './provider.js';
import {
  exceptionFromItem,
  newExceptionItem,
  orderFromItem,
  orderPaidItem,
  type PaymentException,
  type PaymentOrder,
  paymentKey,
} from './store.js';
import { intendedFee, unappliedItems } from './unapplied.js';

export async function readOrder(db: Db, outTradeNo: string): Promise<PaymentOrder | undefined> {
  const item = await db.get(paymentKey.order(outTradeNo));
  return item ? orderFromItem(item) : undefined;
}

/** The owner or kiosk who made the order pays; the provider's transaction is the reference. */
function payerCtx(db: Db, now: () => number, o: PaymentOrder): Ctx {
  return {
    db,
    now,
    actor: {
      sub: o.createdBy,
      role: o.createdRole,
      estates: [o.estateId],
      units: o.unitId ? [o.unitId] : [],
    },
  };
}

/**
 * The payment services keep one slot in their transaction for the request's completion record;
 * the order's PENDING → PAID goes there, so receipt and order commit together or not at all.
 */
function orderSlot(o: PaymentOrder, c: Confirmation, atMs: number): IdempotentCall {
  let receiptNo: string | undefined;
  return {
    present: (result) => {
      const r = result as { receiptNo?: string; receipt?: { receiptNo: string } };
      receiptNo = r.receipt?.receiptNo ?? r.receiptNo;
      return { status: 201, body: null };
    },
    handle: {
      ready: Promise.resolve(),
      completeItem: () =>
        orderPaidItem(o.outTradeNo, { transactionId: c.transactionId, atMs, receiptNo: receiptNo! }),
    },
  };
}

/** Refusals of the payment path that mean "this money cannot pay this bill any more". */
const UNAPPLIABLE = new Set([
  'ALREADY_PAID',
  'INVOICE_VOID',
  'SESSION_CLOSED',
  'NOTHING_DUE',
  'PARKS_FREE',
  'QUOTE_EXPIRED',
  'AMOUNT_MISMATCH',
]);

function ruleOf(e: unknown): string | undefined {
  if (e instanceof ConflictError) return e.code;
  if (e instanceof ValidationError) return e.problems[0]?.code;
  return undefined;
}

export type Settled =
  | { outcome: 'RECEIPT'; order: PaymentOrder }
  | { outcome: 'ALREADY_APPLIED'; order: PaymentOrder }
  | { outcome: 'EXCEPTION'; order: PaymentOrder; exception: PaymentException };

/**
 * Applies a confirmed payment to its order. Idempotent per provider transaction: a repeated
 * notification, or one racing the kiosk's query, finds the order PAID by that transaction.
 */
export async function settle(
  db: Db,
  now: () => number,
  c: Confirmation,
  estateId?: string,
): Promise<Settled> {
  const order = await readOrder(db, c.outTradeNo);
  if (!order || order.provider !== c.provider || (estateId !== undefined && order.estateId !== estateId))
    throw new NotificationRefused(400, `unknown out_trade_no ${c.outTradeNo}`);
  if (order.status === 'PAID' && order.transactionId === c.transactionId)
    return { outcome: 'ALREADY_APPLIED', order };
  if (order.status === 'PAID') return recordException(db, now, order, c, 'DUPLICATE_PAYMENT');
  if (c.amount !== order.amount) return recordException(db, now, order, c, 'AMOUNT_MISMATCH');
  const atMs = now();
  const ctx = payerCtx(db, now, order);
  let receipt: { receiptNo: string } | undefined;
  const input = {
    channel: PROVIDER_CHANNEL[c.provider],
    amount: formatFen(order.amount),
    reference: c.transactionId,
    // The provider's transaction id names no terminal: the order says where it was made.
    ...(order.terminalId ? { terminalId: order.terminalId } : {}),
  };
  try {
    if (order.invoiceId) {
      const known = order.invoiceItem ? invoiceFromItem(order.invoiceItem) : undefined;
      receipt = await payInvoice(ctx, order.invoiceId, input, orderSlot(order, c, atMs), known);
    } else {
      receipt = (
        await payParking(
          ctx,
          order.sessionId!,
          { ...input, at: new Date(order.createdAtMs).toISOString() },
          orderSlot(order, c, atMs),
        )
      ).receipt;
    }
  } catch (e) {
    const rule = ruleOf(e);
    if (!(e instanceof TransactionCancelled) && !(rule && UNAPPLIABLE.has(rule))) throw e;
    // Lost a race, or the bill moved on: the order as it now stands decides.
    const now2 = await readOrder(db, c.outTradeNo);
    if (now2?.status === 'PAID' && now2.transactionId === c.transactionId)
      return { outcome: 'ALREADY_APPLIED', order: now2 };
    if (e instanceof TransactionCancelled) throw e;
    return recordException(db, now, now2 ?? order, c, rule === 'ALREADY_PAID' ? 'BILL_ALREADY_PAID' : rule!);
  }
  // What the transaction wrote, without reading it back (one round trip less per notification).
  const paid: PaymentOrder = {
    ...order,
    status: 'PAID',
    transactionId: c.transactionId,
    paidAtMs: atMs,
    receiptNo: receipt!.receiptNo,
  };
  return { outcome: 'RECEIPT', order: paid };
}

/** Confirmed money that pays no bill: recorded once per provider transaction, with audit. */
async function recordException(
  db: Db,
  now: () => number,
  order: PaymentOrder,
  c: Confirmation,
  reason: string,
): Promise<Settled> {
  const atMs = now();
  const exception: PaymentException = {
    exceptionId: `${c.provider}-${c.transactionId}`.slice(0, 80),
    estateId: order.estateId,
    provider: c.provider,
    outTradeNo: order.outTradeNo,
    amount: c.amount,
    providerTransactionId: c.transactionId,
    reason,
    status: 'OPEN',
    createdAtMs: atMs,
    feeCode: intendedFee(order),
  };
  const ctx = payerCtx(db, now, order);
  const items: TxItem[] = [
    newExceptionItem(exception),
    // Money in the bank that pays no bill: 待处理款项 until the exception is resolved.
    ...unappliedItems(ctx, atMs, exception, 1n),
    auditItem(ctx, atMs, {
      estateId: order.estateId,
      action: 'PAYMENT_EXCEPTION',
      document: exception.exceptionId,
      reason,
      details: { outTradeNo: order.outTradeNo, amount: formatFen(c.amount), provider: c.provider },
    }),
  ];
  if (order.status !== 'PAID')
    items.push(
      orderPaidItem(order.outTradeNo, {
        transactionId: c.transactionId,
        atMs,
        exceptionId: exception.exceptionId,
      }),
    );
  try {
    await db.transact(items);
  } catch (e) {
    if (!(e instanceof TransactionCancelled)) throw e;
    // Already recorded (a repeat), or the order moved meanwhile: read what stands and, if needed, retry.
    const existing = await db.get(paymentKey.exception(exception.exceptionId));
    if (existing)
      return {
        outcome: 'EXCEPTION',
        order: (await readOrder(db, order.outTradeNo)) ?? order,
        exception: exceptionFromItem(existing),
      };
    return settle(db, now, c);
  }
  return { outcome: 'EXCEPTION', order: (await readOrder(db, order.outTradeNo)) ?? order, exception };
}
