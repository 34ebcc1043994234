/**
 * 车位租赁 at the counter (F4): plate, kind of space, first day and months → the rental invoice
 * (billed to the vehicle, not to a flat), paid through the counter's own pay dialog. Once paid the
 * plate parks free over the rented months (SPEC.md §4.2).
 *
 * One Idempotency-Key per opening of the screen (a PaymentAttempt): a double Enter joins the request
 * in flight, and after a lost answer the form freezes and 重试开具 resends the same key and bytes, so
 * the API replays the first rental instead of billing another. A refusal or a success starts a new key.
 */
import { canonicalPlate, plateFormat } from '../../parking/plate.js';
import { ApiProblem } from '../shared/api.js';
import { PaymentAttempt } from '../shared/attempt.js';
import { whileBusy } from '../shared/busy.js';
import { byId, fill, h } from '../shared/dom.js';
import { RENTAL_KIND_NAMES } from '../shared/format.js';
import { ISSUE_RETRY_HINT, MESSAGES } from '../shared/messages.js';
import type { Invoice } from '../shared/types.js';
import { type DeskDeps, type DeskScreen, input, onSubmit, today } from './desk.js';

export function rentalScreen(deps: DeskDeps): DeskScreen {
  let attempt: PaymentAttempt<Invoice> | undefined;
  const newAttempt = () =>
    new PaymentAttempt<Invoice>((key, rawBody) =>
      deps.api.call<Invoice>('POST', '/v1/parking/rentals', { rawBody, idempotencyKey: key }),
    );
  /** While an outcome is unknown the choices are fixed: the retry sends what was first sent. */
  function freeze(frozen: boolean): void {
    for (const id of ['rental-plate', 'rental-kind', 'rental-start', 'rental-months'])
      byId<HTMLInputElement>(id).disabled = frozen;
    byId('rental-button').textContent = frozen ? '重试开具' : '开具租赁账单';
  }

  async function rent(): Promise<void> {
    deps.clearMessages();
    const plate = canonicalPlate(input('rental-plate').value);
    if (!plate) return deps.complain('请输入车牌号。');
    if (!plateFormat(plate)) return deps.complain(MESSAGES['INVALID_PLATE']!);
    input('rental-plate').value = plate;
    const startDate = input('rental-start').value;
    if (!startDate) return deps.complain('请选择租用开始日期。');
    const months = Number(input('rental-months').value);
    if (!Number.isInteger(months) || months < 1 || months > 120)
      return deps.complain('请填写租用月数(1 至 120 个月)。');
    attempt ??= newAttempt();
    let inv: Invoice;
    try {
      inv = await attempt.submit({
        estateId: deps.estate(),
        plate,
        rentalKind: byId<HTMLSelectElement>('rental-kind').value,
        startDate,
        months,
      });
    } catch (e) {
      if (e instanceof ApiProblem && e.outcomeUnknown) {
        freeze(true);
        return deps.complain(e, ISSUE_RETRY_HINT);
      }
      return deps.complain(e);
    }
    // Billed: another rental from this screen is another request under a new key.
    attempt = newAttempt();
    freeze(false);
    deps.say(`已开具车位租赁账单 ${inv.invoiceNo},金额 ${inv.total} 元。`);
    deps.openPay(inv);
  }

  fill(
    byId('rental-kind'),
    Object.entries(RENTAL_KIND_NAMES).map(([k, zh]) => h('option', { value: k }, zh)),
  );
  onSubmit('rental-form', () => void whileBusy(byId<HTMLButtonElement>('rental-button'), '正在开具…', rent));

  return {
    section: 'rental',
    open() {
      attempt = newAttempt();
      freeze(false);
      byId('rental').hidden = false;
      input('rental-plate').value = '';
      input('rental-start').value ||= today();
      input('rental-months').value ||= '1';
      input('rental-plate').focus();
    },
    close() {
      attempt = undefined;
      byId('rental').hidden = true;
    },
  };
}
