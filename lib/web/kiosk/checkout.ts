/**
 * Paying at the kiosk, shared by bills and parking: the wallet buttons, one order attempt per
 * wallet per visit (a double tap or a 重试 reuses its Idempotency-Key), the QR screen, and the
 * receipt screen once the provider has confirmed.
 */
import { addressOf } from '../../address.js';
import { CHANNEL_TYPES, KIOSK_CHANNELS } from '../../fee-types/catalog.js';
import { type Api, ApiProblem } from '../shared/api.js';
import type { PaymentAttempt } from '../shared/attempt.js';
import { type Child, h } from '../shared/dom.js';
import { channelName, clock, dateTime } from '../shared/format.js';
import { PAYMENT_RETRY_HINT } from '../shared/messages.js';
import type { Receipt } from '../shared/types.js';
import { orderAttempt, type PaymentOrder, PROVIDER_OF, showOrder } from './pay-order.js';
import { nav } from './state.js';
import { button, complain, current, lockGroup, show, title } from './ui.js';

/** Wallets first, as most owners scan with WeChat or Alipay; any other kiosk channel follows. */
const WALLETS_FIRST: readonly string[] = ['KIOSK_WECHAT', 'KIOSK_ALIPAY'];
const buttonRank = (c: string) =>
  WALLETS_FIRST.includes(c) ? WALLETS_FIRST.indexOf(c) : WALLETS_FIRST.length;
// Only the wallets a provider confirms (issue 21); KIOSK_CARD waits for a card acquirer.
const KIOSK_BUTTONS = KIOSK_CHANNELS.filter((c) => c in PROVIDER_OF).sort(
  (a, b) => buttonRank(a) - buttonRank(b),
);

export type OnPay = (channel: string, b: HTMLButtonElement, group: HTMLElement) => Promise<void>;

export function channelButtons(onPay: OnPay): HTMLElement {
  const group = h('div', { class: 'channels', role: 'group', 'aria-label': '选择付款方式' });
  for (const c of KIOSK_BUTTONS) {
    const b = h('button', { type: 'button', class: 'channel', 'data-channel': c }, CHANNEL_TYPES[c].button);
    b.addEventListener('click', () => void onPay(c, b, group));
    group.append(b);
  }
  return group;
}

/** One order attempt per wallet per visit to a pay screen: a double tap or a retry reuses its key. */
export function attemptsFor(api: Api): (channel: string) => PaymentAttempt<PaymentOrder> {
  const attempts = new Map<string, PaymentAttempt<PaymentOrder>>();
  return (channel) => {
    const a = attempts.get(channel) ?? orderAttempt(api);
    attempts.set(channel, a);
    return a;
  };
}

/**
 * A wallet press: makes (or finds) the order and hands it on. When the answer is lost (no answer,
 * a 5xx) the screen says 请点“重试” and shows 重试, which presses the same wallet again.
 */
export function payWith(
  attempt: (channel: string) => PaymentAttempt<PaymentOrder>,
  body: Record<string, string>,
  then: (o: PaymentOrder) => Promise<void> | void,
  refused: (e: unknown) => Promise<boolean> = async () => false,
): OnPay {
  const press: OnPay = (channel, b, g) =>
    lockGroup(g, b, '正在生成付款码…', async () => {
      try {
        await then(await attempt(channel).submit({ ...body, provider: PROVIDER_OF[channel] }));
      } catch (e) {
        if (await refused(e)) return;
        const unknown = e instanceof ApiProblem && e.outcomeUnknown;
        complain(e, unknown ? PAYMENT_RETRY_HINT : '', unknown ? () => void press(channel, b, g) : undefined);
      }
    }).then(() => undefined);
  return press;
}

/** The QR screen of an order; `onPaid` shows the receipt once the provider has confirmed. */
export function orderScreen(
  o: PaymentOrder,
  api: Api,
  onPaid: (r: Receipt) => Promise<void> | void,
  back: () => void,
): void {
  showOrder(o, { api, show, complain: (e) => complain(e), current, paid: onPaid, back });
}

export function paid(r: Receipt & { exitBy?: string }, ...extra: (Child | Child[])[]): void {
  show(
    'paid',
    title('支付成功', 'Payment received', { class: 'ok' }),
    r.exitBy
      ? h(
          'p',
          { class: 'exit-by' },
          '请在 ',
          h('strong', { 'data-field': 'exitBy' }, clock(r.exitBy)),
          ' 前离场',
        )
      : null,
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, '金额'),
      h('dd', { class: 'money' }, `${r.amount} 元(${r.amountInWords})`),
      h('dt', {}, '付款方式'),
      h('dd', {}, channelName(r.channel)),
      h('dt', {}, '收据号'),
      h('dd', { 'data-field': 'receiptNo' }, r.receiptNo),
      // What the receipt prints (SPEC.md §5), as the API names it: the estate, the unit or plate,
      // 自助终端 and this terminal (never the payer's login), and the receipt's state.
      r.estateName ? [h('dt', {}, '小区'), h('dd', { 'data-field': 'estateName' }, r.estateName)] : null,
      r.building !== undefined
        ? [h('dt', {}, '房屋'), h('dd', { 'data-field': 'address' }, addressOf(r))]
        : null,
      r.plate ? [h('dt', {}, '车牌'), h('dd', { 'data-field': 'plate' }, r.plate)] : null,
      r.cashierName ? [h('dt', {}, '收款'), h('dd', { 'data-field': 'cashier' }, r.cashierName)] : null,
      r.stateName ? [h('dt', {}, '状态'), h('dd', { 'data-field': 'state' }, r.stateName)] : null,
      r.exitBy ? [h('dt', {}, '最晚离场'), h('dd', {}, dateTime(r.exitBy))] : null,
    ),
    ...extra,
    h(
      'p',
      {},
      button('完成', () => nav.home(), { class: 'wide' }),
    ),
  );
}
