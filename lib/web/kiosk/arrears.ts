/**
 * The kiosk tells an owner 您有欠费 with the amount, and offers the overdue bills first: the banner's
 * button pays the oldest, and the list shows them before new bills, marked 已逾期.
 */
import { hasArrears, overdueFirst } from '../shared/arrears.js';
import { h } from '../shared/dom.js';
import { yuan } from '../shared/money.js';
import type { Invoice, Unit } from '../shared/types.js';

export function arrearsBanner(u: Unit, pay: (inv: Invoice) => void): HTMLElement | null {
  if (!hasArrears(u)) return null;
  const { overdue } = overdueFirst(u);
  const first = overdue[0];
  const b = first
    ? h(
        'button',
        { type: 'button', class: 'pay', 'data-action': 'pay-arrears' },
        `先缴欠费 ${yuan(first.total)}`,
      )
    : null;
  if (b && first) b.addEventListener('click', () => pay(first));
  return h(
    'div',
    { class: 'arrears', role: 'note', 'aria-label': '欠费提示' },
    h('p', {}, h('strong', {}, `您有欠费 ${yuan(u.arrears!.amount)}`)),
    h('p', { class: 'small' }, `最早一笔 ${u.arrears!.oldestDueDate} 到期,请先缴纳欠费。`),
    b,
  );
}

/** The open bills in the order the owner should pay them: overdue first. */
export function billsInOrder(u: Unit): { inv: Invoice; overdue: boolean }[] {
  const { overdue, rest } = overdueFirst(u);
  return [...overdue.map((inv) => ({ inv, overdue: true })), ...rest.map((inv) => ({ inv, overdue: false }))];
}
