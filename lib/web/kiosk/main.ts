/**
 * The self-service kiosk (自助缴费机): a touch screen in the lobby or at the car park exit. Owners
 * sign in and pay their own invoices; anyone enters a plate and pays the temporary-parking fee,
 * then sees the time by which the car must leave. The fee policy is one tap away.
 *
 * The kiosk holds its own device token (role `kiosk`: parking and tariffs); an owner's token is
 * kept in memory only and forgotten after a short idle time, since the next person at the screen
 * is someone else.
 */

import { CHANNEL_TYPES, KIOSK_CHANNELS } from '../../fee-types/catalog.js';
import { Api, ApiProblem, loadConfig, sentenceFor, type WebConfig } from '../shared/api.js';
import type { PaymentAttempt } from '../shared/attempt.js';
import { whileBusy } from '../shared/busy.js';
import { expired, readClaims, type TokenClaims } from '../shared/claims.js';
import { byId, type Child, fill, h } from '../shared/dom.js';
import {
  channelName,
  clock,
  dateTime,
  dayBefore,
  feeName,
  minutesText,
  periodText,
  RENTAL_KIND_NAMES,
  UNIT_TYPE_NAMES,
} from '../shared/format.js';
import { MESSAGES, PAYMENT_RETRY_HINT } from '../shared/messages.js';
import { yuan } from '../shared/money.js';
import type {
  Invoice,
  Page,
  ParkingQuote,
  ParkingSession,
  Receipt,
  TariffVersion,
  Unit,
} from '../shared/types.js';
import { arrearsBanner, billsInOrder } from './arrears.js';
import { orderAttempt, type PaymentOrder, PROVIDER_OF, showOrder } from './pay-order.js';
import { loadPriceBoard, priceBoardScreen } from './price-board.js';

const DEVICE_TOKEN_KEY = 'kiosk.deviceToken';
const TERMINAL_KEY = 'kiosk.terminalId';
const IDLE_MS = 120_000;

/** Wallets first, as most owners scan with WeChat or Alipay; any other kiosk channel follows. */
const WALLETS_FIRST: readonly string[] = ['KIOSK_WECHAT', 'KIOSK_ALIPAY'];
const buttonRank = (c: string) =>
  WALLETS_FIRST.includes(c) ? WALLETS_FIRST.indexOf(c) : WALLETS_FIRST.length;
// Only the wallets a provider confirms (issue 21); KIOSK_CARD waits for a card acquirer.
const KIOSK_BUTTONS = KIOSK_CHANNELS.filter((c) => c in PROVIDER_OF).sort(
  (a, b) => buttonRank(a) - buttonRank(b),
);

/** Parking payment refusals that a fresh quote resolves. */
const REQUOTE = new Set(['QUOTE_EXPIRED', 'AMOUNT_MISMATCH', 'ALREADY_PAID', 'AT_IN_FUTURE']);

/** Plate provinces for the on-screen keyboard (a touch screen has no Chinese input method). */
const PROVINCES = '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼';
const PLATE_KEYS = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';

let config: WebConfig;
let deviceToken: string | undefined;
let device: TokenClaims | undefined;
let ownerToken: string | undefined;
let owner: TokenClaims | undefined;
let idleTimer: ReturnType<typeof setTimeout> | undefined;

let deviceApi: Api;
let ownerApi: Api;

const screen = () => byId('screen');
const estateId = () => config.estateId ?? device?.estates[0] ?? '';
const terminalId = () => localStorage.getItem(TERMINAL_KEY) ?? config.terminalId ?? 'KIOSK';

function complain(e: unknown, extra = ''): void {
  byId('notice').textContent = '';
  const p = byId('problem');
  p.textContent = `${typeof e === 'string' ? e : sentenceFor(e)}${extra}`;
  p.hidden = false;
}

function clearMessages(): void {
  byId('notice').textContent = '';
  byId('problem').hidden = true;
}

function show(name: string, ...children: (Child | Child[])[]): void {
  clearMessages();
  const main = screen();
  main.dataset['screen'] = name;
  fill(main, ...children);
  byId('home').hidden = name === 'home' || name === 'setup';
  main.querySelector<HTMLElement>('[autofocus]')?.focus();
  window.scrollTo(0, 0);
}

function button(
  label: string,
  onTap: (b: HTMLButtonElement) => Promise<void> | void,
  attrs: Record<string, string> = {},
) {
  const b = h('button', { type: 'button', ...attrs }, label);
  b.addEventListener('click', () => void onTap(b));
  return b;
}

/** A busy button whose press also locks its siblings (one payment channel at a time). */
function lockGroup(group: HTMLElement, b: HTMLButtonElement, label: string, work: () => Promise<void>) {
  const others = [...group.querySelectorAll('button')].filter((x) => x !== b);
  for (const o of others) o.disabled = true;
  return whileBusy(b, label, work).finally(() => {
    for (const o of others) o.disabled = false;
  });
}

function resetIdle(): void {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    forgetOwner();
    if (deviceToken) home();
  }, IDLE_MS);
}

function forgetOwner(): void {
  ownerToken = undefined;
  owner = undefined;
}

// ---- setup and home ---------------------------------------------------------------------------

function setup(): void {
  const tokenField = h('textarea', { id: 'device-token', rows: 4, autocomplete: 'off', spellcheck: 'false' });
  const terminal = h('input', { id: 'terminal-id', autocomplete: 'off', maxlength: 20, value: terminalId() });
  const save = h('button', { type: 'submit' }, '保存设置');
  const form = h(
    'form',
    { class: 'stack' },
    h('label', { for: 'device-token' }, '终端令牌'),
    tokenField,
    h('label', { for: 'terminal-id' }, '终端编号'),
    terminal,
    h('p', { class: 'muted small' }, '本地开发:终端令牌即 npm start 输出中 kiosk 一行的令牌。'),
    save,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void whileBusy(save, '正在保存…', async () => {
      const raw = tokenField.value.trim();
      const c = readClaims(raw);
      if (!c || expired(c) || !c.roles.includes('kiosk'))
        return complain('这不是有效的自助机终端令牌,请向管理员索取。');
      const t = terminal.value.trim();
      if (!/^[A-Za-z0-9_-]{1,20}$/.test(t)) return complain('终端编号只能包含字母、数字、横线和下划线。');
      deviceToken = raw;
      device = c;
      try {
        await deviceApi.call('GET', `/v1/estates/${encodeURIComponent(estateId())}/tariffs`);
      } catch (err) {
        deviceToken = undefined;
        device = undefined;
        return complain(err);
      }
      localStorage.setItem(DEVICE_TOKEN_KEY, raw);
      localStorage.setItem(TERMINAL_KEY, t);
      home();
    });
  });
  show('setup', h('h2', {}, '自助机设置'), form);
}

function home(): void {
  forgetOwner();
  const tile = (zh: string, en: string, onTap: () => void, extra = '') => {
    const b = h(
      'button',
      { type: 'button', class: `tile ${extra}`.trim(), 'aria-label': zh },
      h('span', {}, zh),
    );
    b.append(h('span', { class: 'en', lang: 'en' }, en));
    b.addEventListener('click', onTap);
    return b;
  };
  show(
    'home',
    h(
      'nav',
      { class: 'tiles', 'aria-label': '请选择业务' },
      tile('缴纳物业账单', 'Pay my property bills', () => ownerSignIn()),
      tile('临时停车缴费', 'Pay for parking', () => parking()),
      tile('查看收费标准', 'Fee policy', () => void tariffs(), 'secondary'),
      tile('明码标价', 'Price board', () => void priceBoard(), 'secondary'),
    ),
    h(
      'p',
      { class: 'setup-link' },
      button('终端设置', () => setup(), { class: 'link' }),
    ),
  );
}

// ---- owners' invoices -------------------------------------------------------------------------

function ownerSignIn(): void {
  const field = h('textarea', {
    id: 'owner-token',
    rows: 3,
    autocomplete: 'off',
    spellcheck: 'false',
    autofocus: true,
  });
  const go = h('button', { type: 'submit' }, '登录');
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
      ownerToken = raw;
      owner = c;
      await ownerInvoices();
    });
  });
  show('owner-sign-in', h('h2', {}, '业主登录'), form);
}

async function ownerInvoices(): Promise<void> {
  if (!owner) return ownerSignIn();
  let units: Unit[];
  try {
    units = await Promise.all(
      owner.units.map((u) => ownerApi.call<Unit>('GET', `/v1/units/${encodeURIComponent(u)}`)),
    );
  } catch (e) {
    if (e instanceof ApiProblem && e.status === 401) forgetOwner();
    return complain(e);
  }
  const cards = units.map((u) => {
    const open = billsInOrder(u);
    return h(
      'section',
      { class: 'card', 'aria-label': `${u.building} ${u.room}` },
      h('h3', {}, `${u.building} ${u.room}`),
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
    h('h2', {}, '我的账单'),
    units.length ? cards : h('p', {}, '您的账号下没有房屋,请到服务台核对。'),
    h(
      'p',
      {},
      button('退出登录', () => home(), { class: 'secondary' }),
    ),
  );
}

function channelButtons(onPay: (channel: string, b: HTMLButtonElement, group: HTMLElement) => Promise<void>) {
  const group = h('div', { class: 'channels', role: 'group', 'aria-label': '选择付款方式' });
  for (const c of KIOSK_BUTTONS) {
    const b = h('button', { type: 'button', class: 'channel', 'data-channel': c }, CHANNEL_TYPES[c].button);
    b.addEventListener('click', () => void onPay(c, b, group));
    group.append(b);
  }
  return group;
}

/** One order attempt per wallet per visit to a pay screen: a double tap or a retry reuses its key. */
function attemptsFor(api: Api): (channel: string) => PaymentAttempt<PaymentOrder> {
  const attempts = new Map<string, PaymentAttempt<PaymentOrder>>();
  return (channel) => {
    const a = attempts.get(channel) ?? orderAttempt(api);
    attempts.set(channel, a);
    return a;
  };
}

/** The QR screen of an order; `paid` shows the receipt once the provider has confirmed. */
function orderScreen(
  o: PaymentOrder,
  api: Api,
  onPaid: (r: Receipt) => Promise<void> | void,
  back: () => void,
) {
  showOrder(o, {
    api,
    show,
    complain: (e) => complain(e),
    current: () => screen().dataset['screen'],
    paid: onPaid,
    back,
  });
}

function payInvoice(inv: Invoice): void {
  const attempt = attemptsFor(ownerApi);
  const group = channelButtons((channel, b, g) =>
    lockGroup(g, b, '正在生成付款码…', async () => {
      try {
        const o = await attempt(channel).submit({
          invoiceId: inv.invoiceId,
          provider: PROVIDER_OF[channel],
          terminalId: terminalId(),
        });
        orderScreen(
          o,
          ownerApi,
          (r) => paid(r, h('p', {}, '可在服务台补打纸质收据。')),
          () => payInvoice(inv),
        );
      } catch (e) {
        complain(e, e instanceof ApiProblem && e.outcomeUnknown ? PAYMENT_RETRY_HINT : '');
      }
    }),
  );
  show(
    'pay-invoice',
    h('h2', {}, '确认缴费'),
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
    group,
    h(
      'p',
      {},
      button('返回我的账单', () => ownerInvoices(), { class: 'secondary' }),
    ),
  );
}

function paid(r: Receipt & { exitBy?: string }, ...extra: (Child | Child[])[]): void {
  show(
    'paid',
    h('h2', { class: 'ok' }, '支付成功'),
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
        ? [h('dt', {}, '房屋'), h('dd', { 'data-field': 'address' }, `${r.building} ${r.room ?? ''}`.trim())]
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
      button('完成', () => home()),
    ),
  );
}

// ---- parking ----------------------------------------------------------------------------------

function parking(): void {
  const plate = h('input', {
    id: 'plate',
    class: 'plate',
    autocomplete: 'off',
    maxlength: 10,
    placeholder: '粤B12345',
    autofocus: true,
  });
  const find = h('button', { type: 'submit' }, '查询停车费');
  const form = h('form', { class: 'stack' }, h('label', { for: 'plate' }, '车牌号'), plate, find);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void whileBusy(find, '正在查询…', () => findSession(plate.value));
  });
  const key = (k: string, label = k) =>
    button(
      label,
      () => {
        plate.value =
          k === 'DEL' ? plate.value.slice(0, -1) : k === 'CLR' ? '' : `${plate.value}${k}`.slice(0, 10);
      },
      {
        class: 'key',
        ...(k === 'DEL' ? { 'aria-label': '删除一个字' } : k === 'CLR' ? { 'aria-label': '清空车牌' } : {}),
      },
    );
  show(
    'parking',
    h('h2', {}, '临时停车缴费'),
    form,
    h(
      'div',
      { class: 'keyboard', role: 'group', 'aria-label': '车牌键盘' },
      h(
        'div',
        { class: 'keys provinces' },
        [...PROVINCES].map((p) => key(p)),
      ),
      h(
        'div',
        { class: 'keys' },
        [...PLATE_KEYS].map((p) => key(p)),
        key('DEL', '⌫'),
        key('CLR', '清空'),
      ),
    ),
  );
}

async function findSession(typed: string): Promise<void> {
  const plate = typed.replace(/[\s.\-·]/g, '').toUpperCase();
  if (!plate) return complain('请输入车牌号。');
  try {
    const page = await deviceApi.call<Page<ParkingSession>>('GET', '/v1/parking/sessions', {
      query: { estateId: estateId(), plate },
    });
    const session = page.items[0];
    if (!session) return complain(`没有找到车牌 ${plate} 的在场停车记录,请核对车牌号。`);
    await parkingQuote(session.sessionId);
  } catch (e) {
    complain(e);
  }
}

async function parkingQuote(sessionId: string): Promise<void> {
  let q: ParkingQuote;
  try {
    q = await deviceApi.call<ParkingQuote>(
      'GET',
      `/v1/parking/sessions/${encodeURIComponent(sessionId)}/quote`,
    );
  } catch (e) {
    return complain(e);
  }
  const due = q.amountDue !== '0.00';
  const why: Record<ParkingQuote['reason'], string> = {
    FREE_STAY: '目前仍在免费时段内,无需缴费,请直接离场。',
    PAID: `已缴费,请在 ${q.exitBy ? clock(q.exitBy) : '规定时间'} 前离场。`,
    OWNED_SPACE: '本车在本小区有登记车位,免费停放,无需缴费。',
    RENTAL: '本车在本小区租有车位,免费停放,无需缴费。',
    PAYMENT_DUE: '',
  };
  let body: Child | Child[] = h('p', { class: 'exit-note' }, why[q.reason]);
  if (due) {
    // The order prices the stay when it is made; the provider's confirmation pays exactly that.
    const attempt = attemptsFor(deviceApi);
    body = [
      channelButtons((channel, b, g) =>
        lockGroup(g, b, '正在生成付款码…', async () => {
          try {
            const o = await attempt(channel).submit({
              sessionId: q.sessionId,
              provider: PROVIDER_OF[channel],
              terminalId: terminalId(),
            });
            if (o.amount !== q.amountDue) {
              // Time moved the stay into another band since the quote: show today's figure first.
              await parkingQuote(q.sessionId);
              if (screen().dataset['screen'] === 'parking-quote') complain(MESSAGES['QUOTE_EXPIRED']!);
              return;
            }
            orderScreen(
              o,
              deviceApi,
              async (r) => {
                const after = await deviceApi.call<ParkingQuote>(
                  'GET',
                  `/v1/parking/sessions/${encodeURIComponent(q.sessionId)}/quote`,
                );
                paid(
                  { ...r, ...(after.exitBy ? { exitBy: after.exitBy } : {}) },
                  h('p', {}, '出口道闸将自动识别车牌放行。'),
                );
              },
              () => void parkingQuote(q.sessionId),
            );
          } catch (e) {
            if (e instanceof ApiProblem && REQUOTE.has(e.rule) && !e.outcomeUnknown) {
              // The quote went stale (time passed, or another terminal paid): show today's figure.
              await parkingQuote(q.sessionId);
              if (screen().dataset['screen'] === 'parking-quote') complain(e);
              return;
            }
            complain(e, e instanceof ApiProblem && e.outcomeUnknown ? PAYMENT_RETRY_HINT : '');
          }
        }),
      ),
      h('p', { class: 'muted' }, '支付成功后将显示最晚离场时间。'),
    ];
  }
  show(
    'parking-quote',
    h('h2', {}, '停车费用'),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, '车牌'),
      h('dd', { 'data-field': 'plate' }, q.plate),
      h('dt', {}, '入场时间'),
      h('dd', {}, dateTime(q.entryAt)),
      h('dt', {}, '停车时长'),
      h('dd', { 'data-field': 'duration' }, q.duration),
      h('dt', {}, '停车费'),
      h('dd', { class: 'money' }, `${q.fee} 元`),
      h('dt', {}, '计费档次'),
      h('dd', { 'data-field': 'band' }, bandText(q)),
      q.paid !== '0.00' ? [h('dt', {}, '已付'), h('dd', { class: 'money' }, `${q.paid} 元`)] : null,
    ),
    h(
      'p',
      { class: 'big-amount' },
      '应付 ',
      h('strong', { class: 'money', 'data-field': 'amount' }, yuan(q.amountDue)),
    ),
    body,
    h(
      'p',
      {},
      button('查看收费标准', () => tariffs(), { class: 'secondary' }),
    ),
  );
}

/** Which part of the fee policy the stay hit: full days, then the band of the remainder. */
function bandText(q: ParkingQuote): string {
  const days = q.fullDays > 0 ? `满24小时 ${q.fullDays} 次` : '';
  const band = q.band
    ? `${minutesText(q.band.upToMinutes)}以内档 ${q.band.amount} 元`
    : days
      ? ''
      : '免费时段';
  return [days, band].filter(Boolean).join(' + ');
}

// ---- fee policy -------------------------------------------------------------------------------

function beijingToday(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
}

function tariffTables(v: TariffVersion): Child[] {
  const row = (name: string, price: string) =>
    h('tr', {}, h('th', { scope: 'row' }, name), h('td', { class: 'money' }, price));
  const table = (caption: string, rows: HTMLElement[]) =>
    h('table', {}, h('caption', {}, caption), h('tbody', {}, rows));
  const bands = v.tempParkingBands;
  const last = bands[bands.length - 1];
  let from = 0;
  const bandRows = bands.map((b) => {
    // Bands are upper-inclusive (SPEC.md §4.2): "超过2小时,4小时以内".
    const name =
      from === 0
        ? `${minutesText(b.upToMinutes)}以内`
        : `超过${minutesText(from)},${minutesText(b.upToMinutes)}以内`;
    from = b.upToMinutes;
    return row(name, b.amount === '0.00' ? '免费' : `${b.amount} 元/次`);
  });
  return [
    table(
      `${feeName('PROPERTY_FEE')}(按年预缴)`,
      // The catalog's order (高层 first), whatever order the stored map comes back in.
      [...new Set([...Object.keys(UNIT_TYPE_NAMES), ...Object.keys(v.rates.PROPERTY_FEE)])]
        .filter((type) => v.rates.PROPERTY_FEE[type] !== undefined)
        .map((type) =>
          row(
            UNIT_TYPE_NAMES[type as keyof typeof UNIT_TYPE_NAMES] ?? type,
            `${v.rates.PROPERTY_FEE[type]} 元/㎡/月`,
          ),
        ),
    ),
    table('车位', [
      row(
        `${feeName('PARKING_SPACE_FEE')}(自有或使用权车位,按年预缴)`,
        `${v.rates.PARKING_SPACE_FEE} 元/个/月`,
      ),
      ...Object.entries(v.rates.PARKING_RENTAL).map(([kind, rate]) =>
        row(
          `${feeName('PARKING_RENTAL')}:${RENTAL_KIND_NAMES[kind as keyof typeof RENTAL_KIND_NAMES] ?? kind}`,
          `${rate} 元/辆/月`,
        ),
      ),
    ]),
    table(`${feeName('TEMP_PARKING')}(每次)`, [
      ...bandRows,
      ...(last
        ? [
            row(
              `超过${minutesText(last.upToMinutes)}`,
              `每满${minutesText(last.upToMinutes)} ${last.amount} 元,余下时间按上表`,
            ),
          ]
        : []),
    ]),
    table('装修', [
      row(feeName('RENOVATION_WASTE'), `${v.rates.RENOVATION_WASTE} 元/㎡`),
      row(`${feeName('RENOVATION_DEPOSIT')}(完工验收后无息退还)`, `${v.rates.RENOVATION_DEPOSIT} 元/户`),
      row(feeName('RENOVATION_CARDS'), `${v.rates.RENOVATION_CARDS} 元/张`),
      ...(v.rates.CARD_DEPOSIT !== '0.00'
        ? [row(`${feeName('CARD_DEPOSIT')}(可退)`, `${v.rates.CARD_DEPOSIT} 元/张`)]
        : []),
    ]),
    h(
      'p',
      { class: 'muted small' },
      `依据:${v.approvalRef};自 ${v.effectiveFrom} 起执行。停车时长按整分钟计,不足一分钟不计。`,
    ),
  ];
}

async function tariffs(): Promise<void> {
  let versions: TariffVersion[];
  try {
    versions = (
      await deviceApi.call<{ items: TariffVersion[] }>(
        'GET',
        `/v1/estates/${encodeURIComponent(estateId())}/tariffs`,
      )
    ).items;
  } catch (e) {
    return complain(e);
  }
  const today = beijingToday();
  const current = versions.find((v) => v.effectiveFrom <= today);
  const upcoming = versions.filter((v) => v.effectiveFrom > today).reverse();
  show(
    'tariffs',
    h('h2', {}, '收费标准'),
    current ? tariffTables(current) : h('p', {}, '本小区的收费标准正在更新,请向服务台咨询。'),
    upcoming.map((v) =>
      h(
        'section',
        { class: 'card', 'aria-label': `${v.effectiveFrom} 起执行的新标准` },
        h('h3', {}, `新标准:${v.effectiveFrom} 起执行(${v.noticeDate} 公示)`),
        tariffTables(v),
      ),
    ),
  );
}

async function priceBoard(): Promise<void> {
  try {
    show('price-board', priceBoardScreen(await loadPriceBoard(deviceApi, estateId())));
  } catch (e) {
    complain(e);
  }
}

// ---- start ------------------------------------------------------------------------------------

async function main(): Promise<void> {
  config = await loadConfig();
  deviceApi = new Api(config.apiBaseUrl, () => deviceToken);
  ownerApi = new Api(config.apiBaseUrl, () => ownerToken);
  byId('home').addEventListener('click', () => home());
  for (const ev of ['pointerdown', 'keydown']) document.addEventListener(ev, resetIdle, { passive: true });
  const saved = localStorage.getItem(DEVICE_TOKEN_KEY);
  const c = saved ? readClaims(saved) : undefined;
  if (saved && c && !expired(c) && c.roles.includes('kiosk')) {
    deviceToken = saved;
    device = c;
    home();
  } else {
    setup();
  }
  document.body.dataset['ready'] = 'true';
}

void main();
