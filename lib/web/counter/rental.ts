/**
 * 车位租赁 at the counter (F4): plate, kind of space, first day and months → the rental invoice
 * (billed to the vehicle, not to a flat), paid through the counter's own pay dialog. Once paid the
 * plate parks free over the rented months (SPEC.md §4.2).
 */
import { canonicalPlate, plateFormat } from '../../parking/plate.js';
import { whileBusy } from '../shared/busy.js';
import { byId, fill, h } from '../shared/dom.js';
import { RENTAL_KIND_NAMES } from '../shared/format.js';
import { MESSAGES } from '../shared/messages.js';
import type { Invoice } from '../shared/types.js';
import { type DeskDeps, type DeskScreen, input, onSubmit, today } from './desk.js';

export function rentalScreen(deps: DeskDeps): DeskScreen {
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
    let inv: Invoice;
    try {
      inv = await deps.api.call<Invoice>('POST', '/v1/parking/rentals', {
        body: {
          estateId: deps.estate(),
          plate,
          rentalKind: byId<HTMLSelectElement>('rental-kind').value,
          startDate,
          months,
        },
      });
    } catch (e) {
      return deps.complain(e);
    }
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
      byId('rental').hidden = false;
      input('rental-plate').value = '';
      input('rental-start').value ||= today();
      input('rental-months').value ||= '1';
      input('rental-plate').focus();
    },
    close() {
      byId('rental').hidden = true;
    },
  };
}
