/**
 * Owners' bills at the kiosk: sign in with the owner's code, see each flat's open bills (overdue
 * first, 您有欠费 with the amount), choose one and pay it by scanning a wallet's QR code.
 */
import { addressOf } from '../../address.js';
import { ApiProblem } from '../shared/api.js';
import { whileBusy } from '../shared/busy.js';
import { expired, readClaims } from '../shared/claims.js';
import { h } from '../shared/dom.js';
import { dayBefore, feeName, periodText } from '../shared/format.js';
import { MESSAGES } from '../shared/messages.js';
import { yuan } from '../shared/money.js';
import type { Invoice, Unit } from '../shared/types.js';
import { arrearsBanner, billsInOrder } from './arrears.js';
import { attemptsFor, channelButtons, orderScreen, paid, payWith } from './checkout.js';
import { forgetPeople, k, nav, terminalId } from './state.js';
import { button, complain, show, title } from './ui.js';

export function ownerSignIn(): void {
  const field = h('textarea', {
    id: 'owner-token',
    rows: 3,
    autocomplete: 'off',
    spellcheck: 'false',
    autofocus: true,
  });
  const go = h('button', { type: 'submit', class: 'wide' }, '登录');
  const form = h(
    'form',
    { class: 'stack' },
    h('label', { for: 'owner-token' }, '业主登录码'),
    field,
    h(
      'p',
      { class: 'muted small' },
      '正式使用时由微信扫码登录;本地开发请粘贴业主令牌(npm start 输出中 owner 一行)。',
    ),
    go,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void whileBusy(go, '正在登录…', async () => {
      const raw = field.value.trim();
      const c = readClaims(raw);
      if (!c?.roles.includes('owner')) return complain('这个登录码无法识别,请重新扫码或联系服务台。');
      if (expired(c)) return complain(MESSAGES['UNAUTHORIZED']!);
      k.ownerToken = raw;
      k.owner = c;
      await ownerInvoices();
    });
  });
  show('owner-sign-in', title('业主登录', 'Owner sign-in'), form);
}

export async function ownerInvoices(): Promise<void> {
  const owner = k.owner;
  if (!owner) return ownerSignIn();
  let units: Unit[];
  try {
    units = await Promise.all(
      owner.units.map((u) => k.ownerApi.call<Unit>('GET', `/v1/units/${encodeURIComponent(u)}`)),
    );
  } catch (e) {
    if (e instanceof ApiProblem && e.status === 401) forgetPeople();
    const unknown = e instanceof ApiProblem && e.outcomeUnknown;
    return complain(e, '', unknown ? () => void ownerInvoices() : undefined);
  }
  const cards = units.map((u) => {
    const open = billsInOrder(u);
    return h(
      'section',
      { class: 'card', 'aria-label': addressOf(u) },
      h('h3', {}, addressOf(u)),
      h('p', { class: 'muted' }, `物业费缴至:${u.paidThrough ? dayBefore(u.paidThrough) : '尚未缴费'}`),
      arrearsBanner(u, payInvoice),
      open.length === 0
        ? h('p', {}, '没有待缴账单。')
        : h(
            'ul',
            { class: 'bills' },
            open.map(({ inv, overdue }) =>
              h(
                'li',
                overdue ? { class: 'overdue' } : {},
                h(
                  'div',
                  {},
                  overdue ? h('span', { class: 'tag' }, '已逾期') : null,
                  h('strong', {}, inv.lines.map((l) => feeName(l.type)).join('、')),
                  h('div', { class: 'muted small' }, `账单号 ${inv.invoiceNo} · 到期日 ${inv.dueDate}`),
                ),
                button(`缴费 ${yuan(inv.total)}`, () => payInvoice(inv), {
                  class: 'pay',
                  'aria-label': `缴纳账单 ${inv.invoiceNo},金额 ${inv.total} 元`,
                }),
              ),
            ),
          ),
    );
  });
  show(
    'owner-invoices',
    title('我的账单', 'My bills'),
    units.length ? cards : h('p', {}, '您的账号下没有房屋,请到服务台核对。'),
    h(
      'p',
      {},
      button('退出登录', () => nav.home(), { class: 'secondary' }),
    ),
  );
}

export function payInvoice(inv: Invoice): void {
  const pay = payWith(attemptsFor(k.ownerApi), { invoiceId: inv.invoiceId, terminalId: terminalId() }, (o) =>
    orderScreen(
      o,
      k.ownerApi,
      (r) => paid(r, h('p', {}, '可在服务台补打纸质收据。')),
      () => payInvoice(inv),
    ),
  );
  show(
    'pay-invoice',
    title('确认缴费', 'Confirm payment'),
    h(
      'ul',
      { class: 'lines' },
      inv.lines.map((l) =>
        h(
          'li',
          {},
          h(
            'span',
            {},
            l.description,
            l.period ? h('span', { class: 'muted small' }, ` (${periodText(l.period)})`) : null,
          ),
          h('span', { class: 'money' }, `${l.amount} 元`),
        ),
      ),
    ),
    h(
      'p',
      { class: 'big-amount' },
      '应付 ',
      h('strong', { class: 'money', 'data-field': 'amount' }, yuan(inv.total)),
    ),
    h('p', { class: 'muted' }, inv.totalInWords),
    channelButtons(pay),
    h(
      'p',
      {},
      button('返回我的账单', () => ownerInvoices(), { class: 'secondary' }),
    ),
  );
}
