/**
 * Payment orders (SPEC.md §9): one open invoice, or one parking session's amount due, offered to
 * one provider. The order is created at the provider first (its QR payload is part of the order),
 * then stored with the guard that keeps one pending order per bill and provider.
 */
import { randomBytes } from 'node:crypto';
import { auditItem, type Ctx } from '../billing/context.js';
import { getEstate } from '../billing/estates.js';
import type { IdempotentCall } from '../billing/invoices.js';
import { invoiceFromItem } from '../billing/records.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { getSession } from '../parking/parking.js';
import { assessWithFreeParking, MINUTE_MS, QUOTE_VALID_MS } from '../parking/stay.js';
import { TransactionCancelled, type TxItem } from '../store/db.js';
import { key } from '../store/keys.js';
import { notifyUrl, providerFor } from './config.js';
import type { ProviderName } from './provider.js';
import { readOrder, settle } from './settle.js';
import {
  guardedOrderId,
  guardItem,
  newOrderItem,
  orderClosedItem,
  type PaymentOrder,
  paymentGsi2,
  paymentKey,
} from './store.js';

export const INVOICE_ORDER_MS = 15 * MINUTE_MS;
/** A pending order younger than this is answered from the store; older, the provider is asked. */
export const QUERY_AFTER_MS = 3_000;

/** `{estate}` + base-36 time + random: unique, at most 32 characters of `[0-9A-Za-z]`. */
export function newOutTradeNo(estateId: string, atMs: number): string {
  return `${estateId}${atMs.toString(36).toUpperCase()}${randomBytes(5).toString('hex').toUpperCase()}`.slice(
    0,
    32,
  );
}

export interface OrderRequest {
  invoiceId?: string;
  sessionId?: string;
  provider: ProviderName;
  terminalId?: string | undefined;
}

interface Target {
  estateId: string;
  amount: bigint;
  description: string;
  validUntilMs: number;
  fields: Pick<PaymentOrder, 'invoiceId' | 'sessionId' | 'unitId' | 'plate' | 'invoiceItem'>;
}

async function targetOf(ctx: Ctx, r: OrderRequest, nowMs: number): Promise<Target> {
  if (r.invoiceId) {
    const invoiceItem = await ctx.db.get(key.invoice(r.invoiceId));
    if (!invoiceItem) throw new NotFoundError('INVOICE_NOT_FOUND', `invoice ${r.invoiceId} does not exist`);
    const inv = invoiceFromItem(invoiceItem);
    if (inv.status === 'PAID' || inv.status === 'CREDITED')
      throw new ConflictError(
        'ALREADY_PAID',
        `invoice ${inv.invoiceNo} is already paid (receipt ${inv.receiptNo})`,
      );
    if (inv.status === 'VOID') throw new ConflictError('INVOICE_VOID', `invoice ${inv.invoiceNo} is void`);
    return {
      estateId: inv.estateId,
      amount: inv.total,
      description: `物业缴费 ${inv.invoiceNo}`,
      validUntilMs: nowMs + INVOICE_ORDER_MS,
      fields: {
        invoiceId: inv.invoiceNo,
        ...(inv.unitId ? { unitId: inv.unitId } : {}),
        ...(inv.plate ? { plate: inv.plate } : {}),
        invoiceItem,
      },
    };
  }
  const s = await getSession(ctx, r.sessionId!);
  if (s.status !== 'OPEN')
    throw new ConflictError('SESSION_CLOSED', `parking session ${s.sessionId} has ended`);
  const [a, estate] = await Promise.all([assessWithFreeParking(ctx, s, nowMs), getEstate(ctx, s.estateId)]);
  if (a.amountDue <= 0n)
    throw new ConflictError('NOTHING_DUE', `nothing is due on parking session ${s.sessionId}`);
  // The payment prices the stay as of the order (`at`), which the parking rules accept for
  // QUOTE_VALID_MS; the order expires within that and within the exit grace.
  const validMs = Math.min(estate.exitGraceMinutes * MINUTE_MS, QUOTE_VALID_MS);
  return {
    estateId: s.estateId,
    amount: a.amountDue,
    description: `临时停车 ${s.plate}`,
    validUntilMs: nowMs + validMs,
    fields: { sessionId: s.sessionId, plate: s.plate },
  };
}

/** POST /v1/payment-orders: the pending order of this bill and provider, or a new one. */
export async function createPaymentOrder(
  ctx: Ctx,
  r: OrderRequest,
  idem?: IdempotentCall,
): Promise<PaymentOrder> {
  const nowMs = ctx.now();
  // The bill's order guard is read before the bill: an order paid in between is then seen as a
  // paid bill (NOTHING_DUE / ALREADY_PAID), never priced again into a second order.
  const guardKey = r.invoiceId ? `INVOICE#${r.invoiceId}` : `PARKING#${r.sessionId}`;
  const guard = await ctx.db.get(paymentKey.guard(guardKey, r.provider));
  const previousId = guardedOrderId(guard);
  const previous = previousId ? await readOrder(ctx.db, previousId) : undefined;
  if (previous?.status === 'PENDING') {
    const refreshed = await refreshOrder(ctx, previous, { force: previous.validUntilMs <= nowMs });
    if (refreshed.status === 'PENDING') {
      // The bill may have moved on while the order waited (paid at the counter, voided, session
      // ended): its QR is handed out only while the bill still asks for the money.
      await targetOf(ctx, r, nowMs);
      return refreshed;
    }
    if (refreshed.status === 'PAID')
      throw new ConflictError('ALREADY_PAID', `paid through order ${refreshed.outTradeNo}`);
  }
  const t = await targetOf(ctx, r, nowMs);
  const provider = await providerFor(t.estateId, r.provider, ctx.now);
  const outTradeNo = newOutTradeNo(t.estateId, nowMs);
  const { codeUrl } = await provider.createOrder({
    outTradeNo,
    amount: t.amount,
    description: t.description,
    validUntilMs: t.validUntilMs,
    notifyUrl: notifyUrl(r.provider, t.estateId),
  });
  const role = ctx.actor.role === 'kiosk' ? 'kiosk' : 'owner';
  const order: PaymentOrder = {
    orderId: outTradeNo,
    outTradeNo,
    estateId: t.estateId,
    provider: r.provider,
    ...t.fields,
    amount: t.amount,
    codeUrl,
    status: 'PENDING',
    createdAtMs: nowMs,
    validUntilMs: t.validUntilMs,
    createdBy: ctx.actor.sub,
    createdRole: role,
    ...(r.terminalId ? { terminalId: r.terminalId } : {}),
  };
  const items: TxItem[] = [
    guardItem(guardKey, r.provider, outTradeNo, previousId),
    newOrderItem(order),
    auditItem(ctx, nowMs, {
      estateId: t.estateId,
      action: 'PAYMENT_ORDER_CREATED',
      document: outTradeNo,
      details: {
        provider: r.provider,
        invoiceId: t.fields.invoiceId,
        sessionId: t.fields.sessionId,
        amount: String(t.amount),
      },
    }),
  ];
  if (idem) {
    await idem.handle.ready;
    items.push(idem.handle.completeItem(idem.present(order)));
  }
  try {
    await ctx.db.transact(items);
  } catch (e) {
    if (!(e instanceof TransactionCancelled && e.failedAt(0))) throw e;
    // Another request made this bill's order first: answer that one; ours is closed unpaid.
    await provider.closeOrder(outTradeNo).catch(() => undefined);
    const winner = await ctx.db.get(paymentKey.guard(guardKey, r.provider));
    const wonId = guardedOrderId(winner);
    const won = wonId ? await readOrder(ctx.db, wonId) : undefined;
    if (won?.status === 'PENDING') return won;
    if (won?.status === 'PAID')
      throw new ConflictError('ALREADY_PAID', `paid through order ${won.outTradeNo}`);
    throw new ConflictError(
      'REQUEST_IN_PROGRESS',
      'another payment order for this bill was just made; retry',
    );
  }
  return order;
}

export async function getPaymentOrder(ctx: Pick<Ctx, 'db'>, orderId: string): Promise<PaymentOrder> {
  const o = await readOrder(ctx.db, orderId);
  if (!o) throw new NotFoundError('PAYMENT_ORDER_NOT_FOUND', `payment order ${orderId} does not exist`);
  return o;
}

/**
 * A pending order past QUERY_AFTER_MS: ask the provider. Paid there → settled here (the same path
 * as a notification, so whichever comes first makes the one receipt); expired → closed there first,
 * then CLOSED here. `force` asks even a young order (cancel, the daily close).
 */
export async function refreshOrder(
  ctx: Pick<Ctx, 'db' | 'now'>,
  o: PaymentOrder,
  opts: { force?: boolean; close?: boolean } = {},
): Promise<PaymentOrder> {
  const nowMs = ctx.now();
  if (o.status !== 'PENDING') return o;
  if (!opts.force && !opts.close && nowMs - o.createdAtMs < QUERY_AFTER_MS && nowMs < o.validUntilMs)
    return o;
  const provider = await providerFor(o.estateId, o.provider, ctx.now);
  const trade = await provider.queryOrder(o.outTradeNo);
  if (trade.state === 'PAID' && trade.transactionId && trade.amount !== undefined) {
    const done = await settle(ctx.db, ctx.now, {
      provider: o.provider,
      outTradeNo: o.outTradeNo,
      transactionId: trade.transactionId,
      amount: trade.amount,
    });
    return done.order;
  }
  if (opts.close || nowMs >= o.validUntilMs || trade.state === 'CLOSED') {
    // Closed at the provider before it is CLOSED here: nobody can pay it after we said so.
    if (trade.state !== 'CLOSED') await provider.closeOrder(o.outTradeNo);
    try {
      await ctx.db.transact([orderClosedItem(o.outTradeNo, nowMs)]);
    } catch (e) {
      if (!(e instanceof TransactionCancelled)) throw e;
    }
    return (await readOrder(ctx.db, o.outTradeNo)) ?? o;
  }
  return o;
}

/** The daily job: every pending order of an estate that expired before `nowMs`, closed. */
export async function closeExpiredOrders(ctx: Pick<Ctx, 'db' | 'now'>, estateId: string): Promise<number> {
  const nowMs = ctx.now();
  const due = await ctx.db.queryAll({
    IndexName: 'GSI2',
    KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK < :upTo',
    ExpressionAttributeValues: {
      ':pk': paymentGsi2.pendingOrders(estateId),
      ':upTo': String(nowMs).padStart(13, '0'),
    },
  });
  let closed = 0;
  for (const item of due) {
    const o = await readOrder(ctx.db, String(item['outTradeNo']));
    if (o && (await refreshOrder(ctx, o, { force: true })).status === 'CLOSED') closed++;
  }
  return closed;
}
