/**
 * The stored shapes of payment orders, the one-pending-order guard and payment exceptions, and the
 * transaction items that move them. Keys follow store/keys.ts (rows listed there).
 */
import * as z from 'zod/mini';
import type { TxItem } from '../store/db.js';
import { putNew } from '../store/items.js';
import { count, fen, opt, str } from '../store/record-parts.js';
import { compact, parseRecord } from '../store/records.js';
import { PROVIDERS, type ProviderName } from './provider.js';

export type OrderStatus = 'PENDING' | 'PAID' | 'CLOSED';
export type ExceptionStatus = 'OPEN' | 'RESOLVED';

export const paymentKey = {
  order: (outTradeNo: string) => ({ PK: `PAYORDER#${outTradeNo}`, SK: 'META' }),
  /** At most one pending order per invoice (or parking session) and provider: points at it. */
  guard: (target: string, provider: ProviderName) => ({ PK: `PAYGUARD#${target}#${provider}`, SK: 'META' }),
  /** One exception per provider transaction: a repeated notification finds it already there. */
  exception: (exceptionId: string) => ({ PK: `PAYEXC#${exceptionId}`, SK: 'META' }),
  /** A refund through the provider, by our refund number (one per exception). */
  refund: (outRefundNo: string) => ({ PK: `PAYREFUND#${outRefundNo}`, SK: 'META' }),
};
/** GSI2: an estate's pending orders by expiry (the daily close), its exceptions by status. */
export const paymentGsi2 = {
  pendingOrders: (estateId: string) => `ESTATE#${estateId}#PAYORDER_PENDING`,
  exceptions: (estateId: string) => `ESTATE#${estateId}#PAYEXC`,
};

export interface PaymentOrder {
  orderId: string;
  outTradeNo: string;
  estateId: string;
  provider: ProviderName;
  invoiceId?: string;
  sessionId?: string;
  unitId?: string;
  plate?: string;
  amount: bigint;
  codeUrl: string;
  status: OrderStatus;
  createdAtMs: number;
  validUntilMs: number;
  createdBy: string;
  createdRole: 'owner' | 'kiosk';
  /** The kiosk the order was made at, for the receipt's 自助终端 line. */
  terminalId?: string;
  receiptNo?: string;
  transactionId?: string;
  exceptionId?: string;
  paidAtMs?: number;
  closedAtMs?: number;
  queriedAtMs?: number;
  /**
   * The invoice as stored when the order was made: its lines and total never change, and its status
   * is re-checked by the payment's own condition, so settling needs no second read of it.
   */
  invoiceItem?: Record<string, unknown>;
}

export interface PaymentException {
  exceptionId: string;
  estateId: string;
  provider: ProviderName;
  outTradeNo: string;
  amount: bigint;
  providerTransactionId: string;
  reason: string;
  status: ExceptionStatus;
  createdAtMs: number;
  /** The fee the money was meant for: the fee code of its unapplied ledger rows (lib/payments/unapplied.ts). */
  feeCode?: string;
  /**
   * A REFUND was asked of the provider and its outcome is not settled: the money may be on its way
   * back to the payer, so APPLY is refused until a REFUND completes (refund.ts).
   */
  refundAsked?: { by: string; atMs: number };
  resolution?: {
    action: 'REFUND' | 'APPLY';
    invoiceId?: string;
    receiptNo?: string;
    outRefundNo?: string;
    providerRefundId?: string;
    refundStatus?: 'SUCCESS' | 'PROCESSING';
    reason: string;
    by: string;
    atMs: number;
  };
}

// Read back through zod like every stored record (lib/store/records.ts), built on first parse.
const orderRecordSchema = z.lazy(() =>
  z.object({
    outTradeNo: str,
    estateId: str,
    provider: z.enum(PROVIDERS),
    invoiceId: opt(str),
    sessionId: opt(str),
    unitId: opt(str),
    plate: opt(str),
    amount: fen,
    codeUrl: str,
    status: z.enum(['PENDING', 'PAID', 'CLOSED']),
    createdAtMs: count,
    validUntilMs: count,
    createdBy: str,
    createdRole: z.enum(['owner', 'kiosk']),
    terminalId: opt(str),
    receiptNo: opt(str),
    transactionId: opt(str),
    exceptionId: opt(str),
    paidAtMs: opt(count),
    closedAtMs: opt(count),
    queriedAtMs: opt(count),
    invoiceItem: opt(z.record(z.string(), z.unknown())),
  }),
);

const guardRecordSchema = z.lazy(() => z.object({ orderId: str }));

/** The order a bill's guard points at (the one pending order per bill and provider). */
export const guardedOrderId = (item: Record<string, unknown> | undefined): string | undefined =>
  item ? parseRecord(guardRecordSchema, item, 'payment order guard').orderId : undefined;

export function orderFromItem(i: Record<string, unknown>): PaymentOrder {
  const o = parseRecord(orderRecordSchema, i, 'payment order');
  return compact({ orderId: o.outTradeNo, ...o });
}

export function newOrderItem(o: PaymentOrder): TxItem {
  return putNew({
    ...paymentKey.order(o.outTradeNo),
    type: 'PAYMENT_ORDER',
    ...o,
    GSI2PK: paymentGsi2.pendingOrders(o.estateId),
    GSI2SK: `${String(o.validUntilMs).padStart(13, '0')}#${o.outTradeNo}`,
  });
}

/** Points the guard at a new order, unless another request pointed it elsewhere since we read it. */
export function guardItem(
  target: string,
  provider: ProviderName,
  orderId: string,
  previous?: string,
): TxItem {
  return {
    Put: {
      Item: { ...paymentKey.guard(target, provider), type: 'PAYMENT_GUARD', orderId },
      ConditionExpression: previous ? 'orderId = :previous' : 'attribute_not_exists(PK)',
      ...(previous ? { ExpressionAttributeValues: { ':previous': previous } } : {}),
    },
  };
}

/** PENDING (or CLOSED: money confirmed after the close still counts) → PAID, once. */
export function orderPaidItem(
  outTradeNo: string,
  paid: { transactionId: string; atMs: number; receiptNo?: string; exceptionId?: string },
): TxItem {
  return {
    Update: {
      Key: paymentKey.order(outTradeNo),
      UpdateExpression: `SET #status = :paid, transactionId = :txn, paidAtMs = :at${paid.receiptNo ? ', receiptNo = :receipt' : ''}${paid.exceptionId ? ', exceptionId = :exc' : ''} REMOVE GSI2PK, GSI2SK`,
      ConditionExpression: 'attribute_exists(PK) AND #status <> :paid',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':paid': 'PAID',
        ':txn': paid.transactionId,
        ':at': paid.atMs,
        ...(paid.receiptNo ? { ':receipt': paid.receiptNo } : {}),
        ...(paid.exceptionId ? { ':exc': paid.exceptionId } : {}),
      },
    },
  };
}

export function orderClosedItem(outTradeNo: string, atMs: number): TxItem {
  return {
    Update: {
      Key: paymentKey.order(outTradeNo),
      UpdateExpression: 'SET #status = :closed, closedAtMs = :at REMOVE GSI2PK, GSI2SK',
      ConditionExpression: '#status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':closed': 'CLOSED', ':pending': 'PENDING', ':at': atMs },
    },
  };
}

const exceptionRecordSchema = z.lazy(() =>
  z.object({
    exceptionId: str,
    estateId: str,
    provider: z.enum(PROVIDERS),
    outTradeNo: str,
    amount: fen,
    providerTransactionId: str,
    reason: str,
    status: z.enum(['OPEN', 'RESOLVED']),
    createdAtMs: count,
    feeCode: opt(str),
    refundAsked: opt(z.object({ by: str, atMs: count })),
    resolution: opt(
      z.object({
        action: z.enum(['REFUND', 'APPLY']),
        invoiceId: opt(str),
        receiptNo: opt(str),
        outRefundNo: opt(str),
        providerRefundId: opt(str),
        refundStatus: opt(z.enum(['SUCCESS', 'PROCESSING'])),
        reason: str,
        by: str,
        atMs: count,
      }),
    ),
  }),
);

export function exceptionFromItem(i: Record<string, unknown>): PaymentException {
  const { resolution, ...x } = parseRecord(exceptionRecordSchema, i, 'payment exception');
  return compact({ ...x, resolution: resolution && compact(resolution) });
}

export function newExceptionItem(x: PaymentException): TxItem {
  return putNew({
    ...paymentKey.exception(x.exceptionId),
    type: 'PAYMENT_EXCEPTION',
    ...x,
    GSI2PK: paymentGsi2.exceptions(x.estateId),
    GSI2SK: `OPEN#${String(x.createdAtMs).padStart(13, '0')}#${x.exceptionId}`,
  });
}

export function exceptionResolvedItem(
  x: PaymentException,
  resolution: NonNullable<PaymentException['resolution']>,
): TxItem {
  return {
    Update: {
      Key: paymentKey.exception(x.exceptionId),
      UpdateExpression: 'SET #status = :resolved, resolution = :resolution, GSI2SK = :sk',
      // APPLY only while no refund is under way; the REFUND that was asked completes it.
      ConditionExpression:
        resolution.action === 'APPLY'
          ? '#status = :open AND attribute_not_exists(refundAsked)'
          : '#status = :open',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':resolved': 'RESOLVED',
        ':open': 'OPEN',
        ':resolution': resolution,
        ':sk': `RESOLVED#${String(x.createdAtMs).padStart(13, '0')}#${x.exceptionId}`,
      },
    },
  };
}

/** Marks an OPEN exception as having a refund asked of the provider (the first ask's time stays). */
export function refundAskedItem(x: PaymentException, by: string, atMs: number): TxItem {
  return {
    Update: {
      Key: paymentKey.exception(x.exceptionId),
      UpdateExpression: 'SET refundAsked = if_not_exists(refundAsked, :asked)',
      ConditionExpression: '#status = :open',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':asked': { by, atMs }, ':open': 'OPEN' },
    },
  };
}

/** Takes the mark back when the provider refused the refund: nothing went back, APPLY may follow. */
export function refundRefusedItem(x: PaymentException): TxItem {
  return {
    Update: {
      Key: paymentKey.exception(x.exceptionId),
      UpdateExpression: 'REMOVE refundAsked',
      ConditionExpression: '#status = :open',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':open': 'OPEN' },
    },
  };
}

/** A refund the provider accepted: written once, in the transaction that resolves its exception. */
export interface PaymentRefund {
  outRefundNo: string;
  exceptionId: string;
  estateId: string;
  provider: ProviderName;
  outTradeNo: string;
  providerTransactionId: string;
  providerRefundId: string;
  amount: bigint;
  status: 'SUCCESS' | 'PROCESSING';
  reason: string;
  by: string;
  createdAtMs: number;
}

export function newRefundItem(r: PaymentRefund): TxItem {
  return putNew({ ...paymentKey.refund(r.outRefundNo), type: 'PAYMENT_REFUND', ...r });
}
