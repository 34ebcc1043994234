/**
 * The printed receipt (收据), laid out for A5 by the print stylesheet: the estate's name, receipt
 * number, building and room (or plate), the amount in Chinese uppercase (大写), who took it by
 * name, channel, its state (已冲红 and the credit note once reversed), and each line with its
 * calculation so that the payer can check the arithmetic. The API supplies every name
 * (SPEC.md §5); the page only lays them out.
 */
import { addressOf } from '../../address.js';
import { h } from '../shared/dom.js';
import { channelName, dateTime, feeName, periodText, traceText } from '../shared/format.js';
import type { Invoice, Receipt, Unit } from '../shared/types.js';

/** 1栋 1801, 3栋 2单元 1201: the receipt's own record, else the unit the counter has open. */
function address(r: Receipt, unit: Unit | undefined): string | undefined {
  if (r.building !== undefined) return addressOf(r);
  return unit && (!r.unitId || r.unitId === unit.unitId) ? addressOf(unit) : undefined;
}

export function receiptView(r: Receipt, invoice: Invoice | undefined, unit: Unit | undefined): HTMLElement[] {
  const lines = invoice?.lines ?? r.lines.map((l) => ({ ...l, trace: undefined }));
  return [
    h(
      'header',
      { class: 'receipt-head' },
      h('h2', {}, '收款收据'),
      h(
        'p',
        { class: 'muted' },
        '物业服务中心 · ',
        h('span', { 'data-field': 'estateName' }, r.estateName ?? r.estateId),
      ),
    ),
    h(
      'dl',
      { class: 'receipt-facts' },
      h('dt', {}, '收据号'),
      h('dd', { 'data-field': 'receiptNo' }, r.receiptNo),
      h('dt', {}, '收款时间'),
      h('dd', {}, dateTime(r.paidAt)),
      address(r, unit) ? [h('dt', {}, '房屋'), h('dd', { 'data-field': 'address' }, address(r, unit))] : null,
      r.plate ? [h('dt', {}, '车牌'), h('dd', {}, r.plate)] : null,
      r.invoiceNo ? [h('dt', {}, '账单号'), h('dd', {}, r.invoiceNo)] : null,
    ),
    h(
      'table',
      { class: 'receipt-lines' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, '收费项目'),
          h('th', {}, '计费期间与计算'),
          h('th', { class: 'money' }, '金额(元)'),
        ),
      ),
      h(
        'tbody',
        {},
        lines.map((l) =>
          h(
            'tr',
            {},
            h(
              'td',
              {},
              h('strong', {}, feeName(l.type)),
              h('br'),
              h('span', { class: 'calc' }, l.description),
            ),
            h(
              'td',
              { class: 'calc' },
              l.period ? h('div', {}, `期间 ${periodText(l.period)}`) : null,
              l.trace ? h('div', {}, traceText(l.trace)) : null,
            ),
            h('td', { class: 'money' }, l.amount),
          ),
        ),
      ),
    ),
    h(
      'p',
      { class: 'receipt-total' },
      '合计(大写):',
      h('strong', { 'data-field': 'amountInWords' }, r.amountInWords),
      h('span', { class: 'money' }, ` (小写)¥${r.amount}`),
    ),
    h(
      'dl',
      { class: 'receipt-facts' },
      h('dt', {}, '付款方式'),
      h('dd', { 'data-field': 'channel' }, channelName(r.channel)),
      r.tendered ? [h('dt', {}, '实收'), h('dd', { class: 'money' }, `${r.tendered} 元`)] : null,
      r.change ? [h('dt', {}, '找零'), h('dd', { class: 'money' }, `${r.change} 元`)] : null,
      r.reference ? [h('dt', {}, '参考号'), h('dd', {}, r.reference)] : null,
      h('dt', {}, '收款员'),
      h('dd', { 'data-field': 'cashier' }, r.cashierName ?? r.cashier),
      h('dt', {}, '状态'),
      h(
        'dd',
        { 'data-field': 'state', class: r.state === 'REVERSED' ? 'reversed' : '' },
        r.state === 'REVERSED'
          ? `${r.stateName ?? '已冲红'}(红冲凭证 ${r.creditNoteNo ?? ''})`
          : (r.stateName ?? '有效'),
      ),
    ),
    h('p', { class: 'muted receipt-foot' }, '请妥善保管本收据。'),
  ];
}
