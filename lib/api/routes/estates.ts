/** Routes of estates and their prices: quotes, estates, tariff versions, holiday calendars. */
import * as z from 'zod/mini';
import {
  addTariff,
  createEstate,
  getEstate,
  listTariffs,
  putCalendar,
  tariffOn,
} from '../../billing/estates.js';
import { FEE_CODES, FEE_TYPES, type FeeTypeInfo } from '../../fee-types/catalog.js';
import { quote } from '../../fees/quote.js';
import { formatFen } from '../../money.js';
import { key } from '../../store/keys.js';
import type { TariffRates } from '../../tariffs/catalog.js';
import { businessDate, parseBizDate } from '../../time.js';
import { requireEstate } from '../auth.js';
import { pageOf } from '../list-page.js';
import { presentEstate, presentLine } from '../present.js';
import { once, route } from '../route.js';
import * as s from '../schemas.js';
import { ANY_ROLE, estateParams, page } from './common.js';

/** One figure per fee type with a tariff figure in the registry, shaped as its kind says. */
const tariffRates = once(
  () =>
    z.strictObject(
      Object.fromEntries(
        FEE_CODES.flatMap((code): [string, z.ZodMiniType][] => {
          const figure = (FEE_TYPES[code] as FeeTypeInfo).tariff;
          if (!figure) return [];
          if (figure.kind === 'rateBy')
            return [
              [code, z.strictObject(Object.fromEntries(Object.keys(figure.seed).map((k) => [k, s.rate()])))],
            ];
          return [[code, figure.kind === 'money' ? s.money() : s.rate()]];
        }),
      ),
    ) as unknown as z.ZodMiniType<TariffRates>,
);
const tariffVersionInput = once(() =>
  z.strictObject({
    effectiveFrom: s.date(),
    noticeDate: s.date(),
    approvalRef: s.text(200),
    rates: tariffRates(),
    tempParkingBands: z
      .array(z.strictObject({ upToMinutes: z.int().check(z.gte(1), z.lte(1440)), amount: s.money() }))
      .check(z.minLength(1), z.maxLength(20)),
  }),
);
const tariffVersion = once(() =>
  z.extend(tariffVersionInput(), { estateId: z.string(), versionId: z.string() }),
);

const estate = once(() =>
  z.object({
    estateId: z.string(),
    name: z.string(),
    noticeLeadDays: z.int(),
    exitGraceMinutes: z.int(),
    createdAt: z.string(),
  }),
);
export const estateRoutes = [
  route({
    method: 'POST',
    path: '/v1/quotes',
    operationId: 'createQuote',
    summary: 'Price items without storing anything',
    group: 'billing',
    access: 'RO',
    roles: ANY_ROLE,
    schemas: () => ({
      body: z.strictObject({
        estateId: s.estateId(),
        on: z.optional(s.date()),
        items: z.array(s.quoteItem()).check(z.minLength(1), z.maxLength(50)),
      }),
      response: s.quoteResponse(),
    }),
    status: 200,
    async handler({ body, actor, ctx }) {
      requireEstate(actor, body.estateId);
      const on = body.on ? parseBizDate(body.on, 'on') : businessDate(ctx.now());
      // Both reads at once: an unknown estate still answers 404 (its tariff list is then empty).
      const [, versions] = await Promise.all([
        getEstate(ctx, body.estateId),
        listTariffs(ctx, body.estateId),
      ]);
      const tariff = tariffOn(versions, on);
      const q = quote(body.items, tariff);
      return {
        currency: 'CNY',
        total: formatFen(q.total),
        tariffVersion: q.tariffVersion,
        lines: q.lines.map(presentLine),
      };
    },
  }),
  route({
    method: 'POST',
    path: '/v1/estates',
    operationId: 'createEstate',
    summary: 'Create an estate (it starts on the contract-standard tariff)',
    group: 'billing',
    access: 'RW',
    roles: ['admin'],
    schemas: () => ({
      body: z.strictObject({
        estateId: s.estateId(),
        name: s.text(100),
        noticeLeadDays: z.optional(z.int().check(z.gte(0), z.lte(365))),
        exitGraceMinutes: z.optional(z.int().check(z.gte(0), z.lte(240))),
      }),
      response: estate(),
    }),
    status: 201,
    async handler({ body, actor, ctx }) {
      requireEstate(actor, body.estateId);
      return presentEstate(await createEstate(ctx, body));
    },
  }),
  route({
    method: 'GET',
    path: '/v1/estates/{estateId}/tariffs',
    operationId: 'listTariffs',
    summary: 'Tariff versions of an estate, newest first',
    group: 'billing',
    access: 'RO',
    roles: ANY_ROLE,
    schemas: () => ({
      params: estateParams(),
      query: z.strictObject({ limit: s.limit(), cursor: s.cursor() }),
      response: page(tariffVersion()),
    }),
    status: 200,
    async handler({ params, query, actor, ctx }) {
      requireEstate(actor, params.estateId);
      await getEstate(ctx, params.estateId);
      const all = await listTariffs(ctx, params.estateId);
      return pageOf(
        all,
        (v) => key.tariff(v.estateId, v.effectiveFrom),
        query,
        key.estate(params.estateId).PK,
      );
    },
  }),
  route({
    method: 'POST',
    path: '/v1/estates/{estateId}/tariffs',
    operationId: 'addTariff',
    summary: 'Add a tariff version (approval reference, notice at least the lead days ahead)',
    group: 'billing',
    access: 'RW',
    roles: ['admin'],
    schemas: () => ({
      params: estateParams(),
      body: tariffVersionInput(),
      response: tariffVersion(),
    }),
    status: 201,
    async handler({ params, body, actor, ctx }) {
      requireEstate(actor, params.estateId);
      return addTariff(ctx, params.estateId, body);
    },
  }),
  route({
    method: 'PUT',
    path: '/v1/estates/{estateId}/calendar/{year}',
    operationId: 'putCalendar',
    summary: "Set a year's statutory holidays and make-up working days",
    group: 'billing',
    access: 'RW',
    roles: ['admin'],
    schemas: () => ({
      params: z.strictObject({
        estateId: s.estateId(),
        year: z.string().check(z.regex(/^20\d{2}$/, 'must be a year 2000-2099')),
      }),
      body: z.strictObject({
        holidays: z.array(s.date()).check(z.maxLength(366)),
        workdays: z.array(s.date()).check(z.maxLength(366)),
      }),
      response: z.object({ year: z.int(), holidays: z.array(s.date()), workdays: z.array(s.date()) }),
    }),
    status: 200,
    async handler({ params, body, actor, ctx }) {
      requireEstate(actor, params.estateId);
      return putCalendar(ctx, params.estateId, Number(params.year), body);
    },
  }),
];
