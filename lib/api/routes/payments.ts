/**
 * Routes of kiosk payments through WeChat Pay and Alipay (SPEC.md §9): payment orders and payment
 * exceptions. The providers' notifications have their own function (payment-notify.ts).
 */
import * as z from 'zod/mini';
import type { Actor } from '../../billing/context.js';
import { getInvoice } from '../../billing/invoices.js';
import { getReceipt } from '../../billing/payments.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { formatFen } from '../../money.js';
import { getSession } from '../../parking/parking.js';
import {
  getPaymentException,
  listPaymentExceptions,
  resolvePaymentException,
} from '../../payments/exceptions.js';
import { createPaymentOrder, getPaymentOrder, refreshOrder } from '../../payments/orders.js';
import { OUT_TRADE_NO_RE, PROVIDERS } from '../../payments/provider.js';
import type { PaymentException, PaymentOrder } from '../../payments/store.js';
import { formatInstant } from '../../time.js';
import { loadInScope, requireEstate, requireUnitAccess } from '../auth.js';
import { presentReceipt } from '../present.js';
import { route } from '../route.js';
import * as s from '../schemas.js';

const order = z.object({
  orderId: z.string(),
  outTradeNo: z.string(),
  estateId: z.string(),
  provider: z.enum(PROVIDERS),
  invoiceId: z.optional(z.string()),
  sessionId: z.optional(z.string()),
  plate: z.optional(z.string()),
  currency: z.literal('CNY'),
  amount: s.money(),
  codeUrl: z.string(),
  qrSvg: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  status: z.enum(['PENDING', 'PAID', 'CLOSED']),
  receiptNo: z.optional(z.string()),
  providerTransactionId: z.optional(z.string()),
  exceptionId: z.optional(z.string()),
});
/** GET answers carry the receipt once PAID: the kiosk that polls may not read receipts itself. */
const orderWithReceipt = z.extend(order, { receipt: z.optional(s.receipt()) });

/** The QR code as SVG, drawn on the server (qrcode loads on first use, not at cold start). */
async function qrSvg(text: string): Promise<string> {
  const { default: QRCode } = await import('qrcode');
  return QRCode.toString(text, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
}

export async function presentOrder(o: PaymentOrder) {
  return {
    orderId: o.orderId,
    outTradeNo: o.outTradeNo,
    estateId: o.estateId,
    provider: o.provider,
    ...(o.invoiceId ? { invoiceId: o.invoiceId } : {}),
    ...(o.sessionId ? { sessionId: o.sessionId } : {}),
    ...(o.plate ? { plate: o.plate } : {}),
    currency: 'CNY' as const,
    amount: formatFen(o.amount),
    codeUrl: o.codeUrl,
    qrSvg: await qrSvg(o.codeUrl),
    createdAt: formatInstant(o.createdAtMs),
    expiresAt: formatInstant(o.validUntilMs),
    status: o.status,
    ...(o.receiptNo ? { receiptNo: o.receiptNo } : {}),
    ...(o.transactionId ? { providerTransactionId: o.transactionId } : {}),
    ...(o.exceptionId ? { exceptionId: o.exceptionId } : {}),
  };
}

const exception = z.object({
  exceptionId: z.string(),
  estateId: z.string(),
  provider: z.enum(PROVIDERS),
  outTradeNo: z.string(),
  amount: s.money(),
  providerTransactionId: z.string(),
  reason: z.string(),
  status: z.enum(['OPEN', 'RESOLVED']),
  createdAt: z.string(),
  /** OPEN with a refund asked of the provider and not settled: APPLY is refused, REFUND settles it. */
  refundAsked: z.optional(z.object({ by: z.string(), at: z.string() })),
  resolution: z.optional(
    z.object({
      action: z.enum(['REFUND', 'APPLY']),
      invoiceId: z.optional(z.string()),
      receiptNo: z.optional(z.string()),
      /** REFUND: our refund number, the provider's refund id, and its status (SUCCESS or PROCESSING). */
      outRefundNo: z.optional(z.string()),
      providerRefundId: z.optional(z.string()),
      refundStatus: z.optional(z.enum(['SUCCESS', 'PROCESSING'])),
      reason: z.string(),
      by: z.string(),
      at: z.string(),
    }),
  ),
});

function presentException(x: PaymentException) {
  const r = x.resolution;
  return {
    exceptionId: x.exceptionId,
    estateId: x.estateId,
    provider: x.provider,
    outTradeNo: x.outTradeNo,
    amount: formatFen(x.amount),
    providerTransactionId: x.providerTransactionId,
    reason: x.reason,
    status: x.status,
    createdAt: formatInstant(x.createdAtMs),
    ...(x.refundAsked && x.status === 'OPEN'
      ? { refundAsked: { by: x.refundAsked.by, at: formatInstant(x.refundAsked.atMs) } }
      : {}),
    ...(r
      ? {
          resolution: {
            action: r.action,
            ...(r.invoiceId ? { invoiceId: r.invoiceId } : {}),
            ...(r.receiptNo ? { receiptNo: r.receiptNo } : {}),
            ...(r.outRefundNo ? { outRefundNo: r.outRefundNo } : {}),
            ...(r.providerRefundId ? { providerRefundId: r.providerRefundId } : {}),
            ...(r.refundStatus ? { refundStatus: r.refundStatus } : {}),
            reason: r.reason,
            by: r.by,
            at: formatInstant(r.atMs),
          },
        }
      : {}),
  };
}

const STAFF_READ = ['admin', 'cashier', 'accountant'] as const;

/**
 * The order's creator; staff and kiosks of its estate; an owner of its unit. Anyone else learns
 * nothing (404, as for a missing order).
 */
function requireOrderAccess(actor: Actor, o: PaymentOrder): void {
  if (actor.sub === o.createdBy && actor.estates.includes(o.estateId)) return;
  requireUnitAccess(
    actor,
    { estateId: o.estateId, ...(o.unitId ? { unitId: o.unitId } : {}) },
    () => new NotFoundError('PAYMENT_ORDER_NOT_FOUND', `payment order ${o.orderId} does not exist`),
  );
}

export const paymentRoutes = [
  route({
    method: 'POST',
    path: '/v1/payment-orders',
    operationId: 'createPaymentOrder',
    summary:
      'A WeChat Pay or Alipay order for one open invoice or one parking session: QR payload, amount, expiry',
    group: 'payments',
    access: 'RW',
    roles: ['owner', 'kiosk'],
    schemas: () => ({
      body: z
        .strictObject({
          invoiceId: z.optional(s.docId()),
          sessionId: z.optional(s.docId()),
          provider: z.enum(PROVIDERS),
          // The kiosk's 终端编号: printed on the receipt as 自助终端 and the terminal (SPEC.md §5).
          terminalId: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be a terminal id'))),
        })
        .check(
          z.refine((b) => (b.invoiceId === undefined) !== (b.sessionId === undefined), {
            message: 'give exactly one of invoiceId and sessionId',
            path: ['invoiceId'],
          }),
        ),
      response: order,
    }),
    status: 201,
    idempotent: true,
    async handler({ body, actor, ctx }) {
      if (body.invoiceId) {
        await loadInScope(actor, `invoice ${body.invoiceId}`, () => getInvoice(ctx, body.invoiceId!));
      } else {
        const session = await getSession(ctx, body.sessionId!);
        requireEstate(actor, session.estateId);
      }
      // The Idempotency-Key's answer is stored after the order's transaction: the answer carries the
      // QR drawing, made after it; the guard, not the key, keeps one pending order per bill.
      return presentOrder(await createPaymentOrder(ctx, body));
    },
  }),
  route({
    method: 'GET',
    path: '/v1/payment-orders/{orderId}',
    operationId: 'getPaymentOrder',
    summary:
      'A payment order; a pending one past a few seconds is checked with the provider (and closed once expired)',
    group: 'payments',
    access: 'RW',
    roles: ['owner', 'kiosk', ...STAFF_READ],
    schemas: () => ({
      params: z.strictObject({ orderId: z.string().check(z.regex(OUT_TRADE_NO_RE, 'must be an order id')) }),
      response: orderWithReceipt,
    }),
    status: 200,
    async handler({ params, actor, ctx }) {
      const o = await getPaymentOrder(ctx, params.orderId);
      requireOrderAccess(actor, o);
      const now = await refreshOrder(ctx, o);
      const receipt = now.receiptNo ? presentReceipt(await getReceipt(ctx, now.receiptNo)) : undefined;
      return { ...(await presentOrder(now)), ...(receipt ? { receipt } : {}) };
    },
  }),
  route({
    method: 'GET',
    path: '/v1/payment-exceptions',
    operationId: 'listPaymentExceptions',
    summary: 'Confirmed money not applied to a bill, for accountants to resolve',
    group: 'payments',
    access: 'RO',
    roles: ['accountant', 'admin'],
    schemas: () => ({
      query: z.strictObject({
        estateId: s.estateId(),
        status: z.optional(z.enum(['OPEN', 'RESOLVED'])),
        limit: s.limit(),
        cursor: s.cursor(),
      }),
      response: z.object({ items: z.array(exception), nextCursor: z.optional(z.string()) }),
    }),
    status: 200,
    async handler({ query, actor, ctx }) {
      requireEstate(actor, query.estateId);
      const page = await listPaymentExceptions(ctx, query.estateId, {
        limit: query.limit,
        ...(query.status ? { status: query.status } : {}),
        ...(query.cursor ? { cursor: query.cursor } : {}),
      });
      return {
        items: page.items.map(presentException),
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      };
    },
  }),
  route({
    method: 'POST',
    path: '/v1/payment-exceptions/{id}/resolution',
    operationId: 'resolvePaymentException',
    summary:
      'Resolve a payment exception: APPLY it to another open invoice of the same amount, or REFUND it through the provider',
    group: 'payments',
    access: 'RW',
    roles: ['accountant', 'admin'],
    schemas: () => ({
      params: z.strictObject({
        id: z.string().check(z.regex(/^[A-Z]+-[0-9A-Za-z_-]{1,64}$/, 'must be an exception id')),
      }),
      body: z.strictObject({
        action: z.enum(['REFUND', 'APPLY']),
        invoiceId: z.optional(s.docId()),
        reason: s.text(200),
      }),
      response: z.extend(exception, { receipt: z.optional(s.receipt()) }),
    }),
    status: 200,
    idempotent: true,
    async handler({ params, body, actor, ctx }) {
      const x = await getPaymentException(ctx, params.id);
      requireEstate(actor, x.estateId);
      if (body.invoiceId) {
        const inv = await getInvoice(ctx, body.invoiceId);
        if (inv.estateId !== x.estateId)
          throw ValidationError.of(
            'invoiceId',
            'OTHER_ESTATE',
            `invoice ${body.invoiceId} is not in estate ${x.estateId}`,
          );
      }
      const r = await resolvePaymentException(ctx, x, body);
      return {
        ...presentException(r.exception),
        ...(r.receipt ? { receipt: presentReceipt(r.receipt) } : {}),
      };
    },
  }),
];
