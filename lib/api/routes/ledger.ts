/** Routes for accountants: the ledger as JSON pages or CSV parts, and the collection summary. */
import * as z from 'zod/mini';
import type { Actor, Ctx } from '../../billing/context.js';
import { LEDGER_KINDS } from '../../billing/context.js';
import { getEstate } from '../../billing/estates.js';
import { XLSX_TYPE } from '../../exports/xlsx.js';
import { CSV_LANGS, csvPart, DEFAULT_PART_ROWS, MAX_PART_ROWS } from '../../ledger/csv.js';
import { type LedgerEntry, type LedgerRange, parseRange, readEntries } from '../../ledger/query.js';
import { summarise } from '../../ledger/summary.js';
import { presentSummary, SUMMARY_COLUMNS, summaryRows } from '../../ledger/summary-present.js';
import { UnitDirectory } from '../../ledger/units.js';
import { DEFAULT_XLSX_PART_ROWS, MAX_XLSX_PART_ROWS, xlsxPart } from '../../ledger/xlsx.js';
import { formatFen } from '../../money.js';
import { requireEstate } from '../auth.js';
import { presentPeriod } from '../present.js';
import { reportFormat, tableAnswer, withFormats } from '../report-formats.js';
import { once, RawResponse, route } from '../route.js';
import * as s from '../schemas.js';
import { page } from './common.js';

const ACCOUNTANT = ['accountant'] as const;

const rangeQuery = once(() => ({ estateId: s.estateId(), from: s.date(), to: s.date() }));

const ledgerEntry = once(() =>
  z.object({
    businessDate: s.date(),
    at: z.string(),
    kind: z.enum(LEDGER_KINDS),
    documentNo: z.string(),
    invoiceNo: z.optional(z.string()),
    receiptNo: z.optional(z.string()),
    creditNoteNo: z.optional(z.string()),
    unitId: z.optional(z.string()),
    building: z.optional(z.string()),
    entrance: z.optional(z.string()),
    room: z.optional(z.string()),
    plate: z.optional(z.string()),
    feeCode: z.string(),
    period: z.optional(s.period()),
    amount: s.signedMoney(),
    channel: z.optional(s.channel()),
    actor: z.string(),
  }),
);

const rate = once(() =>
  z
    .nullable(z.string().check(z.regex(/^\d\.\d{4}$/)))
    .check(z.meta({ description: 'ratio, 4 decimals; null when nothing was due' })),
);
const feeFigures = once(() =>
  z.object({
    issued: s.signedMoney(),
    cashSales: s.signedMoney(),
    voided: s.signedMoney(),
    credited: s.signedMoney(),
    receivable: s.signedMoney().check(z.meta({ description: '应收' })),
    received: s.signedMoney().check(z.meta({ description: '实收' })),
    outstanding: s.signedMoney().check(z.meta({ description: '欠费' })),
    notYetDue: s
      .signedMoney()
      .check(z.meta({ description: '未到期: billed in the range, unpaid, due after its end' })),
    collectionRate: rate(),
    households: z.object({ billed: z.int(), paidInFull: z.int(), collectionRate: rate() }),
    earlierInvoices: z.object({
      collected: s.signedMoney(),
      voided: s.signedMoney(),
      credited: s.signedMoney(),
    }),
  }),
);
const depositFigures = once(() =>
  z.object({
    heldAtStart: s.signedMoney(),
    received: s.signedMoney(),
    credited: s.signedMoney(),
    deducted: s.signedMoney(),
    refunded: s.signedMoney(),
    heldAtEnd: s.signedMoney(),
  }),
);
const summary = once(() =>
  z.object({
    estateId: z.string(),
    from: s.date(),
    to: s.date(),
    currency: z.literal('CNY'),
    entries: z.int(),
    totals: feeFigures(),
    byFeeCode: z.array(z.extend(feeFigures(), { feeCode: s.feeCode(), deposit: z.boolean() })),
    deposits: z.extend(depositFigures(), {
      byFeeCode: z.array(z.extend(depositFigures(), { feeCode: s.feeCode() })),
    }),
    byKind: z.array(z.object({ kind: z.enum(LEDGER_KINDS), count: z.int(), amount: s.signedMoney() })),
  }),
);

/** The caller's estate scope, the estate's existence, and a valid range, in that order. */
async function rangeInScope(
  actor: Actor,
  ctx: Ctx,
  q: { estateId: string; from: string; to: string },
): Promise<LedgerRange> {
  requireEstate(actor, q.estateId);
  const range = parseRange(q);
  await getEstate(ctx, q.estateId);
  return range;
}

function presentEntry(e: LedgerEntry, units: UnitDirectory) {
  const label = units.label(e.unitId);
  return {
    businessDate: e.businessDate,
    at: e.at,
    kind: e.kind,
    documentNo: e.documentNo,
    ...(e.invoiceNo ? { invoiceNo: e.invoiceNo } : {}),
    ...(e.receiptNo ? { receiptNo: e.receiptNo } : {}),
    ...(e.creditNoteNo ? { creditNoteNo: e.creditNoteNo } : {}),
    ...(e.unitId ? { unitId: e.unitId } : {}),
    ...(label
      ? {
          building: label.building,
          ...(label.entrance ? { entrance: label.entrance } : {}),
          room: label.room,
        }
      : {}),
    ...(e.plate ? { plate: e.plate } : {}),
    feeCode: e.feeCode,
    ...(e.periodStart && e.periodEnd
      ? { period: presentPeriod({ start: e.periodStart, end: e.periodEnd }) }
      : {}),
    amount: formatFen(e.amount),
    ...(e.channel ? { channel: e.channel } : {}),
    actor: e.actor,
  };
}

export const ledgerRoutes = [
  route({
    method: 'GET',
    path: '/v1/ledger',
    operationId: 'listLedger',
    summary: 'Ledger entries of an estate for a range of business dates, in time order',
    group: 'ledger',
    access: 'RO',
    roles: ACCOUNTANT,
    schemas: () => ({
      query: z.strictObject({ ...rangeQuery(), limit: s.limit(), cursor: s.cursor() }),
      response: page(ledgerEntry()),
    }),
    status: 200,
    async handler({ query, actor, ctx }) {
      const range = await rangeInScope(actor, ctx, query);
      const out = await readEntries(ctx.db, range, {
        limit: query.limit,
        ...(query.cursor ? { cursor: query.cursor } : {}),
      });
      const units = new UnitDirectory(ctx.db);
      await units.load(out.entries.map((e) => e.unitId));
      return {
        items: out.entries.map((e) => presentEntry(e, units)),
        ...(out.nextCursor ? { nextCursor: out.nextCursor } : {}),
      };
    },
  }),
  route({
    method: 'GET',
    path: '/v1/ledger.csv',
    operationId: 'exportLedgerCsv',
    summary:
      'The same range as CSV (UTF-8 with BOM, CRLF, RFC 4180), in parts of at most `limit` rows and 5 MB; ' +
      'the `x-next-cursor` header (and a `Link: rel="next"`) names the next part, absent on the last',
    group: 'ledger',
    access: 'RO',
    roles: ACCOUNTANT,
    schemas: () => ({
      query: z.strictObject({
        ...rangeQuery(),
        lang: z._default(z.enum(CSV_LANGS), 'en'),
        limit: z._default(
          z.coerce.number().check(z.int(), z.gte(1), z.lte(MAX_PART_ROWS)),
          DEFAULT_PART_ROWS,
        ),
        cursor: s.cursor(),
      }),
      response: z.string(),
    }),
    produces: 'text/csv',
    status: 200,
    async handler({ query, actor, ctx }) {
      const range = await rangeInScope(actor, ctx, query);
      const part = await csvPart(ctx.db, range, {
        lang: query.lang,
        limit: query.limit,
        ...(query.cursor ? { cursor: query.cursor } : {}),
      });
      const file = `ledger-${range.estateId}-${range.from}-${range.to}.csv`;
      const headers: Record<string, string> = {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${file}"`,
        'x-row-count': String(part.rows),
      };
      if (part.nextCursor) {
        const next = new URLSearchParams({
          estateId: range.estateId,
          from: range.from,
          to: range.to,
          lang: query.lang,
          limit: String(query.limit),
          cursor: part.nextCursor,
        });
        headers['x-next-cursor'] = part.nextCursor;
        headers['link'] = `</v1/ledger.csv?${next.toString()}>; rel="next"`;
      }
      return new RawResponse(part.body, headers);
    },
  }),
  route({
    method: 'GET',
    path: '/v1/ledger.xlsx',
    operationId: 'exportLedgerXlsx',
    summary:
      'The same range as XLSX (number cells `0.00`, date cells, Chinese headers), in parts of at most `limit` rows; ' +
      'the `x-next-cursor` header (and a `Link: rel="next"`) names the next part. Whole ranges: `npm run ledger -- --format xlsx`',
    group: 'ledger',
    access: 'RO',
    roles: ACCOUNTANT,
    schemas: () => ({
      query: z.strictObject({
        ...rangeQuery(),
        limit: z._default(
          z.coerce.number().check(z.int(), z.gte(1), z.lte(MAX_XLSX_PART_ROWS)),
          DEFAULT_XLSX_PART_ROWS,
        ),
        cursor: s.cursor(),
      }),
      response: z.string(),
    }),
    produces: XLSX_TYPE,
    status: 200,
    async handler({ query, actor, ctx }) {
      const range = await rangeInScope(actor, ctx, query);
      const part = await xlsxPart(ctx.db, range, {
        limit: query.limit,
        ...(query.cursor ? { cursor: query.cursor } : {}),
      });
      const headers: Record<string, string> = {
        'content-type': XLSX_TYPE,
        'content-disposition': `attachment; filename="ledger-${range.estateId}-${range.from}-${range.to}.xlsx"`,
        'x-row-count': String(part.rows),
      };
      if (part.nextCursor) {
        const next = new URLSearchParams({
          estateId: range.estateId,
          from: range.from,
          to: range.to,
          limit: String(query.limit),
          cursor: part.nextCursor,
        });
        headers['x-next-cursor'] = part.nextCursor;
        headers['link'] = `</v1/ledger.xlsx?${next.toString()}>; rel="next"`;
      }
      return new RawResponse(new Uint8Array(part.body), headers);
    },
  }),
  ...withFormats(
    route({
      method: 'GET',
      path: '/v1/reports/summary',
      operationId: 'ledgerSummary',
      summary:
        'Receivable (应收), received (实收), outstanding (欠费), collection rates and deposits held, per fee code',
      group: 'ledger',
      access: 'RO',
      roles: ACCOUNTANT,
      schemas: () => ({
        query: z.strictObject(rangeQuery()),
        response: summary(),
      }),
      status: 200,
      async handler({ query, actor, ctx, path, headers }) {
        const range = await rangeInScope(actor, ctx, query);
        const result = await summarise(ctx.db, range);
        const format = reportFormat({ path, headers });
        if (format === 'json') return presentSummary(result);
        return tableAnswer({
          format,
          file: `summary-${range.estateId}-${range.from}-${range.to}`,
          sheet: `收费汇总 ${range.from} 至 ${range.to}`,
          columns: SUMMARY_COLUMNS,
          rows: summaryRows(result),
          totals: true,
        });
      },
    }),
  ),
];
