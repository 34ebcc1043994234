/**
 * 欠费 / 催缴 at the counter (F10, issue #23): the arrears report as of a date
 * (`GET /v1/reports/arrears`, most overdue first, ageing buckets, totals) as a table; the cashier
 * ticks flats (Space) and Enter prints their 催缴通知单, one per A5 page, from
 * `GET /v1/units/{unitId}/dunning-notice` (JSON: the page lays them out with its print stylesheet).
 * It stands alone: opening it forgets the open flat.
 */
import { addressOf } from '../../address.js';
import { whileBusy } from '../shared/busy.js';
import { byId, fill, h } from '../shared/dom.js';
import { feeName } from '../shared/format.js';
import { type DeskDeps, type DeskScreen, input, onSubmit } from './desk.js';

const BUCKETS = [
  ['days1to30', '1-30天'],
  ['days31to90', '31-90天'],
  ['days91to180', '91-180天'],
  ['days181to365', '181-365天'],
  ['over365', '365天以上'],
] as const;
type Buckets = Record<(typeof BUCKETS)[number][0], string>;

interface ArrearsRow {
  unitId: string;
  building?: string;
  entrance?: string;
  room?: string;
  owner?: string;
  phone?: string;
  overdue: string;
  oldestDueDate: string;
  daysOverdue: number;
  buckets: Buckets;
  notYetDue: string;
}
interface ArrearsReport {
  asOf: string;
  items: ArrearsRow[];
  nextCursor?: string;
  totals: { units: number; overdue: string; notYetDue: string; buckets: Buckets };
}
interface DunningNotice {
  estateName: string;
  unitId: string;
  building: string;
  entrance?: string;
  room: string;
  owner?: string;
  asOf: string;
  bills: {
    invoiceNo: string;
    feeCode: string;
    feeName: string;
    periodStart?: string;
    periodLastDay?: string;
    dueDate: string;
    daysOverdue: number;
    amount: string;
  }[];
  total: string;
  totalInWords: string;
  howToPay: string[];
}

/** At most this many report pages are read for the screen (100 flats a page). */
const MAX_PAGES = 10;

export function noticeView(n: DunningNotice): HTMLElement {
  // A div, not a section: the print stylesheet hides the desk's sections.
  return h(
    'div',
    { class: 'dunning-notice', 'data-unit': n.unitId },
    h('h2', {}, '催缴通知单'),
    h('p', { class: 'muted' }, `${n.estateName} 物业服务中心`),
    h(
      'p',
      {},
      h('strong', { 'data-field': 'dunningAddress' }, addressOf(n)),
      n.owner ? ` ${n.owner}:` : ' 业主:',
    ),
    h('p', {}, `截至 ${n.asOf},您有以下费用逾期未缴,请尽快缴纳:`),
    h(
      'table',
      { class: 'receipt-lines' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['账单号', '项目', '期间', '应缴日期', '逾期天数', '金额(元)'].map((t) => h('th', {}, t)),
        ),
      ),
      h(
        'tbody',
        {},
        n.bills.map((b) =>
          h(
            'tr',
            {},
            h('td', {}, b.invoiceNo),
            h('td', {}, b.feeName || feeName(b.feeCode)),
            h('td', {}, b.periodStart && b.periodLastDay ? `${b.periodStart} 至 ${b.periodLastDay}` : ''),
            h('td', {}, b.dueDate),
            h('td', {}, String(b.daysOverdue)),
            h('td', { class: 'money' }, b.amount),
          ),
        ),
      ),
    ),
    h(
      'p',
      { class: 'receipt-total' },
      '合计(大写):',
      h('strong', { 'data-field': 'dunningWords' }, n.totalInWords),
      h('span', { class: 'money' }, ` (小写)¥${n.total}`),
    ),
    h(
      'ul',
      {},
      n.howToPay.map((t) => h('li', {}, t)),
    ),
    h('p', { class: 'muted' }, `${n.estateName} 物业服务中心 ${n.asOf}`),
  );
}

export function arrearsScreen(deps: DeskDeps): DeskScreen {
  let asked = 0;

  function forget(): void {
    asked++;
    fill(byId('arrears-table'));
    byId('arrears-caption').textContent = '';
    fill(byId('dunning-print'));
    byId('dunning-print').hidden = true;
    byId('arrears-print-form').hidden = true;
  }

  async function load(): Promise<void> {
    deps.clearMessages();
    forget();
    const mine = asked;
    // Empty = the server's business date (the API's default), not this computer's clock.
    const typed = input('arrears-asof').value;
    const rows: ArrearsRow[] = [];
    let report: ArrearsReport | undefined;
    let cursor: string | undefined;
    try {
      for (let i = 0; i < MAX_PAGES; i++) {
        report = await deps.api.call<ArrearsReport>('GET', '/v1/reports/arrears', {
          query: {
            estateId: deps.estate(),
            limit: '100',
            ...(typed ? { asOf: typed } : {}),
            ...(cursor ? { cursor } : {}),
          },
        });
        rows.push(...report.items);
        cursor = report.nextCursor;
        if (!cursor) break;
      }
    } catch (e) {
      return deps.complain(e);
    }
    if (mine !== asked || !report) return;
    const asOf = report.asOf;
    byId('arrears-caption').textContent =
      `截至 ${asOf}:${report.totals.units} 户欠费,合计 ${report.totals.overdue} 元`;
    if (rows.length === 0) {
      deps.say(`截至 ${asOf} 没有欠费的房屋。`);
      return;
    }
    const money = (v: string) => h('td', { class: 'money' }, v);
    const t = report.totals;
    fill(
      byId('arrears-table'),
      h(
        'table',
        { class: 'bills arrears-report', 'aria-label': `截至 ${asOf} 的欠费` },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, '选择'),
            h('th', {}, '房屋'),
            h('th', {}, '业主'),
            h('th', {}, '欠费(元)'),
            h('th', {}, '最早应缴'),
            h('th', {}, '逾期天数'),
            ...BUCKETS.map(([, zh]) => h('th', {}, zh)),
            h('th', {}, '未到期(元)'),
          ),
        ),
        h(
          'tbody',
          {},
          rows.map((r) => {
            const label = addressOf({ ...r, room: r.room ?? r.unitId });
            return h(
              'tr',
              { 'data-unit': r.unitId },
              h('td', {}, h('input', { type: 'checkbox', value: r.unitId, 'aria-label': `选择 ${label}` })),
              h('td', {}, label),
              h('td', {}, r.owner ?? ''),
              money(r.overdue),
              h('td', {}, r.oldestDueDate),
              h('td', {}, String(r.daysOverdue)),
              ...BUCKETS.map(([k]) => money(r.buckets[k])),
              money(r.notYetDue),
            );
          }),
        ),
        h(
          'tfoot',
          {},
          h(
            'tr',
            { 'data-field': 'arrearsTotals' },
            h('td', {}, '合计'),
            h('td', {}, `${t.units} 户`),
            h('td', {}),
            money(t.overdue),
            h('td', {}),
            h('td', {}),
            ...BUCKETS.map(([k]) => money(t.buckets[k])),
            money(t.notYetDue),
          ),
        ),
      ),
      cursor ? h('p', { class: 'muted' }, `只列出前 ${rows.length} 户;请导出报表查看全部。`) : null,
    );
    byId('arrears-print-form').hidden = false;
    byId('arrears-table').querySelector<HTMLInputElement>('input[type="checkbox"]')?.focus();
  }

  const chosen = () =>
    [...byId('arrears-table').querySelectorAll<HTMLInputElement>('input[type="checkbox"]:checked')].map(
      (c) => c.value,
    );

  async function print(): Promise<void> {
    deps.clearMessages();
    const units = chosen();
    if (units.length === 0) return deps.complain('请先勾选要打印催缴通知单的房屋(空格键勾选)。');
    const mine = asked;
    const notices: DunningNotice[] = [];
    try {
      for (const unitId of units)
        notices.push(
          await deps.api.call<DunningNotice>('GET', `/v1/units/${encodeURIComponent(unitId)}/dunning-notice`),
        );
    } catch (e) {
      return deps.complain(e);
    }
    if (mine !== asked) return;
    fill(byId('dunning-print'), notices.map(noticeView));
    byId('dunning-print').hidden = false;
    deps.say(`已准备 ${notices.length} 份催缴通知单,正在打印。`);
    window.print();
  }

  // The table sits in the form: Space ticks a flat, Enter prints the ticked ones.
  onSubmit('arrears-form', () => void whileBusy(byId<HTMLButtonElement>('arrears-load'), '正在查询…', load));
  onSubmit(
    'arrears-print-form',
    () => void whileBusy(byId<HTMLButtonElement>('arrears-print'), '正在准备…', print),
  );
  byId('arrears-all').addEventListener('click', () => {
    const boxes = [...byId('arrears-table').querySelectorAll<HTMLInputElement>('input[type="checkbox"]')];
    const all = boxes.some((b) => !b.checked);
    for (const b of boxes) b.checked = all;
  });

  return {
    section: 'arrears-report',
    open() {
      forget();
      byId('arrears-report').hidden = false;
      input('arrears-asof').focus();
    },
    close() {
      forget();
      byId('arrears-report').hidden = true;
    },
  };
}
