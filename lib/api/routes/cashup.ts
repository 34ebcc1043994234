/**
 * 日结 / 交班: the day's takings per channel and cashier (a report in JSON, CSV and XLSX), and the
 * cashier's drawer count against it. A cashier reads and counts only their own day; an accountant
 * reads anyone's, or the whole counter's.
 */
import * as z from 'zod/mini';
import type { Actor } from '../../billing/context.js';
import { ForbiddenError } from '../../errors.js';
import type { Column } from '../../exports/table.js';
import { channelName } from '../../fee-types/catalog.js';
import { formatFen } from '../../money.js';
import { type Cashup, type CashupFigures, cashup, type DrawerCount } from '../../reports/cashup.js';
import { drawerCounts } from '../../reports/drawer-counts.js';
import { reportFormat, tableAnswer, withFormats } from '../report-formats.js';
import { once, route } from '../route.js';
import * as s from '../schemas.js';
import { drawerCount, inEstate, presentCount } from './drawer-counts.js';

const channelTotal = once(() => z.object({ channel: z.string(), count: z.int(), total: s.money() }));
const documentTotal = once(() => z.object({ count: z.int(), total: s.money() }));
const figures = once(() => ({
  byChannel: z.array(channelTotal()),
  creditNotes: documentTotal(),
  refunds: z.extend(documentTotal(), { byChannel: z.array(channelTotal()) }),
  cashExpected: s.signedMoney(),
  numberRanges: z.array(
    z.object({
      series: z.enum(['RECEIPT', 'CREDIT_NOTE', 'DEPOSIT_REFUND']),
      first: z.string(),
      last: z.string(),
      count: z.int(),
    }),
  ),
}));
const cashupResponse = once(() =>
  z.object({
    estateId: z.string(),
    date: s.date(),
    cashier: z.nullable(z.string()),
    ...figures(),
    byCashier: z.array(z.object({ cashier: z.string(), ...figures() })),
    counts: z.array(drawerCount()),
  }),
);

function presentFigures(f: CashupFigures) {
  const ch = (c: { channel: string; count: number; total: bigint }) => ({ ...c, total: formatFen(c.total) });
  return {
    byChannel: f.byChannel.map(ch),
    creditNotes: { count: f.creditNotes.count, total: formatFen(f.creditNotes.total) },
    refunds: {
      count: f.refunds.count,
      total: formatFen(f.refunds.total),
      byChannel: f.refunds.byChannel.map(ch),
    },
    cashExpected: formatFen(f.cashExpected),
    numberRanges: f.numberRanges,
  };
}

/** A row of the file: one line of the 交班 slip. */
interface SlipRow {
  cashier: string;
  item: string;
  count: number | null;
  amount: bigint;
}

const SLIP_COLUMNS: Column<SlipRow>[] = [
  { key: 'cashier', zh: '收款员', kind: 'text', value: (r) => r.cashier },
  { key: 'item', zh: '项目', kind: 'text', value: (r) => r.item, width: 20 },
  { key: 'count', zh: '笔数', kind: 'int', value: (r) => r.count },
  { key: 'amount', zh: '金额', kind: 'money', value: (r) => r.amount },
];

function* slipRows(c: Cashup, counts: DrawerCount[]): Iterable<SlipRow> {
  for (const who of c.byCashier) {
    for (const ch of who.byChannel) {
      yield {
        cashier: who.cashier,
        item: `收款 ${channelName(ch.channel)}`,
        count: ch.count,
        amount: ch.total,
      };
    }
    for (const ch of who.refunds.byChannel) {
      yield {
        cashier: who.cashier,
        item: `退押金 ${channelName(ch.channel)}`,
        count: ch.count,
        amount: ch.total,
      };
    }
    if (who.creditNotes.count > 0) {
      yield {
        cashier: who.cashier,
        item: '红冲',
        count: who.creditNotes.count,
        amount: who.creditNotes.total,
      };
    }
    yield { cashier: who.cashier, item: '应有现金', count: null, amount: who.cashExpected };
    const last = counts.filter((k) => k.cashier === who.cashier).at(-1);
    if (last) {
      yield { cashier: who.cashier, item: '实点现金', count: null, amount: last.counted };
      yield { cashier: who.cashier, item: '差额', count: null, amount: last.difference };
    }
  }
}

/** A cashier sees their own day only; `cashier` defaults to them. An accountant may name anyone. */
function cashierOf(actor: Actor, asked: string | undefined): string | undefined {
  if (actor.role !== 'cashier') return asked;
  if (asked !== undefined && asked !== actor.sub) {
    throw new ForbiddenError('OWN_CASHUP_ONLY', 'a cashier reads only their own cash-up');
  }
  return actor.sub;
}

/** In the ledger function (read-only). */
export const cashupRoutes = [
  ...withFormats(
    route({
      method: 'GET',
      path: '/v1/reports/cashup',
      operationId: 'cashup',
      summary:
        '日结: the day’s receipts, credit notes and deposit refunds per channel and cashier, number ranges, ' +
        'cash expected in the drawer and the drawer counts',
      group: 'ledger',
      access: 'RO',
      roles: ['cashier', 'accountant'],
      schemas: () => ({
        query: z.strictObject({
          estateId: s.estateId(),
          date: s.date(),
          cashier: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
        }),
        response: cashupResponse(),
      }),
      status: 200,
      async handler(req) {
        const { query, actor, ctx } = req;
        await inEstate(actor, ctx, query.estateId);
        const cashier = cashierOf(actor, query.cashier);
        const q = { estateId: query.estateId, date: query.date, ...(cashier ? { cashier } : {}) };
        const [report, counts] = await Promise.all([cashup(ctx.db, q), drawerCounts(ctx.db, q)]);
        const format = reportFormat(req);
        if (format !== 'json') {
          return tableAnswer({
            format,
            file: `cashup-${query.estateId}-${query.date}${cashier ? `-${cashier}` : ''}`,
            sheet: `日结 ${query.date}`,
            columns: SLIP_COLUMNS,
            rows: slipRows(report, counts),
          });
        }
        return {
          estateId: report.estateId,
          date: report.date,
          cashier: report.cashier,
          ...presentFigures(report),
          byCashier: report.byCashier.map((c) => ({ cashier: c.cashier, ...presentFigures(c) })),
          counts: counts.map(presentCount),
        };
      },
    }),
  ),
];
