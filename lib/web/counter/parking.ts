/**
 * 停车缴费 at the counter (F3): the cashier types a plate, the page finds the car's open stay and
 * its quote, takes cash (with the change the API computes) or a bank transfer with its reference,
 * and tells the driver the exit deadline. One Idempotency-Key per intended payment (PaymentAttempt).
 */
import { canonicalPlate, plateFormat } from '../../parking/plate.js';
import { ApiProblem } from '../shared/api.js';
import { PaymentAttempt } from '../shared/attempt.js';
import { whileBusy } from '../shared/busy.js';
import { byId, fill, h } from '../shared/dom.js';
import { clock, dateTime } from '../shared/format.js';
import { MESSAGES, PAYMENT_RETRY_HINT } from '../shared/messages.js';
import { changeSentence, normaliseAmount, toFen } from '../shared/money.js';
import type { Page, ParkingQuote, ParkingSession, Receipt } from '../shared/types.js';
import { type DeskDeps, type DeskScreen, input, onSubmit, REFERENCE_NAMES } from './desk.js';

/** Why a car leaves without paying, as the cashier tells the driver. */
const FREE_REASONS: Record<string, string> = {
  FREE_STAY: '仍在免费停车时段内,无需缴费',
  PAID: '已缴费,请在离场时限前离场',
  OWNED_SPACE: '本小区自有车位车辆,免费停放',
  RENTAL: '已租用车位,免费停放',
};

export function parkingScreen(deps: DeskDeps): DeskScreen {
  let quote: ParkingQuote | undefined;
  let attempt: PaymentAttempt<Receipt & { exitBy: string }> | undefined;

  function reset(): void {
    quote = undefined;
    attempt = undefined;
    fill(byId('parking-quote'));
    byId('parking-pay').hidden = true;
    byId('parking-change').textContent = '';
  }

  function toggleChannel(): void {
    const channel = byId<HTMLSelectElement>('parking-channel').value;
    const cash = channel === 'CASH';
    for (const id of ['parking-tendered', 'parking-tendered-label']) byId(id).hidden = !cash;
    for (const id of ['parking-reference', 'parking-reference-label']) byId(id).hidden = cash;
    byId('parking-reference-label').textContent = REFERENCE_NAMES[channel] ?? '';
  }

  async function find(): Promise<void> {
    deps.clearMessages();
    reset();
    const typed = input('parking-plate').value;
    // The page normalises as the API does (full-width, lower case, spaces and dots), then checks the format.
    const plate = canonicalPlate(typed);
    if (!plate) return deps.complain('请输入车牌号。');
    if (!plateFormat(plate)) return deps.complain(MESSAGES['INVALID_PLATE']!);
    input('parking-plate').value = plate;
    try {
      const page = await deps.api.call<Page<ParkingSession>>('GET', '/v1/parking/sessions', {
        query: { estateId: deps.estate(), plate },
      });
      const open = page.items[0];
      if (!open) return deps.complain(`${plate} 没有在场的停车记录,请核对车牌号。`);
      quote = await deps.api.call<ParkingQuote>(
        'GET',
        `/v1/parking/sessions/${encodeURIComponent(open.sessionId)}/quote`,
      );
    } catch (e) {
      return deps.complain(e);
    }
    render(quote);
  }

  function render(q: ParkingQuote): void {
    const due = toFen(q.amountDue) > 0n;
    fill(
      byId('parking-quote'),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, '车牌'),
        h('dd', { 'data-field': 'plate' }, q.plate),
        h('dt', {}, '入场时间'),
        h('dd', {}, dateTime(q.entryAt)),
        h('dt', {}, '停车时长'),
        h('dd', {}, q.duration),
        h('dt', {}, '已缴'),
        h('dd', { class: 'money' }, `${q.paid} 元`),
        q.exitBy ? [h('dt', {}, '离场时限'), h('dd', {}, dateTime(q.exitBy))] : null,
      ),
      due
        ? h(
            'p',
            { class: 'due' },
            '应收 ',
            h('strong', { class: 'money', 'data-field': 'parkingDue' }, q.amountDue),
            ' 元',
          )
        : h('p', { class: 'due', 'data-field': 'parkingDue' }, FREE_REASONS[q.reason] ?? '无需缴费'),
    );
    if (!due) return;
    attempt = new PaymentAttempt((key, rawBody) =>
      deps.api.call('POST', `/v1/parking/sessions/${encodeURIComponent(q.sessionId)}/payments`, {
        rawBody,
        idempotencyKey: key,
      }),
    );
    const form = byId('parking-pay');
    form.hidden = false;
    for (const c of form.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select'))
      c.disabled = false;
    byId('parking-pay-button').textContent = '收停车费';
    byId<HTMLSelectElement>('parking-channel').value = 'CASH';
    input('parking-tendered').value = '';
    input('parking-reference').value = '';
    toggleChannel();
    input('parking-tendered').focus();
  }

  async function pay(): Promise<void> {
    deps.clearMessages();
    if (!quote || !attempt) return;
    const channel = byId<HTMLSelectElement>('parking-channel').value;
    let body: Record<string, string>;
    if (channel === 'CASH') {
      const typed = input('parking-tendered').value;
      const tendered = normaliseAmount(typed);
      if (!typed.trim()) return deps.complain('请输入收取现金金额。');
      if (!tendered) return deps.complain(MESSAGES['INVALID_MONEY']!);
      if (toFen(tendered) < toFen(quote.amountDue)) return deps.complain(MESSAGES['TENDERED_TOO_LOW']!);
      body = { channel, amount: quote.amountDue, tendered, at: quote.at };
    } else {
      const reference = input('parking-reference').value.trim();
      if (!reference) return deps.complain(`请填写${REFERENCE_NAMES[channel]}。`);
      body = { channel, amount: quote.amountDue, reference, at: quote.at };
    }
    let r: Receipt & { exitBy: string };
    try {
      r = await attempt.submit(body);
    } catch (e) {
      if (e instanceof ApiProblem && e.outcomeUnknown) {
        for (const c of byId('parking-pay').querySelectorAll<HTMLInputElement | HTMLSelectElement>(
          'input, select',
        ))
          c.disabled = true;
        // Same key, same body on the retry: the inputs stay frozen until the outcome is known.
        byId('parking-pay-button').textContent = '重试收款';
        return deps.complain(e, PAYMENT_RETRY_HINT);
      }
      return deps.complain(e);
    }
    attempt = undefined;
    byId('parking-pay').hidden = true;
    const paid = r.channel === 'CASH' ? changeSentence(r) : `已收${r.amount}元`;
    fill(
      byId('parking-change'),
      h('span', { 'data-field': 'parkingChange' }, paid),
      h('br'),
      h('span', { 'data-field': 'exitBy' }, `请在 ${clock(r.exitBy)} 前离场`),
    );
    deps.say(`停车费已收,收据号 ${r.receiptNo}。`);
  }

  byId('parking-channel').addEventListener('change', toggleChannel);
  onSubmit(
    'parking-find',
    () => void whileBusy(byId('parking-find-button') as HTMLButtonElement, '正在查询…', find),
  );
  onSubmit(
    'parking-pay',
    () => void whileBusy(byId('parking-pay-button') as HTMLButtonElement, '正在收款…', pay),
  );

  return {
    section: 'parking',
    open() {
      reset();
      byId('parking').hidden = false;
      input('parking-plate').value = '';
      input('parking-plate').focus();
    },
    close() {
      reset();
      byId('parking').hidden = true;
    },
  };
}
