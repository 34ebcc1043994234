/**
 * The counter's arrears banner: above the issue form (new bills), in red, the unit's overdue amount
 * and its oldest due date, and a button that takes the oldest overdue bill to 收款 first — arrears
 * never block issuing, but the cashier is offered to settle them before anything new.
 */
import { hasArrears, overdueFirst } from '../shared/arrears.js';
import { fill, h } from '../shared/dom.js';
import type { Invoice, Unit } from '../shared/types.js';

export function renderArrears(box: HTMLElement, u: Unit, onPay: (inv: Invoice) => void): void {
  if (!hasArrears(u)) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  const a = u.arrears!;
  const { overdue } = overdueFirst(u);
  box.hidden = false;
  fill(
    box,
    h(
      'p',
      {},
      h('strong', {}, '欠费 '),
      h('strong', { class: 'money', 'data-field': 'arrears' }, a.amount),
      ' 元',
      a.oldestDueDate
        ? `(最早 ${a.oldestDueDate} 到期,已逾期 ${a.daysOverdue} 天,共 ${overdue.length} 张账单)`
        : '',
    ),
    overdue[0]
      ? h(
          'button',
          { type: 'button', id: 'pay-arrears', onclick: () => onPay(overdue[0]!) },
          `先收欠费 ${overdue[0].invoiceNo}`,
        )
      : null,
  );
}

/** Marks the overdue rows of the invoice table (the table lists them first). */
export function markOverdue(table: HTMLElement, u: Unit): void {
  const overdue = new Set(u.arrears?.invoiceNos ?? []);
  for (const row of table.querySelectorAll<HTMLElement>('tr[data-invoice]')) {
    if (overdue.has(row.dataset['invoice'] ?? '')) row.classList.add('overdue');
  }
}
