/** The open flat's unpaid bills as a table, each with 收款 and 作废 (moved out of main.ts). */
import { h } from '../shared/dom.js';
import { feeName, STATUS_NAMES } from '../shared/format.js';
import type { Invoice } from '../shared/types.js';

export function openBillsTable(
  open: Invoice[],
  act: { pay: (inv: Invoice) => void; void: (inv: Invoice) => void },
): HTMLTableElement {
  return h(
    'table',
    { class: 'invoice-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, '账单号'),
        h('th', {}, '项目'),
        h('th', { class: 'money' }, '金额(元)'),
        h('th', {}, '到期日'),
        h('th', {}, h('span', { class: 'visually-hidden' }, '操作')),
      ),
    ),
    h(
      'tbody',
      {},
      open.map((inv) =>
        h(
          'tr',
          { 'data-invoice': inv.invoiceNo },
          h(
            'td',
            {},
            inv.invoiceNo,
            h('br'),
            h('span', { class: 'muted' }, STATUS_NAMES[inv.status] ?? inv.status),
          ),
          h(
            'td',
            {},
            inv.lines.map((l) => h('div', {}, `${feeName(l.type)}${l.period ? ` ${l.period.start}起` : ''}`)),
          ),
          h('td', { class: 'money' }, inv.total),
          h('td', {}, inv.dueDate),
          h(
            'td',
            { class: 'actions' },
            h(
              'button',
              { type: 'button', 'aria-label': `收款 ${inv.invoiceNo}`, onclick: () => act.pay(inv) },
              '收款',
            ),
            h(
              'button',
              {
                type: 'button',
                class: 'danger',
                'aria-label': `作废 ${inv.invoiceNo}`,
                onclick: () => act.void(inv),
              },
              '作废',
            ),
          ),
        ),
      ),
    ),
  );
}
