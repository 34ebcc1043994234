/**
 * The providers' notifications (SPEC.md §9): the only public POST routes, in their own function
 * (`payments-notify`) whose role may read the merchant secrets and write what settling a payment
 * writes, nothing else (infra/constructs/payment-access.ts). Public, provider-signed, raw bodies.
 */
import * as z from 'zod/mini';
import type { Ctx } from '../../billing/context.js';
import { providerFor } from '../../payments/config.js';
import { NotificationRefused, OUT_TRADE_NO_RE, type ProviderName } from '../../payments/provider.js';
import { settle } from '../../payments/settle.js';
import { RawResponse, route } from '../route.js';

/**
 * A provider notification: verified, then applied. Any failed check answers the provider's
 * failure (WeChat: 401 or 400 with `{"code":"FAIL"}`; Alipay: `fail`) and changes nothing.
 */
async function notification(
  name: ProviderName,
  ctx: Ctx,
  estateId: string | undefined,
  headers: Record<string, string>,
  raw: Buffer | undefined,
): Promise<RawResponse> {
  const fail = (status: number, message: string) =>
    name === 'WECHAT'
      ? new RawResponse(
          JSON.stringify({ code: 'FAIL', message }),
          { 'content-type': 'application/json' },
          status,
        )
      : new RawResponse('fail', { 'content-type': 'text/plain' }, 200);
  try {
    if (!estateId || !/^[A-Z0-9]{2,12}$/.test(estateId) || !raw)
      throw new NotificationRefused(400, 'estateId or body missing');
    let provider: Awaited<ReturnType<typeof providerFor>>;
    try {
      provider = await providerFor(estateId, name, ctx.now);
    } catch {
      throw new NotificationRefused(400, `no ${name} merchant for estate ${estateId}`);
    }
    const confirmed = provider.verifyNotification({ headers, body: raw, nowMs: ctx.now() });
    if (!OUT_TRADE_NO_RE.test(confirmed.outTradeNo))
      throw new NotificationRefused(400, 'out_trade_no malformed');
    await settle(ctx.db, ctx.now, confirmed, estateId);
  } catch (e) {
    if (e instanceof NotificationRefused) return fail(e.status, e.message);
    throw e;
  }
  return name === 'WECHAT'
    ? new RawResponse('', {}, 204)
    : new RawResponse('success', { 'content-type': 'text/plain' }, 200);
}

const notifyQuery = z.object({ estateId: z.optional(z.string()) });
const NOTIFY_MAX_BYTES = 64 * 1024;

export const paymentNotifyRoutes = [
  route({
    method: 'POST',
    path: '/v1/payment-notify/wechat',
    operationId: 'notifyWechatPay',
    summary: 'WeChat Pay API v3 payment notification (signed by the platform; no token)',
    group: 'payments-notify',
    access: 'RW',
    roles: 'public',
    schemas: () => ({
      query: notifyQuery,
      response: z.string(),
    }),
    rawBody: { maxBytes: NOTIFY_MAX_BYTES, types: [] },
    produces: 'application/json',
    status: 200,
    handler: ({ ctx, query, headers, raw }) => notification('WECHAT', ctx, query.estateId, headers, raw),
  }),
  route({
    method: 'POST',
    path: '/v1/payment-notify/alipay',
    operationId: 'notifyAlipay',
    summary: 'Alipay asynchronous notification, form-encoded (RSA2-signed; no token); answers `success`',
    group: 'payments-notify',
    access: 'RW',
    roles: 'public',
    schemas: () => ({
      query: notifyQuery,
      response: z.string(),
    }),
    rawBody: { maxBytes: NOTIFY_MAX_BYTES, types: [] },
    produces: 'text/plain',
    status: 200,
    handler: ({ ctx, query, headers, raw }) => notification('ALIPAY', ctx, query.estateId, headers, raw),
  }),
];
