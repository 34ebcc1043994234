/**
 * 日结 / 交班 at the counter: the cashier reads their day (per channel, refunds, credit notes, the
 * cash that should be in the drawer), types the cash counted, and the difference is recorded
 * (audited, under one Idempotency-Key per count) and printed on the 交班 slip.
 */
import type { Api } from '../shared/api.js';
import { ApiProblem } from '../shared/api.js';
import { PaymentAttempt } from '../shared/attempt.js';
import { byId, fill, h } from '../shared/dom.js';
import { channelName } from '../shared/format.js';
import { MESSAGES } from '../shared/messages.js';
import { normaliseAmount } from '../shared/money.js';

interface ChannelTotal {
  channel: string;
  count: number;
  total: string;
}
interface DrawerCount {
  cashier: string;
  counted: string;
  cashExpected: string;
  difference: string;
  note?: string;
  at: string;
}
export interface Cashup {
  estateId: string;
  date: string;
  cashier: string | null;
  byChannel: ChannelTotal[];
  creditNotes: { count: number; total: string };
  refunds: { count: number; total: string; byChannel: ChannelTotal[] };
  cashExpected: string;
  numberRanges: { series: string; first: string; last: string; count: number }[];
  counts: DrawerCount[];
}

export interface CashupScreen {
  open(): Promise<void>;
}

const SERIES_NAMES: Record<string, string> = {
  RECEIPT: '收据',
  CREDIT_NOTE: '红冲单',
  DEPOSIT_REFUND: '退款单',
};

/** Today in Asia/Shanghai, as the business day the API uses. */
function today(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
}

function differenceText(d: string): string {
  if (/^-?0\.00$/.test(d)) return '账实相符';
  return d.startsWith('-') ? `短款 ${d.slice(1)} 元` : `长款 ${d} 元`;
}

export function cashupScreen(deps: {
  api: Api;
  estate: () => string;
  say: (text: string) => void;
  complain: (e: unknown, extra?: string) => void;
}): CashupScreen {
  let counting: PaymentAttempt<DrawerCount> | undefined;

  function render(c: Cashup): void {
    const row = (label: string, count: number | string, amount: string) =>
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, label),
        h('td', {}, String(count)),
        h('td', { class: 'money' }, amount),
      );
    fill(
      byId('cashup-figures'),
      h('p', { class: 'slip-head' }, `${c.estateId} · ${c.date} · 收款员 ${c.cashier ?? '全部'}`),
      h(
        'table',
        { class: 'invoice-table' },
        h(
          'thead',
          {},
          h('tr', {}, h('th', {}, '项目'), h('th', {}, '笔数'), h('th', { class: 'money' }, '金额(元)')),
        ),
        h(
          'tbody',
          {},
          c.byChannel.map((x) => row(`收款 · ${channelName(x.channel)}`, x.count, x.total)),
          c.refunds.byChannel.map((x) => row(`退押金 · ${channelName(x.channel)}`, x.count, x.total)),
          c.creditNotes.count > 0 ? row('红冲(不涉及现金)', c.creditNotes.count, c.creditNotes.total) : null,
          h(
            'tr',
            { class: 'due' },
            h('th', { scope: 'row' }, '应有现金'),
            h('td', {}, ''),
            h('td', { class: 'money', 'data-field': 'cashExpected' }, c.cashExpected),
          ),
        ),
      ),
      c.numberRanges.length
        ? h(
            'p',
            { class: 'muted' },
            c.numberRanges
              .map((r) => `${SERIES_NAMES[r.series] ?? r.series} ${r.first} 至 ${r.last}(${r.count} 张)`)
              .join(';'),
          )
        : h('p', { class: 'muted' }, '当日没有单据。'),
      c.counts.length
        ? h(
            'ul',
            { class: 'counts', 'aria-label': '交班记录' },
            c.counts.map((k) =>
              h(
                'li',
                { 'data-field': 'drawerCount' },
                `${k.at.slice(11, 16)} 实点 ${k.counted} 元,应有 ${k.cashExpected} 元,${differenceText(k.difference)}`,
                k.note ? `(${k.note})` : '',
              ),
            ),
          )
        : null,
    );
  }

  async function load(): Promise<void> {
    const date = byId<HTMLInputElement>('cashup-date').value;
    try {
      const c = await deps.api.call<Cashup>('GET', '/v1/reports/cashup', {
        query: { estateId: deps.estate(), date },
      });
      render(c);
      byId('cashup-count-form').hidden = false;
      byId('cashup-print').hidden = false;
    } catch (e) {
      fill(byId('cashup-figures'));
      byId('cashup-count-form').hidden = true;
      deps.complain(e);
    }
  }

  async function count(): Promise<void> {
    const typed = byId<HTMLInputElement>('cashup-counted').value;
    const counted = normaliseAmount(typed);
    if (!typed.trim()) return deps.complain('请输入实点现金金额。');
    if (!counted) return deps.complain(MESSAGES['INVALID_MONEY']!);
    const note = byId<HTMLInputElement>('cashup-note').value.trim();
    const date = byId<HTMLInputElement>('cashup-date').value;
    const estateId = deps.estate();
    counting ??= new PaymentAttempt<DrawerCount>((key, rawBody) =>
      deps.api.call<DrawerCount>('POST', `/v1/estates/${encodeURIComponent(estateId)}/cashups`, {
        rawBody,
        idempotencyKey: key,
      }),
    );
    try {
      const k = await counting.submit({ date, counted, ...(note ? { note } : {}) });
      counting = undefined;
      deps.say(`交班已记录:${differenceText(k.difference)}。`);
      byId<HTMLInputElement>('cashup-counted').value = '';
      byId<HTMLInputElement>('cashup-note').value = '';
      await load();
    } catch (e) {
      if (e instanceof ApiProblem && e.outcomeUnknown)
        return deps.complain(e, '请再按一次“记录交班”,不会重复记录。');
      deps.complain(e);
    }
  }

  byId('cashup-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void load();
  });
  byId('cashup-count-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void count();
  });
  byId('cashup-print').addEventListener('click', () => {
    document.body.classList.add('printing-slip');
    window.print();
    document.body.classList.remove('printing-slip');
  });

  return {
    async open() {
      const input = byId<HTMLInputElement>('cashup-date');
      if (!input.value) input.value = today();
      byId('cashup').hidden = false;
      await load();
      byId<HTMLInputElement>('cashup-counted').focus();
    },
  };
}
