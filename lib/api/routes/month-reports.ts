/**
 * The accountant's month (SPEC.md §10): the revenue, voucher and disclosure reports (ledger group,
 * read-only). Settings and the price board are in ./accounting.ts (billing group).
 */
import * as z from 'zod/mini';
import { getEstate } from '../../billing/estates.js';
import { parseMoney } from '../../money.js';
import { disclosure, disclosurePage } from '../../reports/disclosure.js';
import {
  loadMonth,
  monthRevenue,
  monthVoucherLines,
  presentRevenue,
  presentVoucherLine,
  REVENUE_COLUMNS,
  VOUCHER_LAYOUTS,
  voucherColumns,
} from '../../reports/month.js';
import { requireEstate } from '../auth.js';
import { reportFormat, tableAnswer, withFormats } from '../report-formats.js';
import { once, RawResponse, route } from '../route.js';
import * as s from '../schemas.js';

const ACCOUNTANT = ['accountant'] as const;
const month = once(() => z.string().check(z.regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month YYYY-MM')));
const money = once(() => s.signedMoney());
const revenueFigures = once(() => ({
  opening: money(),
  received: money(),
  recognised: money(),
  closing: money(),
  receivedNet: money(),
  receivedTax: money(),
  recognisedNet: money(),
  recognisedTax: money(),
}));
const revenue = once(() =>
  z.object({
    estateId: z.string(),
    month: month(),
    currency: z.literal('CNY'),
    rows: z.array(z.object({ feeCode: z.string(), ...revenueFigures() })),
    totals: z.object(revenueFigures()),
  }),
);
const voucherLine = once(() =>
  z.object({
    date: s.date(),
    voucherNo: z.int(),
    summary: z.string(),
    accountCode: z.string(),
    accountName: z.string(),
    debit: money(),
    credit: money(),
    auxiliary: z.string(),
  }),
);

const wantsHtml = (headers: Record<string, string>) => (headers['accept'] ?? '').includes('text/html');
const html = (body: string) => new RawResponse(body, { 'content-type': 'text/html; charset=utf-8' });

export const monthReportRoutes = [
  ...withFormats(
    route({
      method: 'GET',
      path: '/v1/reports/revenue',
      operationId: 'revenueReport',
      summary:
        'Advance receipts and revenue of a month per fee code: opening + received − recognised = closing, with net and tax',
      group: 'accounting',
      access: 'RO',
      roles: ACCOUNTANT,
      schemas: () => ({
        query: z.strictObject({ estateId: s.estateId(), month: month() }),
        response: revenue(),
      }),
      status: 200,
      async handler({ query, actor, ctx, headers, path }) {
        requireEstate(actor, query.estateId);
        await getEstate(ctx, query.estateId);
        const report = monthRevenue(query.estateId, await loadMonth(ctx, query.estateId, query.month));
        const format = reportFormat({ path, headers });
        if (format === 'json') return presentRevenue(report);
        return tableAnswer({
          format,
          file: `revenue-${query.estateId}-${query.month}`,
          sheet: `预收与收入 ${query.month}`,
          columns: REVENUE_COLUMNS,
          rows: report.rows,
          totals: true,
        });
      },
    }),
  ),
  ...withFormats(
    route({
      method: 'GET',
      path: '/v1/reports/vouchers',
      operationId: 'monthVouchers',
      summary:
        '记账凭证 of a month, every voucher balanced; files laid out for 金蝶 (`layout=kingdee`) or 用友 (`layout=yonyou`)',
      group: 'accounting',
      access: 'RO',
      roles: ACCOUNTANT,
      schemas: () => ({
        query: z.strictObject({
          estateId: s.estateId(),
          month: month(),
          layout: z._default(z.enum(VOUCHER_LAYOUTS), 'kingdee'),
        }),
        response: z.object({
          estateId: z.string(),
          month: month(),
          vouchers: z.int(),
          lines: z.array(voucherLine()),
        }),
      }),
      status: 200,
      async handler({ query, actor, ctx, headers, path }) {
        requireEstate(actor, query.estateId);
        await getEstate(ctx, query.estateId);
        const books = await loadMonth(ctx, query.estateId, query.month, { labels: true });
        const lines = await monthVoucherLines(ctx, books);
        const format = reportFormat({ path, headers });
        if (format === 'json')
          return {
            estateId: query.estateId,
            month: query.month,
            vouchers: lines.length ? lines[lines.length - 1]!.voucherNo : 0,
            lines: lines.map(presentVoucherLine),
          };
        return tableAnswer({
          format,
          file: `vouchers-${query.estateId}-${query.month}-${query.layout}`,
          sheet: `记账凭证 ${query.month}`,
          columns: voucherColumns(query.layout),
          rows: lines,
        });
      },
    }),
  ),
  ...withFormats(
    route({
      method: 'GET',
      path: '/v1/reports/disclosure',
      operationId: 'quarterlyDisclosure',
      summary:
        '收支公示 of a quarter: collections, collection rates, deposits, due date (HTML with Accept: text/html)',
      group: 'accounting',
      access: 'RO',
      roles: ACCOUNTANT,
      schemas: () => ({
        query: z.strictObject({
          estateId: s.estateId(),
          quarter: z.string().check(z.regex(/^\d{4}Q[1-4]$/, 'must be a quarter such as 2026Q3')),
        }),
        response: z.object({
          estateId: z.string(),
          quarter: z.string(),
          from: s.date(),
          to: s.date(),
          dueDate: s.date(),
          collections: z.array(
            z.object({ feeCode: z.string(), name: z.string(), amount: money(), paidService: z.boolean() }),
          ),
          totalCollected: money(),
          collectionRate: z.nullable(z.string()),
          householdCollectionRate: z.nullable(z.string()),
          byFeeCode: z.array(
            z.object({
              feeCode: z.string(),
              receivable: money(),
              received: money(),
              collectionRate: z.nullable(z.string()),
            }),
          ),
          deposits: z.object({ held: money(), received: money(), refunded: money(), deducted: money() }),
          paidServices: z.array(z.object({ feeCode: z.string(), amount: money() })),
        }),
      }),
      status: 200,
      async handler({ query, actor, ctx, headers, path }) {
        requireEstate(actor, query.estateId);
        const estate = await getEstate(ctx, query.estateId);
        const d = await disclosure(ctx, query.estateId, query.quarter);
        const format = reportFormat({ path, headers });
        if (format === 'json') return wantsHtml(headers) ? html(disclosurePage(d, estate.name)) : d;
        type Row = (typeof d.collections)[number];
        return tableAnswer<Row>({
          format,
          file: `disclosure-${query.estateId}-${query.quarter}`,
          sheet: `收支公示 ${query.quarter}`,
          columns: [
            { key: 'feeCode', zh: '收费项目', kind: 'text', value: (r) => r.name, width: 24 },
            { key: 'paidService', zh: '有偿服务', kind: 'text', value: (r) => (r.paidService ? '是' : '') },
            {
              key: 'amount',
              zh: '本季收款',
              kind: 'money',
              value: (r) => parseMoney(r.amount, 'amount', { allowNegative: true }),
              total: true,
            },
          ],
          rows: d.collections,
          totals: true,
        });
      },
    }),
  ),
];
