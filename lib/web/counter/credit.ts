/**
 * 已缴账单 / 红冲 at the counter (F7), for the flat open on the desk: its paid bills, and a credit
 * note (红冲) reversing one of them with a required reason. A credit note reverses money already
 * taken, so each intended one has its own Idempotency-Key (PaymentAttempt); a lost answer is
 * retried under the same key and never reverses twice.
 */
import { ApiProblem } from '../shared/api.js';
import { PaymentAttempt } from '../shared/attempt.js';
import { whileBusy } from '../shared/busy.js';
import { byId, fill, h } from '../shared/dom.js';
import { feeName } from '../shared/format.js';
import type { Invoice, Page } from '../shared/types.js';
import { type DeskDeps, type DeskScreen, input, onSubmit } from './desk.js';

interface CreditNote {
  creditNoteNo: string;
  invoiceNo: string;
  amount?: string;
  total?: string;
}

const CREDIT_RETRY_HINT = '红冲结果尚未确认,请再按一次“确认红冲”,不会重复红冲。';

export function creditScreen(deps: DeskDeps): DeskScreen {
  let crediting: { invoice: Invoice; attempt: PaymentAttempt<CreditNote> } | undefined;

  function closeForm(): void {
    crediting = undefined;
    byId('credit-form').hidden = true;
  }

  async function load(): Promise<void> {
    const unit = deps.unit();
    if (!unit) return;
    const page = await deps.api.call<Page<Invoice>>(
      'GET',
      `/v1/units/${encodeURIComponent(unit.unitId)}/invoices`,
      { query: { status: 'PAID', limit: '20' } },
    );
    if (deps.unit()?.unitId !== unit.unitId) return; // another flat opened meanwhile
    const list = byId('paid-list');
    if (page.items.length === 0) {
      fill(list, h('p', { class: 'muted' }, '这套房屋没有已缴账单。'));
      return;
    }
    fill(
      list,
      h(
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
            h('th', {}, h('span', { class: 'visually-hidden' }, '操作')),
          ),
        ),
        h(
          'tbody',
          {},
          page.items.map((inv) =>
            h(
              'tr',
              { 'data-invoice': inv.invoiceNo },
              h(
                'td',
                {},
                inv.invoiceNo,
                h('br'),
                h('span', { class: 'muted' }, `收据 ${inv.receiptNo ?? ''}`),
              ),
              h('td', {}, [...new Set(inv.lines.map((l) => feeName(l.type)))].join('、')),
              h('td', { class: 'money' }, inv.total),
              h(
                'td',
                { class: 'actions' },
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'danger',
                    'aria-label': `红冲 ${inv.invoiceNo}`,
                    onclick: () => openForm(inv),
                  },
                  '红冲',
                ),
              ),
            ),
          ),
        ),
      ),
    );
    list.querySelector<HTMLButtonElement>('button')?.focus();
  }

  function openForm(inv: Invoice): void {
    deps.clearMessages();
    // One key per intended reversal: reopening the same bill after a lost answer keeps its key.
    if (crediting?.invoice.invoiceId !== inv.invoiceId) {
      crediting = {
        invoice: inv,
        attempt: new PaymentAttempt((key, rawBody) =>
          deps.api.call<CreditNote>(
            'POST',
            `/v1/invoices/${encodeURIComponent(inv.invoiceId)}/credit-notes`,
            {
              rawBody,
              idempotencyKey: key,
            },
          ),
        ),
      };
      input('credit-reason').value = '';
    }
    byId('credit-summary').textContent =
      `红冲账单 ${inv.invoiceNo}(收据 ${inv.receiptNo ?? ''}),金额 ${inv.total} 元。红冲后原收据作废,开具红冲凭证。`;
    byId('credit-form').hidden = false;
    input('credit-reason').focus();
  }

  async function credit(): Promise<void> {
    deps.clearMessages();
    if (!crediting) return;
    const reason = input('credit-reason').value.trim();
    if (!reason) return deps.complain('请填写红冲原因。');
    try {
      const note = await crediting.attempt.submit({ reason });
      closeForm();
      deps.say(`账单 ${note.invoiceNo} 已红冲,红冲凭证号 ${note.creditNoteNo}。`);
      await load();
      await deps.refreshUnit();
    } catch (e) {
      deps.complain(e, e instanceof ApiProblem && e.outcomeUnknown ? CREDIT_RETRY_HINT : '');
    }
  }

  onSubmit(
    'credit-form',
    () => void whileBusy(byId<HTMLButtonElement>('credit-button'), '正在红冲…', credit),
  );
  byId('credit-cancel').addEventListener('click', closeForm);

  return {
    section: 'paid',
    async open() {
      if (!deps.unit()) return deps.complain('请先查找并打开一套房屋,再查看已缴账单。');
      closeForm();
      fill(byId('paid-list'));
      byId('paid').hidden = false;
      try {
        await load();
      } catch (e) {
        deps.complain(e);
      }
    },
    close() {
      closeForm();
      fill(byId('paid-list'));
      byId('paid').hidden = true;
    },
  };
}
