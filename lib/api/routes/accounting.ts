/**
 * The accountant's month (SPEC.md §10): accounting settings and the price board (billing group:
 * estate set-up data), and the revenue, voucher and disclosure reports (ledger group, read-only).
 */
import * as z from 'zod/mini';
import { getEstate, listTariffs } from '../../billing/estates.js';
import { changeSettings, SettingsHistory, type SettingsVersion } from '../../reports/accounting-settings.js';
import { priceBoard, priceBoardPage } from '../../reports/price-board.js';
import { monthOf } from '../../reports/recognition.js';
import { businessDate } from '../../time.js';
import { requireEstate } from '../auth.js';
import { once, RawResponse, route } from '../route.js';
import * as s from '../schemas.js';
import { ANY_ROLE } from './common.js';

const _ACCOUNTANT = ['accountant'] as const;
const estateParams = once(() => z.strictObject({ estateId: s.estateId() }));
const month = once(() => z.string().check(z.regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month YYYY-MM')));
const codes = once(() => z.record(z.string(), z.string()));

const settingsBody = once(() =>
  z.strictObject({
    vatRates: z.optional(z.record(z.string(), z.nullable(z.string()))),
    accounts: z.optional(
      z.strictObject({
        channels: z.optional(codes()),
        feeCodes: z.optional(codes()),
        outputVat: z.optional(z.string()),
        advanceReceipts: z.optional(z.string()),
        unapplied: z.optional(z.string()),
        names: z.optional(codes()),
      }),
    ),
  }),
);
const settings = once(() =>
  z.object({
    estateId: z.string(),
    effectiveFrom: month().check(z.meta({ description: 'the month these settings apply from' })),
    vatRates: z.record(z.string(), z.nullable(z.string())),
    accounts: z.object({
      channels: codes(),
      feeCodes: codes(),
      outputVat: z.string(),
      advanceReceipts: z.string(),
      unapplied: z.string(),
      names: codes(),
    }),
  }),
);

const boardRate = once(() =>
  z.object({
    feeCode: z.string(),
    unitType: z.optional(z.string()),
    rentalKind: z.optional(z.string()),
    name: z.string(),
    rate: z.string(),
    unit: z.string(),
  }),
);
const boardVersion = once(() => ({
  effectiveFrom: s.date(),
  noticeDate: s.date(),
  approvalRef: z.nullable(z.string()),
  rates: z.array(boardRate()),
  tempParkingBands: z.array(z.object({ upToMinutes: z.int(), amount: s.money() })),
}));

const wantsHtml = (headers: Record<string, string>) => (headers['accept'] ?? '').includes('text/html');
const html = (body: string) => new RawResponse(body, { 'content-type': 'text/html; charset=utf-8' });
const present = (v: SettingsVersion) => v;

export const accountingRoutes = [
  route({
    method: 'GET',
    path: '/v1/estates/{estateId}/accounting',
    operationId: 'getAccountingSettings',
    summary: 'VAT rates per fee code and the chart-of-accounts mapping in effect this month',
    group: 'billing',
    access: 'RO',
    roles: ['admin', 'accountant'],
    schemas: () => ({
      params: estateParams(),
      query: z.strictObject({ month: z.optional(month()) }),
      response: settings(),
    }),
    status: 200,
    async handler({ params, query, actor, ctx }) {
      requireEstate(actor, params.estateId);
      await getEstate(ctx, params.estateId);
      const history = await SettingsHistory.load(ctx, params.estateId);
      return present(history.at(query.month ?? monthOf(businessDate(ctx.now()))));
    },
  }),
  route({
    method: 'PUT',
    path: '/v1/estates/{estateId}/accounting',
    operationId: 'putAccountingSettings',
    summary:
      'Change VAT rates or accounts (merged into the current settings), applying from this month; audited',
    group: 'billing',
    access: 'RW',
    roles: ['admin'],
    schemas: () => ({
      params: estateParams(),
      body: settingsBody(),
      response: settings(),
    }),
    status: 200,
    async handler({ params, body, actor, ctx }) {
      requireEstate(actor, params.estateId);
      await getEstate(ctx, params.estateId);
      return present(await changeSettings(ctx, params.estateId, body));
    },
  }),
  route({
    method: 'GET',
    path: '/v1/estates/{estateId}/price-board',
    operationId: 'priceBoard',
    summary:
      '明码标价: the tariff in force, its approval and effective date, announced versions (HTML with Accept: text/html)',
    group: 'billing',
    access: 'RO',
    roles: ANY_ROLE,
    schemas: () => ({
      params: estateParams(),
      response: z.object({
        estateId: z.string(),
        asOf: s.date(),
        ...boardVersion(),
        announced: z.array(z.object(boardVersion())),
      }),
    }),
    status: 200,
    async handler({ params, actor, ctx, headers }) {
      requireEstate(actor, params.estateId);
      const estate = await getEstate(ctx, params.estateId);
      const board = priceBoard(
        params.estateId,
        await listTariffs(ctx, params.estateId),
        businessDate(ctx.now()),
      );
      return wantsHtml(headers) ? html(priceBoardPage(board, estate.name)) : board;
    },
  }),
];
