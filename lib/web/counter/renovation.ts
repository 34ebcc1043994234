/**
 * 装修 at the counter (F6), for the flat open on the desk: register a renovation (its invoice is
 * paid through the pay dialog), then the case's life — completion acceptance, re-inspections with
 * deductions from the deposit, extensions of the period, the deposit refund — with its state and
 * due dates. Only the actions the API lists in `allowedActions` are offered. Deductions and the
 * refund move money: each intended one has its own Idempotency-Key (PaymentAttempt). Every case
 * of the flat is listed with its state (issue #23); the cashier chooses the one to act on.
 */
import { COUNTER_CHANNELS } from '../../fee-types/catalog.js';
import { ApiProblem } from '../shared/api.js';
import { PaymentAttempt } from '../shared/attempt.js';
import { whileBusy } from '../shared/busy.js';
import { byId, fill, h } from '../shared/dom.js';
import { channelName, dayBefore } from '../shared/format.js';
import { MESSAGES, PAYMENT_RETRY_HINT } from '../shared/messages.js';
import { normaliseAmount } from '../shared/money.js';
import type { Invoice, Page } from '../shared/types.js';
import { type DeskDeps, type DeskScreen, input, onSubmit, REFERENCE_NAMES, today } from './desk.js';

interface RenovationCase {
  caseId: string;
  unitId: string;
  invoiceNo: string;
  invoiceStatus: string;
  state: string;
  allowedActions: string[];
  cards: number;
  registrationDate: string;
  approvalDue: string;
  period: { start: string; end: string };
  deposit: {
    renovationDeposit: string;
    cardDeposit: string;
    deducted: string;
    held: string;
    refunded?: string;
  };
  acceptedOn?: string;
  reinspectionDue?: string;
  reinspections: {
    n: number;
    date: string;
    passed: boolean;
    deductions: { amount: string; reason: string }[];
  }[];
  refundDue?: string;
  refundNo?: string;
}
interface DepositRefund {
  refundNo: string;
  total: string;
  channel: string;
}

const STATE_NAMES: Record<string, string> = {
  REGISTERED: '已登记,待缴费',
  HELD: '押金已收,装修中',
  ACCEPTED: '竣工验收合格,待复查',
  REINSPECTION_FAILED: '复查不合格,待再次复查',
  REINSPECTION_PASSED: '复查合格,待退押金',
  REFUNDED: '押金已退还',
  CANCELLED: '已取消',
};

const ENDED = ['REFUNDED', 'CANCELLED'];

/** Each action's form; shown only when the case allows it. */
const ACTION_FORMS: Record<string, string> = {
  ACCEPTANCE: 'reno-accept-form',
  REINSPECTION: 'reno-reinspect-form',
  EXTEND: 'reno-extend-form',
  REFUND: 'reno-refund-form',
};

/** Registration invoices carry the deposit line; the case id is made from the invoice number. */
const caseIdOf = (inv: Invoice) => `RN-${inv.invoiceNo}`;

export function renovationScreen(deps: DeskDeps): DeskScreen & { refresh(): Promise<void> } {
  let current: RenovationCase | undefined;
  /** Every case of the open flat, newest first. */
  let cases: RenovationCase[] = [];
  let reinspecting: PaymentAttempt<RenovationCase> | undefined;
  let refunding: PaymentAttempt<DepositRefund> | undefined;

  function forget(): void {
    current = undefined;
    cases = [];
    fill(byId('reno-cases'));
    reinspecting = undefined;
    refunding = undefined;
    fill(byId('reno-case'));
    for (const id of Object.values(ACTION_FORMS)) byId(id).hidden = true;
    byId('reno-register-form').hidden = false;
  }

  /**
   * Every case of the flat, newest first, found through their registration invoices (the deposit
   * line; all statuses, every page). The case on screen stays chosen after a refresh; otherwise
   * the newest is shown.
   */
  async function load(focus: boolean): Promise<void> {
    const unit = deps.unit();
    if (!unit) return;
    const regs: Invoice[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page: Page<Invoice> = await deps.api.call<Page<Invoice>>(
        'GET',
        `/v1/units/${encodeURIComponent(unit.unitId)}/invoices`,
        { query: { limit: '100', ...(cursor ? { cursor } : {}) } },
      );
      regs.push(...page.items.filter((i) => i.lines.some((l) => l.type === 'RENOVATION_DEPOSIT')));
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    if (deps.unit()?.unitId !== unit.unitId) return; // another flat opened meanwhile
    if (regs.length === 0) {
      forget();
      fill(byId('reno-case'), h('p', { class: 'muted' }, '这套房屋没有装修登记。'));
      return;
    }
    const found = await Promise.all(
      regs.map((r) =>
        deps.api.call<RenovationCase>('GET', `/v1/renovations/${encodeURIComponent(caseIdOf(r))}`),
      ),
    );
    if (deps.unit()?.unitId !== unit.unitId) return;
    found.sort((a, b) =>
      a.registrationDate < b.registrationDate
        ? 1
        : a.registrationDate > b.registrationDate
          ? -1
          : a.caseId < b.caseId
            ? 1
            : -1,
    );
    cases = found;
    show(cases.find((c) => c.caseId === current?.caseId) ?? cases[0]!, focus);
  }

  /** The flat's cases with their state; Enter on one shows it and offers its actions. */
  function renderCases(): void {
    const box = byId('reno-cases');
    if (cases.length === 0) {
      fill(box);
      return;
    }
    fill(
      box,
      h('p', { class: 'muted' }, `共 ${cases.length} 次装修登记(回车选择要办理的一次):`),
      h(
        'ul',
        { class: 'results', 'aria-label': '装修登记' },
        cases.map((c) => {
          const b = h(
            'button',
            {
              type: 'button',
              class: c.caseId === current?.caseId ? '' : 'secondary',
              'aria-pressed': String(c.caseId === current?.caseId),
              'data-case': c.caseId,
            },
            `${c.registrationDate} · 账单 ${c.invoiceNo} · ${STATE_NAMES[c.state] ?? c.state}`,
          );
          b.addEventListener('click', () => show(c));
          return h('li', {}, b);
        }),
      ),
    );
  }

  function show(c: RenovationCase, focus = true): void {
    if (current?.caseId !== c.caseId) {
      reinspecting = undefined;
      refunding = undefined;
    }
    current = c;
    const at = cases.findIndex((x) => x.caseId === c.caseId);
    if (at >= 0) cases[at] = c;
    else cases.unshift(c);
    renderCases();
    const fact = (term: string, value: string | undefined, field?: string) =>
      value ? [h('dt', {}, term), h('dd', field ? { 'data-field': field } : {}, value)] : null;
    const d = c.deposit;
    fill(
      byId('reno-case'),
      h(
        'dl',
        { class: 'facts' },
        fact('登记', `${c.registrationDate} · 账单 ${c.invoiceNo}`),
        fact('状态', STATE_NAMES[c.state] ?? c.state, 'renoState'),
        fact('装修期至', dayBefore(c.period.end), 'periodEnd'),
        fact('验收日期', c.acceptedOn),
        fact('复查到期', c.reinspectionDue, 'reinspectionDue'),
        fact('退款到期', c.refundDue, 'refundDue'),
        fact(
          '押金',
          `装修管理保证金 ${d.renovationDeposit} 元,出入证押金 ${d.cardDeposit} 元,已扣 ${d.deducted} 元,现存 ${d.held} 元`,
          'deposit',
        ),
        fact('已退', d.refunded ? `${d.refunded} 元(${c.refundNo})` : undefined, 'refunded'),
      ),
      c.reinspections.length
        ? h(
            'ul',
            { class: 'lines', 'aria-label': '复查记录' },
            c.reinspections.map((r) =>
              h(
                'li',
                {},
                `第${r.n}次复查 ${r.date} ${r.passed ? '合格' : '不合格'}`,
                r.deductions.map((x) => `;扣款 ${x.amount} 元(${x.reason})`),
              ),
            ),
          )
        : null,
    );
    for (const [action, id] of Object.entries(ACTION_FORMS))
      byId(id).hidden = !c.allowedActions.includes(action);
    // One live case per flat (the API answers RENOVATION_IN_PROGRESS): register only when every case ended.
    byId('reno-register-form').hidden = cases.some((x) => !ENDED.includes(x.state));
    for (const id of ['reno-accept-date', 'reno-reinspect-date']) input(id).value ||= today();
    const first = Object.entries(ACTION_FORMS).find(([a]) => c.allowedActions.includes(a));
    if (focus)
      byId(first ? first[1] : 'reno-cards')
        .querySelector<HTMLElement>('input, select')
        ?.focus();
  }

  async function act(work: () => Promise<RenovationCase | undefined>): Promise<void> {
    deps.clearMessages();
    try {
      const c = await work();
      if (c) show(c);
    } catch (e) {
      deps.complain(e, e instanceof ApiProblem && e.outcomeUnknown ? PAYMENT_RETRY_HINT : '');
    }
  }

  async function register(): Promise<void> {
    deps.clearMessages();
    const unit = deps.unit();
    if (!unit) return;
    const cards = Number(input('reno-cards').value);
    if (!Number.isInteger(cards) || cards < 1) return deps.complain('请填写出入证张数(至少 1 张)。');
    try {
      const r = await deps.api.call<RenovationCase & { invoice: Invoice }>('POST', '/v1/renovations', {
        body: { unitId: unit.unitId, cards },
      });
      show(r);
      deps.say(`已登记装修,账单 ${r.invoice.invoiceNo} 金额 ${r.invoice.total} 元,请收款。`);
      deps.openPay(r.invoice);
    } catch (e) {
      deps.complain(e);
    }
  }

  const post = <T>(path: string, opts: { body?: unknown; rawBody?: string; idempotencyKey?: string }) =>
    deps.api.call<T>('POST', `/v1/renovations/${encodeURIComponent(current!.caseId)}/${path}`, opts);
  const passed = (id: string) => byId<HTMLSelectElement>(id).value === 'true';

  function accept(): Promise<void> {
    return act(async () => {
      if (!current) return undefined;
      const notes = input('reno-accept-notes').value.trim();
      return post<RenovationCase>('acceptance', {
        body: {
          date: input('reno-accept-date').value,
          passed: passed('reno-accept-passed'),
          ...(notes ? { notes } : {}),
        },
      });
    });
  }

  function reinspect(): Promise<void> {
    return act(async () => {
      if (!current) return undefined;
      const typed = input('reno-deduct-amount').value;
      const deductions: { amount: string; reason: string; evidenceRef: string }[] = [];
      if (typed.trim()) {
        const amount = normaliseAmount(typed);
        if (!amount) return void deps.complain(MESSAGES['INVALID_MONEY']!);
        const reason = input('reno-deduct-reason').value.trim();
        const evidenceRef = input('reno-deduct-evidence').value.trim();
        if (!reason) return void deps.complain('请填写扣款原因。');
        if (!evidenceRef) return void deps.complain('请填写扣款凭证编号(照片或整改单号)。');
        deductions.push({ amount, reason, evidenceRef });
      }
      reinspecting ??= new PaymentAttempt((key, rawBody) =>
        post<RenovationCase>('reinspection', { rawBody, idempotencyKey: key }),
      );
      const c = await reinspecting.submit({
        date: input('reno-reinspect-date').value,
        passed: passed('reno-reinspect-passed'),
        ...(deductions.length ? { deductions } : {}),
      });
      reinspecting = undefined;
      for (const id of ['reno-deduct-amount', 'reno-deduct-reason', 'reno-deduct-evidence'])
        input(id).value = '';
      return c;
    });
  }

  function extend(): Promise<void> {
    return act(async () => {
      if (!current) return undefined;
      const until = input('reno-extend-until').value;
      const reason = input('reno-extend-reason').value.trim();
      if (!until) return void deps.complain('请选择延期后的截止日期。');
      if (!reason) return void deps.complain('请填写延期原因。');
      return post<RenovationCase>('extension', { body: { until, reason } });
    });
  }

  function refund(): Promise<void> {
    return act(async () => {
      if (!current) return undefined;
      const channel = byId<HTMLSelectElement>('reno-refund-channel').value;
      const reference = input('reno-refund-reference').value.trim();
      if (channel !== 'CASH' && !reference) return void deps.complain(`请填写${REFERENCE_NAMES[channel]}。`);
      const caseId = current.caseId;
      refunding ??= new PaymentAttempt((key, rawBody) =>
        post<DepositRefund>('refund', { rawBody, idempotencyKey: key }),
      );
      const r = await refunding.submit({ channel, ...(channel !== 'CASH' ? { reference } : {}) });
      refunding = undefined;
      deps.say(`押金已退还 ${r.total} 元(${channelName(r.channel)}),退款单号 ${r.refundNo}。`);
      return deps.api.call<RenovationCase>('GET', `/v1/renovations/${encodeURIComponent(caseId)}`);
    });
  }

  const wire = (form: string, button: string, label: string, work: () => Promise<void>) =>
    onSubmit(form, () => void whileBusy(byId<HTMLButtonElement>(button), label, work));
  wire('reno-register-form', 'reno-register', '正在登记…', register);
  wire('reno-accept-form', 'reno-accept', '正在记录…', accept);
  wire('reno-reinspect-form', 'reno-reinspect', '正在记录…', reinspect);
  wire('reno-extend-form', 'reno-extend', '正在记录…', extend);
  wire('reno-refund-form', 'reno-refund', '正在退款…', refund);
  const channels = byId<HTMLSelectElement>('reno-refund-channel');
  fill(
    channels,
    COUNTER_CHANNELS.map((c) => h('option', { value: c }, channelName(c))),
  );
  const toggle = () => {
    const cash = channels.value === 'CASH';
    byId('reno-refund-reference').hidden = cash;
    byId('reno-refund-reference-label').hidden = cash;
    byId('reno-refund-reference-label').textContent = REFERENCE_NAMES[channels.value] ?? '';
  };
  channels.addEventListener('change', toggle);
  toggle();

  return {
    section: 'renovation',
    async open() {
      if (!deps.unit()) return deps.complain('请先查找并打开一套房屋,再办理装修。');
      forget();
      byId('renovation').hidden = false;
      input('reno-cards').focus();
      try {
        await load(true);
      } catch (e) {
        deps.complain(e);
      }
    },
    async refresh() {
      if (byId('renovation').hidden || !deps.unit()) return;
      try {
        await load(false);
      } catch (e) {
        deps.complain(e);
      }
    },
    close() {
      forget();
      byId('renovation').hidden = true;
    },
  };
}
