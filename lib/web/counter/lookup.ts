/**
 * 查单 / 补打 at the counter (F8, issue #23): one box finds any document — a receipt, a credit note
 * (红冲凭证), a deposit refund or an invoice by its number, or the receipts of a business date, of a
 * flat (楼栋 房号, or 楼栋 单元 房号 in a high-rise with entrances) or of a plate — shows it with its state (已冲红 and the credit note) and reprints it
 * on A5 with the receipt's print stylesheet. It stands alone: opening it forgets the open flat.
 */
import { addressOf } from '../../address.js';
import { canonicalPlate, plateFormat } from '../../parking/plate.js';
import { whileBusy } from '../shared/busy.js';
import { byId, fill, h } from '../shared/dom.js';
import { channelName, dateTime, feeName, periodText, STATUS_NAMES } from '../shared/format.js';
import type { Invoice, Page, Receipt, Unit } from '../shared/types.js';
import { type DeskDeps, type DeskScreen, input, onSubmit } from './desk.js';
import { receiptView } from './receipt.js';

/** The printed names every document carries (SPEC.md §5). */
interface Printed {
  estateId: string;
  estateName?: string;
  building?: string;
  entrance?: string;
  room?: string;
  plate?: string;
}
interface DocLine {
  type: string;
  description: string;
  amount: string;
  period?: { start: string; end: string };
}
interface CreditNote extends Printed {
  creditNoteNo: string;
  invoiceNo: string;
  receiptNo?: string;
  reason: string;
  issuedAt: string;
  issuedByName: string;
  total: string;
  totalInWords: string;
  lines: DocLine[];
}
interface DepositRefund extends Printed {
  refundNo: string;
  caseId: string;
  invoiceNo: string;
  channel: string;
  reference?: string;
  total: string;
  totalInWords: string;
  lines: DocLine[];
  refundedAt: string;
  refundedByName?: string;
  refundedBy: string;
}
type PrintedInvoice = Invoice & Printed & { issuedByName?: string };

/** `DEMO-R2025-000001`: the series letter says which document (lib/store/keys.ts documentNumber). */
const DOC_NO = /^(.+)-([RCT]?)(\d{4})-(\d{6})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** What the box holds, in the order a cashier would mean it. */
export type Query =
  | { kind: 'receipt' | 'creditNote' | 'depositRefund' | 'invoice'; no: string }
  | { kind: 'date'; date: string }
  | { kind: 'plate'; plate: string }
  | { kind: 'unit'; building: string; entrance?: string; room: string };

export function readQuery(raw: string): Query | undefined {
  const q = raw.normalize('NFKC').trim();
  if (!q) return undefined;
  const doc = DOC_NO.exec(q.toUpperCase());
  if (doc) {
    const kind = ({ R: 'receipt', C: 'creditNote', T: 'depositRefund', '': 'invoice' } as const)[
      doc[2] as 'R' | 'C' | 'T' | ''
    ];
    return { kind, no: q.toUpperCase() };
  }
  if (DATE.test(q)) return { kind: 'date', date: q };
  const plate = canonicalPlate(q);
  if (plate && plateFormat(plate)) return { kind: 'plate', plate };
  const parts = q.split(/\s+/);
  if (parts.length === 2) return { kind: 'unit', building: parts[0]!, room: parts[1]! };
  if (parts.length === 3) return { kind: 'unit', building: parts[0]!, entrance: parts[1]!, room: parts[2]! };
  return undefined;
}

const where = (d: Printed) => (d.building !== undefined ? addressOf(d) : d.plate ? `车辆 ${d.plate}` : '');

function head(title: string, d: Printed, no: [string, string, string]): HTMLElement[] {
  return [
    h(
      'header',
      { class: 'receipt-head' },
      h('h2', {}, title),
      h(
        'p',
        { class: 'muted' },
        '物业服务中心 · ',
        h('span', { 'data-field': 'estateName' }, d.estateName ?? d.estateId),
      ),
    ),
    h(
      'dl',
      { class: 'receipt-facts' },
      h('dt', {}, no[0]),
      h('dd', { 'data-field': 'docNo' }, no[1]),
      h('dt', {}, '日期'),
      h('dd', {}, no[2]),
      where(d)
        ? [
            h('dt', {}, d.building !== undefined ? '房屋' : '车牌'),
            h('dd', { 'data-field': 'address' }, where(d)),
          ]
        : null,
    ),
  ];
}

function linesTable(lines: DocLine[]): HTMLElement {
  return h(
    'table',
    { class: 'receipt-lines' },
    h(
      'thead',
      {},
      h('tr', {}, h('th', {}, '项目'), h('th', {}, '期间'), h('th', { class: 'money' }, '金额(元)')),
    ),
    h(
      'tbody',
      {},
      lines.map((l) =>
        h(
          'tr',
          {},
          h('td', {}, h('strong', {}, feeName(l.type)), h('br'), h('span', { class: 'calc' }, l.description)),
          h('td', { class: 'calc' }, l.period ? periodText(l.period) : ''),
          h('td', { class: 'money' }, l.amount),
        ),
      ),
    ),
  );
}

function total(words: string, figures: string): HTMLElement {
  return h(
    'p',
    { class: 'receipt-total' },
    '合计(大写):',
    h('strong', { 'data-field': 'amountInWords' }, words),
    h('span', { class: 'money' }, ` (小写)¥${figures}`),
  );
}

function tail(by: string, state: string, extra: (HTMLElement | null)[] = []): HTMLElement {
  return h(
    'dl',
    { class: 'receipt-facts' },
    ...extra,
    h('dt', {}, '经办人'),
    h('dd', { 'data-field': 'cashier' }, by),
    h('dt', {}, '状态'),
    h('dd', { 'data-field': 'state' }, state),
  );
}

const fact = (term: string, value: string | undefined) =>
  value ? [h('dt', {}, term), h('dd', {}, value)] : null;

export function creditNoteView(c: CreditNote): HTMLElement[] {
  return [
    ...head('红冲凭证', c, ['凭证号', c.creditNoteNo, dateTime(c.issuedAt)]),
    linesTable(c.lines),
    total(c.totalInWords, c.total),
    tail(c.issuedByName, '有效', [
      ...(fact('原账单', c.invoiceNo) ?? []),
      ...(fact('原收据', c.receiptNo) ?? []),
      ...(fact('红冲原因', c.reason) ?? []),
    ]),
  ];
}

export function refundView(r: DepositRefund): HTMLElement[] {
  return [
    ...head('装修押金退款单', r, ['退款单号', r.refundNo, dateTime(r.refundedAt)]),
    linesTable(r.lines),
    total(r.totalInWords, r.total),
    tail(r.refundedByName ?? r.refundedBy, '已退还', [
      ...(fact('装修登记', r.caseId) ?? []),
      ...(fact('退款方式', channelName(r.channel)) ?? []),
      ...(fact('参考号', r.reference) ?? []),
    ]),
  ];
}

export function invoiceView(i: PrintedInvoice): HTMLElement[] {
  return [
    ...head('收费账单', i, ['账单号', i.invoiceNo, dateTime(i.issuedAt)]),
    linesTable(i.lines),
    total(i.totalInWords, i.total),
    tail(i.issuedByName ?? i.issuedBy, STATUS_NAMES[i.status] ?? i.status, [
      ...(fact('应缴日期', i.dueDate) ?? []),
      ...(fact('收据', i.receiptNo) ?? []),
      ...(fact('作废原因', i.voidReason) ?? []),
    ]),
  ];
}

export function lookupScreen(deps: DeskDeps): DeskScreen {
  const api = deps.api;
  /** Bumped by every search: an answer to an older search is dropped. */
  let asked = 0;

  function forget(): void {
    asked++;
    fill(byId('lookup-results'));
    fill(byId('doc'));
    byId('doc').hidden = true;
    byId('doc-print').hidden = true;
  }

  async function showDoc(load: () => Promise<HTMLElement[]>): Promise<void> {
    const mine = asked;
    const view = await load();
    if (mine !== asked) return;
    fill(byId('doc'), ...view);
    byId('doc').hidden = false;
    byId('doc-print').hidden = false;
    byId('doc-print').focus();
  }

  async function receipt(no: string): Promise<HTMLElement[]> {
    const r = await api.call<Receipt>('GET', `/v1/receipts/${encodeURIComponent(no)}`);
    let inv: Invoice | undefined;
    if (r.invoiceNo) {
      inv = await api
        .call<Invoice>('GET', `/v1/invoices/${encodeURIComponent(r.invoiceNo)}`)
        .catch(() => undefined);
    }
    return receiptView(r, inv, undefined);
  }

  const LOADERS = {
    receipt,
    creditNote: async (no: string) =>
      creditNoteView(await api.call<CreditNote>('GET', `/v1/credit-notes/${encodeURIComponent(no)}`)),
    depositRefund: async (no: string) =>
      refundView(await api.call<DepositRefund>('GET', `/v1/deposit-refunds/${encodeURIComponent(no)}`)),
    invoice: async (no: string) =>
      invoiceView(await api.call<PrintedInvoice>('GET', `/v1/invoices/${encodeURIComponent(no)}`)),
  };

  function list(items: Receipt[], what: string): void {
    if (items.length === 0) {
      fill(byId('lookup-results'), h('p', { class: 'muted' }, `${what}没有收据。`));
      return;
    }
    const rows = items.map((r) => {
      const open = h('button', { type: 'button', class: 'secondary' }, `查看 ${r.receiptNo}`);
      open.addEventListener(
        'click',
        () =>
          void whileBusy(open, '正在打开…', () => showDoc(() => receipt(r.receiptNo)).catch(deps.complain)),
      );
      return h(
        'tr',
        { 'data-receipt': r.receiptNo },
        h('td', {}, r.receiptNo),
        h('td', {}, dateTime(r.paidAt)),
        h('td', {}, where(r) || r.unitId || ''),
        h('td', { class: 'money' }, r.amount),
        h('td', {}, r.state === 'REVERSED' ? `已冲红(${r.creditNoteNo ?? ''})` : '有效'),
        h('td', {}, open),
      );
    });
    fill(
      byId('lookup-results'),
      h(
        'table',
        { class: 'bills', 'aria-label': `${what}的收据` },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['收据号', '收款时间', '房屋/车牌', '金额(元)', '状态', ''].map((t) => h('th', {}, t)),
          ),
        ),
        h('tbody', {}, rows),
      ),
    );
    byId('lookup-results').querySelector<HTMLButtonElement>('button')?.focus();
  }

  async function search(): Promise<void> {
    deps.clearMessages();
    forget();
    const mine = asked;
    const q = readQuery(input('lookup-q').value);
    if (!q) {
      return deps.complain(
        '请输入单据号、日期(如 2025-06-01)、楼栋和房号(如 1栋 1801,有单元的写 3栋 2单元 1201)或车牌号。',
      );
    }
    const estateId = deps.estate();
    try {
      if (q.kind === 'date' || q.kind === 'plate' || q.kind === 'unit') {
        let query: Record<string, string>;
        let what: string;
        if (q.kind === 'unit') {
          const found = await api.call<Page<Unit>>(
            'GET',
            `/v1/estates/${encodeURIComponent(estateId)}/units`,
            {
              query: { building: q.building, room: q.room },
            },
          );
          // 3栋 1201 may be a room in each entrance (3栋 1单元 1201, 3栋 2单元 1201): never pick one.
          const matches = found.items.filter((u) => q.entrance === undefined || u.entrance === q.entrance);
          const u = matches[0];
          if (!u) return deps.complain(`没有找到 ${addressOf(q)} 的房屋,请核对楼栋、单元和房号。`);
          if (matches.length > 1) {
            return deps.complain(
              `${addressOf(q)} 有 ${matches.length} 套房屋(${matches.map((m) => addressOf(m)).join('、')}),请写上单元,如 ${addressOf(u)}。`,
            );
          }
          query = { unitId: u.unitId };
          what = addressOf(u);
        } else {
          query = q.kind === 'date' ? { date: q.date } : { plate: q.plate };
          what = q.kind === 'date' ? q.date : `车辆 ${q.plate}`;
        }
        const page = await api.call<Page<Receipt>>('GET', '/v1/receipts', {
          query: { estateId, limit: '100', ...query },
        });
        if (mine === asked) list(page.items, what);
        return;
      }
      await showDoc(() => LOADERS[q.kind](q.no));
    } catch (e) {
      deps.complain(e);
    }
  }

  onSubmit(
    'lookup-form',
    () => void whileBusy(byId<HTMLButtonElement>('lookup-button'), '正在查找…', search),
  );
  byId('doc-print').addEventListener('click', () => window.print());

  return {
    section: 'lookup',
    open() {
      forget();
      byId('lookup').hidden = false;
      input('lookup-q').select();
    },
    close() {
      forget();
      byId('lookup').hidden = true;
    },
  };
}
