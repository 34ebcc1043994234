/**
 * 收款 and 作废 at the counter (moved out of main.ts, issue #23): the pay dialog for any invoice (a
 * flat's bill, a rental billed to a plate, a renovation registration), one Idempotency-Key per
 * opening (PaymentAttempt), the change from the API's answer, the printed receipt; and voiding an
 * open bill with its reason.
 */
import { addressOf } from '../../address.js';
import { ApiProblem } from '../shared/api.js';
import { PaymentAttempt } from '../shared/attempt.js';
import { whileBusy } from '../shared/busy.js';
import { byId, fill, h } from '../shared/dom.js';
import { MESSAGES, PAYMENT_RETRY_HINT } from '../shared/messages.js';
import { changeSentence, normaliseAmount, toFen } from '../shared/money.js';
import type { Invoice, Receipt } from '../shared/types.js';
import { type DeskDeps, REFERENCE_NAMES } from './desk.js';
import { receiptView } from './receipt.js';

export interface PayDesk {
  openPay(inv: Invoice): void;
  openVoid(inv: Invoice): void;
  /** Closes the pay and void dialogs and forgets their attempt and bill. */
  forget(): void;
}

export function payDesk(deps: Omit<DeskDeps, 'openPay'>): PayDesk {
  let paying: { invoice: Invoice; attempt: PaymentAttempt<Receipt> } | undefined;
  let voiding: Invoice | undefined;
  const { api, say, complain, clearMessages, refreshUnit } = deps;

  // ---- taking money -----------------------------------------------------------------------------

  function openPay(inv: Invoice): void {
    clearMessages();
    voiding = undefined;
    byId('void').hidden = true;
    byId('receipt').hidden = true;
    const attempt = new PaymentAttempt<Receipt>((key, rawBody) =>
      api.call<Receipt>('POST', `/v1/invoices/${encodeURIComponent(inv.invoiceId)}/payments`, {
        rawBody,
        idempotencyKey: key,
      }),
    );
    paying = { invoice: inv, attempt };
    byId('pay').hidden = false;
    const unit = deps.unit();
    const who = unit
      ? `${addressOf(unit)}${unit.occupantName ? ` · ${unit.occupantName}` : ''}`
      : inv.plate
        ? `车辆 ${inv.plate}`
        : '';
    fill(
      byId('pay-summary'),
      // The flat beside the amount: the cashier reads whose money this is before taking it.
      h('p', { class: 'pay-unit', 'data-field': 'payUnit' }, who),
      h('p', {}, `账单 ${inv.invoiceNo}`),
      h(
        'ul',
        { class: 'lines' },
        inv.lines.map((l) =>
          h('li', {}, h('span', {}, l.description), h('span', { class: 'money' }, `${l.amount} 元`)),
        ),
      ),
      h(
        'p',
        { class: 'due' },
        '应收 ',
        h('strong', { class: 'money', 'data-field': 'total' }, inv.total),
        ' 元',
      ),
    );
    const form = byId<HTMLFormElement>('pay-form');
    form.hidden = false;
    for (const c of form.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select'))
      c.disabled = false;
    byId<HTMLSelectElement>('channel').value = 'CASH';
    byId<HTMLInputElement>('tendered').value = '';
    byId<HTMLInputElement>('reference').value = '';
    byId('pay-button').textContent = '确认收款';
    byId('change').textContent = '';
    byId('print').hidden = true;
    byId('pay-close').hidden = true;
    toggleChannelFields();
    byId<HTMLInputElement>('tendered').focus();
  }

  function toggleChannelFields(): void {
    const cash = byId<HTMLSelectElement>('channel').value === 'CASH';
    byId('tendered').hidden = !cash;
    byId('tendered-label').hidden = !cash;
    byId('reference').hidden = cash;
    byId('reference-label').hidden = cash;
    byId('reference-label').textContent = REFERENCE_NAMES[byId<HTMLSelectElement>('channel').value] ?? '';
  }

  async function pay(): Promise<void> {
    clearMessages();
    if (!paying) return;
    const { invoice, attempt } = paying;
    const channel = byId<HTMLSelectElement>('channel').value;
    let body: Record<string, string>;
    if (channel === 'CASH') {
      const typed = byId<HTMLInputElement>('tendered').value;
      const tendered = normaliseAmount(typed);
      if (!typed.trim()) return complain('请输入实收现金金额。');
      if (!tendered) return complain(MESSAGES['INVALID_MONEY']!);
      if (toFen(tendered) < toFen(invoice.total)) return complain(MESSAGES['TENDERED_TOO_LOW']!);
      body = { channel, amount: invoice.total, tendered };
    } else {
      // A cheque or transfer is traced by its number: the page refuses to take it without one.
      const reference = byId<HTMLInputElement>('reference').value.trim();
      if (!reference) {
        byId('reference').focus();
        return complain(`请填写${REFERENCE_NAMES[channel] ?? '支票号/转账流水号'}。`);
      }
      body = { channel, amount: invoice.total, reference };
    }
    let receipt: Receipt;
    try {
      receipt = await attempt.submit(body);
    } catch (e) {
      if (e instanceof ApiProblem && e.outcomeUnknown) {
        // Same key, same body on the retry: the inputs are frozen until the outcome is known.
        for (const c of byId('pay-form').querySelectorAll<HTMLInputElement | HTMLSelectElement>(
          'input, select',
        )) {
          c.disabled = true;
        }
        byId('pay-button').textContent = '重试收款';
        return complain(e, PAYMENT_RETRY_HINT);
      }
      return complain(e);
    }
    byId('pay-form').hidden = true;
    byId('change').textContent =
      receipt.channel === 'CASH' ? changeSentence(receipt) : `已收${receipt.amount}元`;
    say(`收款成功,收据号 ${receipt.receiptNo}。`);
    await showReceipt(receipt);
    byId('print').hidden = false;
    byId('pay-close').hidden = false;
    await refreshUnit();
  }

  async function showReceipt(r: Receipt): Promise<void> {
    // The receipt lists each line's calculation, which the invoice carries (the receipt has totals only).
    let invoice: Invoice | undefined;
    if (r.invoiceNo) {
      try {
        invoice = await api.call<Invoice>('GET', `/v1/invoices/${encodeURIComponent(r.invoiceNo)}`);
      } catch {
        invoice = undefined;
      }
    }
    const article = byId('receipt');
    fill(article, receiptView(r, invoice, deps.unit()));
    article.hidden = false;
  }

  function openVoid(inv: Invoice): void {
    clearMessages();
    paying = undefined;
    byId('pay').hidden = true;
    byId('receipt').hidden = true;
    voiding = inv;
    byId('void').hidden = false;
    byId('void-summary').textContent =
      `账单 ${inv.invoiceNo},金额 ${inv.total} 元。作废后账单号保留,不能再收款。`;
    const reason = byId<HTMLInputElement>('void-reason');
    reason.value = '';
    reason.focus();
  }

  async function voidInvoice(): Promise<void> {
    clearMessages();
    if (!voiding) return;
    const reason = byId<HTMLInputElement>('void-reason').value.trim();
    if (!reason) return complain('请填写作废原因。');
    try {
      const inv = await api.call<Invoice>(
        'POST',
        `/v1/invoices/${encodeURIComponent(voiding.invoiceId)}/void`,
        {
          body: { reason },
        },
      );
      voiding = undefined;
      byId('void').hidden = true;
      say(`账单 ${inv.invoiceNo} 已作废。`);
      await refreshUnit();
    } catch (e) {
      complain(e);
    }
  }

  function onSubmit(formId: string, buttonId: string, label: string, work: () => Promise<void>): void {
    byId<HTMLFormElement>(formId).addEventListener('submit', (e) => {
      e.preventDefault();
      void whileBusy(byId<HTMLButtonElement>(buttonId), label, work);
    });
  }
  onSubmit('pay-form', 'pay-button', '正在收款…', pay);
  onSubmit('void-form', 'void-button', '正在作废…', voidInvoice);
  byId('channel').addEventListener('change', toggleChannelFields);
  byId('pay-cancel').addEventListener('click', () => {
    paying = undefined;
    byId('pay').hidden = true;
  });
  byId('pay-close').addEventListener('click', () => {
    paying = undefined;
    byId('pay').hidden = true;
    byId('receipt').hidden = true;
  });
  byId('void-cancel').addEventListener('click', () => {
    voiding = undefined;
    byId('void').hidden = true;
  });
  byId('print').addEventListener('click', () => window.print());

  return {
    openPay,
    openVoid,
    forget() {
      paying = undefined;
      voiding = undefined;
      for (const id of ['pay', 'void', 'receipt']) byId(id).hidden = true;
    },
  };
}
