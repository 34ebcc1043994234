/**
 * The kiosk's payment-order screen (issue 21): the kiosk never says a bill is paid. It asks the
 * service for a WeChat Pay or Alipay order, shows its QR code (drawn by the server), the amount
 * and a countdown, and polls the order until the provider has confirmed it (PAID: the receipt is
 * shown) or it is closed. Leaving the screen stops the polling; the order then expires and is
 * closed at the provider by the service.
 */
import { type Api, ApiProblem } from '../shared/api.js';
import { PaymentAttempt } from '../shared/attempt.js';
import { byId, type Child, h } from '../shared/dom.js';
import { yuan } from '../shared/money.js';
import type { Receipt } from '../shared/types.js';

export interface PaymentOrder {
  orderId: string;
  outTradeNo: string;
  provider: 'WECHAT' | 'ALIPAY';
  amount: string;
  codeUrl: string;
  qrSvg: string;
  createdAt: string;
  expiresAt: string;
  status: 'PENDING' | 'PAID' | 'CLOSED';
  receiptNo?: string;
  exceptionId?: string;
  /** Once PAID: the receipt (a kiosk may not read receipts by number). */
  receipt?: Receipt;
}

/** The wallet of a kiosk channel button. */
export const PROVIDER_OF: Record<string, 'WECHAT' | 'ALIPAY'> = {
  KIOSK_WECHAT: 'WECHAT',
  KIOSK_ALIPAY: 'ALIPAY',
};
const WALLET = { WECHAT: '微信', ALIPAY: '支付宝' } as const;
const WALLET_EN = { WECHAT: 'WeChat Pay', ALIPAY: 'Alipay' } as const;
const POLL_MS = 2_000;

export interface OrderScreen {
  api: Api;
  show: (name: string, ...children: (Child | Child[])[]) => void;
  complain: (e: unknown) => void;
  /** The screen now on show: polling stops once the kiosk has moved on. */
  current: () => string | undefined;
  paid: (r: Receipt) => Promise<void> | void;
  back: () => void;
}

/** Makes (or finds) the order; one Idempotency-Key per tap on a wallet button. */
export function orderAttempt(api: Api): PaymentAttempt<PaymentOrder> {
  return new PaymentAttempt<PaymentOrder>((key, rawBody) =>
    api.call<PaymentOrder>('POST', '/v1/payment-orders', { rawBody, idempotencyKey: key }),
  );
}

function mmss(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

export function showOrder(o: PaymentOrder, ui: OrderScreen): void {
  // The countdown runs on this screen's clock from the order's own validity, so a kiosk whose
  // clock is off still shows the right time left.
  const validMs = Date.parse(o.expiresAt) - Date.parse(o.createdAt);
  const shownAt = Date.now();
  const qr = h('div', { class: 'qr', role: 'img', 'aria-label': `${WALLET[o.provider]}付款二维码` });
  qr.innerHTML = o.qrSvg; // drawn by our own server from the provider's code URL
  const countdown = h('strong', { 'data-field': 'countdown' }, mmss(validMs));
  const screenId = `pay-order-${o.orderId}`;
  ui.show(
    'pay-order',
    h(
      'h2',
      {},
      `请使用${WALLET[o.provider]}扫码支付`,
      h('span', { class: 'en', lang: 'en' }, `Scan to pay with ${WALLET_EN[o.provider]}`),
    ),
    h(
      'p',
      { class: 'big-amount' },
      '应付 ',
      h('strong', { class: 'money', 'data-field': 'amount' }, yuan(o.amount)),
    ),
    qr,
    h('p', {}, '剩余时间 ', countdown),
    h(
      'p',
      { class: 'muted small' },
      '支付完成后本机自动显示收据;订单号 ',
      h('span', { 'data-field': 'outTradeNo' }, o.outTradeNo),
    ),
    h(
      'p',
      { class: 'muted small' },
      h('a', { href: o.codeUrl, 'data-field': 'codeUrl', target: '_blank' }, '无法扫码?打开付款链接'),
    ),
    h(
      'p',
      {},
      h(
        'button',
        { type: 'button', class: 'secondary', 'data-action': 'cancel-order', onclick: () => ui.back() },
        '取消支付',
      ),
    ),
  );
  byId('screen').dataset['order'] = screenId;
  const onScreen = () => ui.current() === 'pay-order' && byId('screen').dataset['order'] === screenId;
  const tick = setInterval(() => {
    if (!onScreen()) return clearInterval(tick);
    countdown.textContent = mmss(validMs - (Date.now() - shownAt));
  }, 1_000);
  const poll = async (): Promise<void> => {
    if (!onScreen()) return;
    let now: PaymentOrder;
    try {
      now = await ui.api.call<PaymentOrder>('GET', `/v1/payment-orders/${encodeURIComponent(o.orderId)}`);
    } catch (e) {
      if (e instanceof ApiProblem && e.outcomeUnknown) return void setTimeout(poll, POLL_MS);
      return ui.complain(e);
    }
    if (!onScreen()) return;
    if (now.status === 'PAID' && now.receipt) {
      clearInterval(tick);
      try {
        await ui.paid(now.receipt);
      } catch (e) {
        ui.complain(e);
      }
      return;
    }
    if (now.status === 'PAID') {
      clearInterval(tick);
      return ui.complain('款项已到账,但账单已有变化,未能自动入账。请凭付款记录到服务台处理,款项不会丢失。');
    }
    if (now.status === 'CLOSED') {
      clearInterval(tick);
      return ui.complain('付款超时,订单已关闭,未扣款。请重新选择付款方式。');
    }
    setTimeout(poll, POLL_MS);
  };
  setTimeout(poll, POLL_MS);
}
