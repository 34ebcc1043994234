/**
 * The query that feeds the revenue report and the vouchers: the latest month close before the
 * month and the ledger rows after it (or, with no close, the estate's ledger from its first
 * entry: an advance received years ago is still being earned), the settings history, and the unit
 * labels of the month's entries. Then the tables the files share.
 */
import { addressOf } from '../address.js';
import type { Ctx } from '../billing/context.js';
import type { Column } from '../exports/table.js';
import { entryPages, type LedgerEntry } from '../ledger/query.js';
import { UnitDirectory } from '../ledger/units.js';
import { formatFen } from '../money.js';
import { ledgerPk } from '../store/keys.js';
import { SEED_EFFECTIVE_FROM } from '../tariffs/catalog.js';
import { accountingFeeName, SettingsHistory } from './accounting-settings.js';
import { carriedMonth } from './carried.js';
import { closeAfter, lastEndedMonth, latestCloseBefore, type MonthClose, storeClose } from './month-close.js';
import { addMonth, firstDay, lastDay, type Month, monthOf } from './recognition.js';
import {
  type CarriedFee,
  type Flow,
  type RevenueReport,
  type RevenueRow,
  revenueFlows,
  revenueReport,
} from './revenue.js';
import { monthVouchers, type VoucherLine } from './vouchers.js';

/** Pages of this size keep the history's raw items short-lived (see lib/ledger/csv.ts). */
const HISTORY_PAGE_ITEMS = 1000;

export interface MonthBooks {
  month: Month;
  entries: LedgerEntry[];
  flows: Flow[];
  settings: SettingsHistory;
  /** The stored close the books start from, when there was one. */
  close?: MonthClose;
  /**
   * When the close is the month before's (format 2): what its open lines bring to the month, per
   * fee code; `flows` then hold the month's own rows only (carried.ts).
   */
  carried?: CarriedFee[];
  /** Unit labels of the month's rows, read while the rest loads (loadMonth's `labels`). */
  units?: { directory: UnitDirectory; loaded: Promise<void> };
}

/** Months of history read at once: DynamoDB answers a Query per month in parallel. */
const PARALLEL_MONTHS = 4;

/** The business date of the estate's first ledger entry, if any. */
async function firstEntryDate(db: Ctx['db'], estateId: string, to: string): Promise<string | undefined> {
  const page = await db.query({
    KeyConditionExpression: 'PK = :pk AND SK BETWEEN :lo AND :hi',
    ExpressionAttributeValues: {
      ':pk': ledgerPk(estateId),
      ':lo': `${SEED_EFFECTIVE_FROM}#`,
      ':hi': `${to}#~`,
    },
    ProjectionExpression: 'businessDate',
    Limit: 1,
  });
  const first = page.items[0]?.['businessDate'];
  return typeof first === 'string' ? first : undefined;
}

/**
 * Every entry of the months `from`..`to`, in time order, a month per Query, a few at a time;
 * `onPage` sees each page as it arrives.
 */
async function readMonths(
  db: Ctx['db'],
  estateId: string,
  from: Month,
  to: Month,
  onPage?: (page: readonly LedgerEntry[]) => void,
): Promise<LedgerEntry[]> {
  const months: Month[] = [];
  for (let m = from; m <= to; m = addMonth(m, 1)) months.push(m);
  const parts: LedgerEntry[][] = new Array(months.length);
  let next = 0;
  const reader = async () => {
    while (next < months.length) {
      const i = next++;
      const m = months[i]!;
      const part: LedgerEntry[] = [];
      const range = { estateId, from: firstDay(m), to: lastDay(m) };
      for await (const page of entryPages(db, range, { pageItems: HISTORY_PAGE_ITEMS })) {
        onPage?.(page);
        part.push(...page);
      }
      parts[i] = part;
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_MONTHS, months.length) }, reader));
  return parts.flat();
}

/** The entries after `close` (or from the estate's first) up to the month's last day. */
async function entriesSince(
  db: Ctx['db'],
  estateId: string,
  close: MonthClose | undefined,
  month: Month,
): Promise<LedgerEntry[]> {
  if (close) return readMonths(db, estateId, addMonth(close.month, 1), month);
  const first = await firstEntryDate(db, estateId, lastDay(month));
  return first ? readMonths(db, estateId, monthOf(first), month) : [];
}

/**
 * The month's books: the latest stored close before it (docs/accounting.md §2a) plus the ledger
 * rows after it, or the whole history when no close is stored. The month's own rows are read at
 * once, alongside the close and the settings; with `labels` (the vouchers) their units' labels are
 * read as soon as they arrive. `fromHistory` ignores closes (tests compare the two).
 */
export async function loadMonth(
  ctx: Pick<Ctx, 'db'>,
  estateId: string,
  month: Month,
  opts: { fromHistory?: boolean; labels?: boolean } = {},
): Promise<MonthBooks> {
  const units = opts.labels ? new UnitDirectory(ctx.db) : undefined;
  // Labels are read page by page as the month's rows arrive, not after the last page.
  const labelReads: Promise<void>[] = [];
  const own = opts.fromHistory
    ? undefined
    : readMonths(ctx.db, estateId, month, month, (page) => {
        if (!units) return;
        const read = units.load(page.map((e) => e.unitId));
        // Settled here too, so a failed read is never an unhandled rejection (awaited below).
        read.catch(() => undefined);
        labelReads.push(read);
      });
  const labelled = own && units ? own.then(() => Promise.all(labelReads)).then(() => undefined) : undefined;
  labelled?.catch(() => undefined);
  const [settings, close] = await Promise.all([
    SettingsHistory.load(ctx, estateId),
    opts.fromHistory ? undefined : latestCloseBefore(ctx.db, estateId, month),
  ]);
  const entries = own
    ? [...(await entriesSince(ctx.db, estateId, close, addMonth(month, -1))), ...(await own)]
    : await entriesSince(ctx.db, estateId, undefined, month);
  const carried = carriedMonth(close, month, settings);
  const flows = carried
    ? revenueFlows(entries, settings, carried.lines)
    : revenueFlows(close ? [...close.lines, ...entries] : entries, settings);
  return {
    month,
    entries,
    settings,
    flows,
    ...(close ? { close } : {}),
    ...(carried ? { carried: carried.fees() } : {}),
    ...(units && labelled ? { units: { directory: units, loaded: labelled } } : {}),
  };
}

/**
 * Closes every ended month of the estate through `through` (default: the last ended month) that
 * has none, each from the one before: the scheduler's month-end step. Returns the months closed.
 */
export async function closeMonths(
  ctx: Pick<Ctx, 'db' | 'now'>,
  estateId: string,
  through: Month = lastEndedMonth(ctx.now()),
): Promise<Month[]> {
  if (through > lastEndedMonth(ctx.now())) throw new RangeError(`month ${through} has not ended: no close`);
  const [settings, found] = await Promise.all([
    SettingsHistory.load(ctx, estateId),
    latestCloseBefore(ctx.db, estateId, addMonth(through, 1)),
  ]);
  let prior = found;
  if (prior?.month === through) return [];
  const entries = await entriesSince(ctx.db, estateId, prior, through);
  if (entries.length === 0 && !prior) return [];
  const byMonth = new Map<Month, LedgerEntry[]>();
  for (const e of entries) {
    const m = monthOf(e.businessDate);
    byMonth.set(m, [...(byMonth.get(m) ?? []), e]);
  }
  const closed: Month[] = [];
  const start = prior ? addMonth(prior.month, 1) : monthOf(entries[0]!.businessDate);
  for (let m = start; m <= through; m = addMonth(m, 1)) {
    const own = byMonth.get(m) ?? [];
    const flows = revenueFlows([...(prior?.lines ?? []), ...own], settings);
    const close = closeAfter(estateId, m, flows, own, prior);
    if (!(await storeClose(ctx, close))) break;
    closed.push(m);
    prior = close;
  }
  return closed;
}

export function monthRevenue(estateId: string, books: MonthBooks): RevenueReport {
  return revenueReport(estateId, books.month, books.flows, books.carried);
}

export async function monthVoucherLines(ctx: Pick<Ctx, 'db'>, books: MonthBooks): Promise<VoucherLine[]> {
  const units = books.units?.directory ?? new UnitDirectory(ctx.db);
  await books.units?.loaded;
  await units.load(books.entries.filter((e) => monthOf(e.businessDate) === books.month).map((e) => e.unitId));
  return monthVouchers({
    month: books.month,
    entries: books.entries,
    flows: books.flows,
    accounts: books.settings.at(books.month).accounts,
    ...(books.carried ? { carried: books.carried } : {}),
    ...(books.close ? { receiptChannel: (no: string) => books.close?.channels.get(no) } : {}),
    auxiliary: (e) => {
      const l = units.label(e.unitId);
      return l ? addressOf(l, '-') : (e.plate ?? e.unitId ?? '');
    },
  });
}

// ---- presentation ----------------------------------------------------------------------------

const MONEY_FIELDS = [
  'opening',
  'received',
  'recognised',
  'closing',
  'receivedNet',
  'receivedTax',
  'recognisedNet',
  'recognisedTax',
] as const;

export function presentRevenue(r: RevenueReport) {
  const money = (row: Omit<RevenueRow, 'feeCode'>) =>
    Object.fromEntries(MONEY_FIELDS.map((k) => [k, formatFen(row[k])])) as Record<
      (typeof MONEY_FIELDS)[number],
      string
    >;
  return {
    estateId: r.estateId,
    month: r.month,
    currency: 'CNY' as const,
    rows: r.rows.map((row) => ({ feeCode: row.feeCode, ...money(row) })),
    totals: money(r.totals),
  };
}

export const REVENUE_COLUMNS: readonly Column<RevenueRow>[] = [
  { key: 'feeCode', zh: '收费项目', kind: 'text', value: (r) => accountingFeeName(r.feeCode), width: 24 },
  { key: 'opening', zh: '期初预收余额', kind: 'money', value: (r) => r.opening, total: true },
  { key: 'received', zh: '本月收款', kind: 'money', value: (r) => r.received, total: true },
  { key: 'recognised', zh: '本月确认收入', kind: 'money', value: (r) => r.recognised, total: true },
  { key: 'closing', zh: '期末预收余额', kind: 'money', value: (r) => r.closing, total: true },
  { key: 'receivedNet', zh: '收款不含税金额', kind: 'money', value: (r) => r.receivedNet, total: true },
  { key: 'receivedTax', zh: '收款销项税额', kind: 'money', value: (r) => r.receivedTax, total: true },
  {
    key: 'recognisedNet',
    zh: '确认收入不含税金额',
    kind: 'money',
    value: (r) => r.recognisedNet,
    total: true,
  },
  { key: 'recognisedTax', zh: '确认收入销项税额', kind: 'money', value: (r) => r.recognisedTax, total: true },
];

export function presentVoucherLine(l: VoucherLine) {
  return { ...l, debit: formatFen(l.debit), credit: formatFen(l.credit) };
}

export const VOUCHER_LAYOUTS = ['kingdee', 'yonyou'] as const;
export type VoucherLayout = (typeof VOUCHER_LAYOUTS)[number];

/**
 * The import layouts (docs/accounting.md): 金蝶 (KIS / 精斗云 / 云星空 凭证引入) and 用友 (T3 / T+ /
 * U8 凭证导入). Same rows, each product's column words; 凭证字/凭证类别 is 记 (记账凭证).
 */
export function voucherColumns(layout: VoucherLayout): Column<VoucherLine>[] {
  const k = layout === 'kingdee';
  return [
    { key: 'date', zh: k ? '日期' : '制单日期', kind: 'date', value: (l) => l.date },
    { key: 'voucherWord', zh: k ? '凭证字' : '凭证类别', kind: 'text', value: () => '记', width: 8 },
    { key: 'voucherNo', zh: k ? '凭证号' : '凭证编号', kind: 'int', value: (l) => l.voucherNo },
    { key: 'summary', zh: '摘要', kind: 'text', value: (l) => l.summary, width: 40 },
    {
      key: 'accountCode',
      zh: k ? '科目代码' : '科目编码',
      kind: 'text',
      value: (l) => l.accountCode,
      width: 12,
    },
    { key: 'accountName', zh: '科目名称', kind: 'text', value: (l) => l.accountName, width: 30 },
    { key: 'debit', zh: k ? '借方金额' : '借方', kind: 'money', value: (l) => l.debit, total: true },
    { key: 'credit', zh: k ? '贷方金额' : '贷方', kind: 'money', value: (l) => l.credit, total: true },
    { key: 'auxiliary', zh: k ? '核算项目' : '辅助项', kind: 'text', value: (l) => l.auxiliary, width: 16 },
  ];
}
