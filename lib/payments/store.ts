/**
 * The stored shapes of payment orders, the one-pending-order guard and payment exceptions, and the
 * transaction items that move them. Keys follow store/keys.ts (rows listed there).
 */
import type { TxItem } from '../store/db.js';
import { putNew } from '../store/items.js';
import type { ProviderName } from './provider.js';

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

const num = (v: unknown) => (v === undefined ? undefined : Number(v));
const opt = <K extends string, V>(k: K, v: V | undefined) =>
  v === undefined ? {} : ({ [k]: v } as Record<K, V>);

export function orderFromItem(i: Record<string, unknown>): PaymentOrder {
  return {
    orderId: String(i['outTradeNo']),
    outTradeNo: String(i['outTradeNo']),
    estateId: String(i['estateId']),
    provider: i['provider'] as ProviderName,
    ...opt('invoiceId', i['invoiceId'] as string | undefined),
    ...opt('sessionId', i['sessionId'] as string | undefined),
    ...opt('unitId', i['unitId'] as string | undefined),
    ...opt('plate', i['plate'] as string | undefined),
    amount: BigInt(i['amount'] as bigint),
    codeUrl: String(i['codeUrl']),
    status: i['status'] as OrderStatus,
    createdAtMs: Number(i['createdAtMs']),
    validUntilMs: Number(i['validUntilMs']),
    createdBy: String(i['createdBy']),
    createdRole: i['createdRole'] as 'owner' | 'kiosk',
    ...opt('terminalId', i['terminalId'] as string | undefined),
    ...opt('receiptNo', i['receiptNo'] as string | undefined),
    ...opt('transactionId', i['transactionId'] as string | undefined),
    ...opt('exceptionId', i['exceptionId'] as string | undefined),
    ...opt('paidAtMs', num(i['paidAtMs'])),
    ...opt('closedAtMs', num(i['closedAtMs'])),
    ...opt('queriedAtMs', num(i['queriedAtMs'])),
    ...opt('invoiceItem', i['invoiceItem'] as Record<string, unknown> | undefined),
  };
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

export function exceptionFromItem(i: Record<string, unknown>): PaymentException {
  const r = i['resolution'] as Record<string, unknown> | undefined;
  const asked = i['refundAsked'] as Record<string, unknown> | undefined;
  return {
    exceptionId: String(i['exceptionId']),
    estateId: String(i['estateId']),
    provider: i['provider'] as ProviderName,
    outTradeNo: String(i['outTradeNo']),
    amount: BigInt(i['amount'] as bigint),
    providerTransactionId: String(i['providerTransactionId']),
    reason: String(i['reason']),
    status: i['status'] as ExceptionStatus,
    createdAtMs: Number(i['createdAtMs']),
    ...opt('feeCode', i['feeCode'] as string | undefined),
    ...(asked ? { refundAsked: { by: String(asked['by']), atMs: Number(asked['atMs']) } } : {}),
    ...(r
      ? {
          resolution: {
            action: r['action'] as 'REFUND' | 'APPLY',
            reason: String(r['reason']),
            by: String(r['by']),
            atMs: Number(r['atMs']),
            ...opt('invoiceId', r['invoiceId'] as string | undefined),
            ...opt('receiptNo', r['receiptNo'] as string | undefined),
            ...opt('outRefundNo', r['outRefundNo'] as string | undefined),
            ...opt('providerRefundId', r['providerRefundId'] as string | undefined),
            ...opt('refundStatus', r['refundStatus'] as 'SUCCESS' | 'PROCESSING' | undefined),
          },
        }
      : {}),
  };
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
