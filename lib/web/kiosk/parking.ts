/**
 * Temporary parking at the kiosk: the plate on an on-screen keyboard (a touch screen has no Chinese
 * input method), the stay's fee and band, payment by QR code, then the time by which the car must
 * leave. A stale quote is priced again, never charged at the old figure.
 */
import { ApiProblem } from '../shared/api.js';
import { whileBusy } from '../shared/busy.js';
import { type Child, h } from '../shared/dom.js';
import { clock, dateTime, minutesText } from '../shared/format.js';
import { MESSAGES } from '../shared/messages.js';
import { yuan } from '../shared/money.js';
import type { Page, ParkingQuote, ParkingSession } from '../shared/types.js';
import { attemptsFor, channelButtons, orderScreen, paid, payWith } from './checkout.js';
import { estateId, k, nav, terminalId } from './state.js';
import { button, complain, current, show, title } from './ui.js';

/** Parking payment refusals that a fresh quote resolves. */
const REQUOTE = new Set(['QUOTE_EXPIRED', 'AMOUNT_MISMATCH', 'ALREADY_PAID', 'AT_IN_FUTURE']);

/** Plate provinces for the on-screen keyboard. */
const PROVINCES = '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼';
const PLATE_KEYS = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';

export function parking(): void {
  const plate = h('input', {
    id: 'plate',
    class: 'plate',
    autocomplete: 'off',
    maxlength: 10,
    placeholder: '粤B12345',
    autofocus: true,
  });
  const find = h('button', { type: 'submit', class: 'wide' }, '查询停车费');
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
    title('临时停车缴费', 'Pay for parking'),
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
    const page = await k.deviceApi.call<Page<ParkingSession>>('GET', '/v1/parking/sessions', {
      query: { estateId: estateId(), plate },
    });
    const session = page.items[0];
    if (!session) return complain(`没有找到车牌 ${plate} 的在场停车记录,请核对车牌号。`);
    await parkingQuote(session.sessionId);
  } catch (e) {
    complain(e);
  }
}

const quoteOf = (sessionId: string) =>
  k.deviceApi.call<ParkingQuote>('GET', `/v1/parking/sessions/${encodeURIComponent(sessionId)}/quote`);

/** Shows today's figure again and says why (the stay moved into another band, another terminal paid). */
async function requote(sessionId: string, why: unknown): Promise<void> {
  await parkingQuote(sessionId);
  if (current() === 'parking-quote') complain(why);
}

export async function parkingQuote(sessionId: string): Promise<void> {
  let q: ParkingQuote;
  try {
    q = await quoteOf(sessionId);
  } catch (e) {
    const unknown = e instanceof ApiProblem && e.outcomeUnknown;
    return complain(e, '', unknown ? () => void parkingQuote(sessionId) : undefined);
  }
  const why: Record<ParkingQuote['reason'], string> = {
    FREE_STAY: '目前仍在免费时段内,无需缴费,请直接离场。',
    PAID: `已缴费,请在 ${q.exitBy ? clock(q.exitBy) : '规定时间'} 前离场。`,
    OWNED_SPACE: '本车在本小区有登记车位,免费停放,无需缴费。',
    RENTAL: '本车在本小区租有车位,免费停放,无需缴费。',
    PAYMENT_DUE: '',
  };
  let body: Child | Child[] = h('p', { class: 'exit-note' }, why[q.reason]);
  if (q.amountDue !== '0.00') {
    // The order prices the stay when it is made; the provider's confirmation pays exactly that.
    const pay = payWith(
      attemptsFor(k.deviceApi),
      { sessionId: q.sessionId, terminalId: terminalId() },
      async (o) => {
        // Time moved the stay into another band since the quote: show today's figure first.
        if (o.amount !== q.amountDue) return requote(q.sessionId, MESSAGES['QUOTE_EXPIRED']!);
        orderScreen(
          o,
          k.deviceApi,
          async (r) => {
            const after = await quoteOf(q.sessionId);
            paid(
              { ...r, ...(after.exitBy ? { exitBy: after.exitBy } : {}) },
              h('p', {}, '出口道闸将自动识别车牌放行。'),
            );
          },
          () => void parkingQuote(q.sessionId),
        );
      },
      async (e) => {
        if (!(e instanceof ApiProblem && REQUOTE.has(e.rule) && !e.outcomeUnknown)) return false;
        // The quote went stale (time passed, or another terminal paid): show today's figure.
        await requote(q.sessionId, e);
        return true;
      },
    );
    body = [channelButtons(pay), h('p', { class: 'muted' }, '支付成功后将显示最晚离场时间。')];
  }
  show(
    'parking-quote',
    title('停车费用', 'Parking fee'),
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
      button('查看收费标准', () => nav.tariffs(), { class: 'secondary' }),
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
