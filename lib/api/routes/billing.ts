/** Routes of the billing core: quotes, estates, tariffs, calendars, units, invoices, payments, receipts. */
import * as z from 'zod/mini';
import type { Actor, Ctx } from '../../billing/context.js';
import { creditInvoice } from '../../billing/credit-notes.js';
import {
  addTariff,
  createEstate,
  getEstate,
  listTariffs,
  putCalendar,
  tariffOn,
} from '../../billing/estates.js';
import { getInvoice, issueInvoice, listInvoices, openInvoices, voidInvoice } from '../../billing/invoices.js';
import { getReceipt, payInvoice } from '../../billing/payments.js';
import type { CreditNote, Invoice, Receipt } from '../../billing/records.js';
import { runRenewals } from '../../billing/renewals.js';
import { Reprinter, reprintInvoice } from '../../billing/reprints.js';
import { createUnit, getUnit, listSpaces, registerSpace } from '../../billing/units.js';
import { ValidationError } from '../../errors.js';
import { FEE_CODES, FEE_TYPES, type FeeTypeInfo } from '../../fee-types/catalog.js';
import { quote } from '../../fees/quote.js';
import { formatFen } from '../../money.js';
import { refuseSelfReportedKiosk } from '../../payments/provider.js';
import { claimOwner, key } from '../../store/keys.js';
import type { TariffRates } from '../../tariffs/catalog.js';
import { businessDate, parseBizDate } from '../../time.js';
import { loadInScope, requireEstate } from '../auth.js';
import { pageOf } from '../list-page.js';
import {
  presentCreditNote,
  presentEstate,
  presentInvoice,
  presentLine,
  presentReceipt,
  presentUnit,
} from '../present.js';
import { once, route } from '../route.js';
import * as s from '../schemas.js';
import { presentUnitArrears, unitArrearsSchema } from './unit-arrears.js';

export const STAFF = ['admin', 'cashier', 'accountant'] as const;
export const ANY_ROLE = ['admin', 'cashier', 'accountant', 'owner', 'kiosk', 'gate'] as const;

const estateParams = once(() => z.strictObject({ estateId: s.estateId() }));
const unitParams = once(() => z.strictObject({ unitId: s.docId() }));
const invoiceParams = once(() => z.strictObject({ invoiceId: s.docId() }));

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
const space = once(() =>
  z.object({
    unitId: z.string(),
    estateId: z.string(),
    spaceNo: z.string(),
    kind: z.enum(['OWNED', 'USE_RIGHT']),
    plates: z.array(z.string()),
    /** First day the space is billed (SPEC.md §4.1): never for time before it. */
    billFrom: s.date(),
  }),
);
/** A unit as the API shows it; the unit-search route lists the same shape without spaces and invoices. */
export const unitSchema = once(() =>
  z.object({
    unitId: z.string(),
    estateId: z.string(),
    building: z.string(),
    room: z.string(),
    unitType: s.unitType(),
    area: z.string(),
    deliveryDate: s.date(),
    ownerIds: z.array(z.string()),
    occupantName: z.optional(z.string()),
    paidThrough: z.nullable(s.date()),
    createdAt: z.string(),
    entrance: z.optional(z.string()),
    ownerName: z.optional(z.string()),
    phone: z.optional(z.string()),
    billingAnchor: z.optional(s.date()),
    openingArrears: z.optional(s.money()),
    spaces: z.optional(z.array(space())),
    openInvoices: z.optional(z.array(s.invoice())),
    arrears: z.optional(unitArrearsSchema),
  }),
);
export const page = <T extends z.ZodMiniType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.optional(z.string()) });

export { loadInScope };

const invoiceInScope = (actor: Actor, ctx: Ctx, invoiceId: string) =>
  loadInScope(actor, `invoice ${invoiceId}`, () => getInvoice(ctx, invoiceId));

export const billingRoutes = [
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
      await getEstate(ctx, body.estateId);
      const tariff = tariffOn(await listTariffs(ctx, body.estateId), on);
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
  route({
    method: 'POST',
    path: '/v1/estates/{estateId}/units',
    operationId: 'createUnit',
    summary: 'Create a unit',
    group: 'billing',
    access: 'RW',
    roles: ['admin'],
    schemas: () => ({
      params: estateParams(),
      body: z.strictObject({
        building: s.text(20),
        room: s.text(20),
        unitType: s.unitType(),
        area: s.area(),
        deliveryDate: s.date(),
        ownerIds: z.array(s.text(128)).check(z.maxLength(20)),
        occupantName: z.optional(s.text(50)),
      }),
      response: unitSchema(),
    }),
    status: 201,
    async handler({ params, body, actor, ctx }) {
      requireEstate(actor, params.estateId);
      return presentUnit(await createUnit(ctx, params.estateId, body));
    },
  }),
  route({
    method: 'GET',
    path: '/v1/units/{unitId}',
    operationId: 'getUnit',
    summary: 'A unit with its paid-through date, spaces and open invoices',
    group: 'billing',
    access: 'RO',
    roles: [...STAFF, 'owner'],
    schemas: () => ({
      params: unitParams(),
      response: unitSchema(),
    }),
    status: 200,
    async handler({ params, actor, ctx }) {
      const u = await loadInScope(actor, `unit ${params.unitId}`, () => getUnit(ctx, params.unitId));
      const [spaces, open] = await Promise.all([
        listSpaces(ctx, u.unitId),
        openInvoices(ctx, claimOwner.unit(u.unitId)),
      ]);
      // Arrears show where people look (counter, kiosk): what is due by today and unpaid.
      return { ...presentUnit(u, { spaces, openInvoices: open }), arrears: presentUnitArrears(u, open, ctx) };
    },
  }),
  route({
    method: 'POST',
    path: '/v1/units/{unitId}/spaces',
    operationId: 'registerSpace',
    summary: 'Register an owned or use-right parking space with its plates',
    group: 'billing',
    access: 'RW',
    roles: ['admin'],
    schemas: () => ({
      params: unitParams(),
      body: z.strictObject({
        spaceNo: z.string().check(z.regex(/^[A-Za-z0-9-]{1,20}$/, 'must be 1-20 letters, digits or dashes')),
        kind: z.enum(['OWNED', 'USE_RIGHT']),
        plates: z.array(z.string().check(z.maxLength(20))).check(z.maxLength(5)),
      }),
      response: space(),
    }),
    status: 201,
    async handler({ params, body, actor, ctx }) {
      await loadInScope(actor, `unit ${params.unitId}`, () => getUnit(ctx, params.unitId));
      return registerSpace(ctx, params.unitId, body);
    },
  }),
  route({
    method: 'POST',
    path: '/v1/invoices',
    operationId: 'issueInvoice',
    summary: 'Issue an invoice for a unit (the server supplies type, area and periods)',
    group: 'billing',
    access: 'RW',
    roles: ['cashier'],
    schemas: () => ({
      body: z.strictObject({
        unitId: s.docId(),
        items: z.array(s.unitInvoiceItem()).check(
          z.minLength(1),
          z.maxLength(10),
          z.meta({
            description: `refused here (400 FEE_NOT_BILLABLE_HERE), billed only by POST /v1/renovations: ${FEE_CODES.filter((c) => (FEE_TYPES[c] as FeeTypeInfo).invoiceItem && !(FEE_TYPES[c] as FeeTypeInfo).invoiceRoute).join(', ')}`,
          }),
        ),
      }),
      response: s.invoice(),
    }),
    status: 201,
    // A double click on 开票 must not issue a second invoice for the next period.
    idempotent: true,
    readsDuringLock: true,
    async handler({ body, actor, ctx, idem }) {
      const unit = await loadInScope(actor, `unit ${body.unitId}`, () => getUnit(ctx, body.unitId));
      return presentInvoice(await issueInvoice(ctx, body, idem<Invoice>(presentInvoice), { unit }));
    },
  }),
  route({
    method: 'GET',
    path: '/v1/invoices/{invoiceId}',
    operationId: 'getInvoice',
    summary: 'One invoice',
    group: 'billing',
    access: 'RO',
    roles: [...STAFF, 'owner'],
    schemas: () => ({
      params: invoiceParams(),
      response: s.invoice(),
    }),
    status: 200,
    async handler({ params, actor, ctx }) {
      // A reprint: the estate's name and the unit's building and room besides the ids.
      return presentInvoice(await reprintInvoice(ctx, await invoiceInScope(actor, ctx, params.invoiceId)));
    },
  }),
  route({
    method: 'GET',
    path: '/v1/units/{unitId}/invoices',
    operationId: 'listUnitInvoices',
    summary: "A unit's invoices, newest first",
    group: 'billing',
    access: 'RO',
    roles: [...STAFF, 'owner'],
    schemas: () => ({
      params: unitParams(),
      query: z.strictObject({
        status: z.optional(z.enum(['OPEN', 'PAID', 'VOID', 'CREDITED'])),
        limit: s.limit(),
        cursor: s.cursor(),
      }),
      response: page(s.invoice()),
    }),
    status: 200,
    async handler({ params, query, actor, ctx }) {
      const u = await loadInScope(actor, `unit ${params.unitId}`, () => getUnit(ctx, params.unitId));
      const list = await listInvoices(ctx, claimOwner.unit(u.unitId), {
        limit: query.limit,
        ...(query.status ? { status: query.status } : {}),
        ...(query.cursor ? { cursor: query.cursor } : {}),
      });
      return {
        items: list.items.map(presentInvoice),
        ...(list.nextCursor ? { nextCursor: list.nextCursor } : {}),
      };
    },
  }),
  route({
    method: 'POST',
    path: '/v1/invoices/{invoiceId}/void',
    operationId: 'voidInvoice',
    summary: 'Void an unpaid invoice with a reason (it keeps its number)',
    group: 'billing',
    access: 'RW',
    roles: ['cashier'],
    schemas: () => ({
      params: invoiceParams(),
      body: z.strictObject({ reason: s.text(200) }),
      response: s.invoice(),
    }),
    status: 200,
    async handler({ params, body, actor, ctx }) {
      await invoiceInScope(actor, ctx, params.invoiceId);
      return presentInvoice(await voidInvoice(ctx, params.invoiceId, body.reason));
    },
  }),
  route({
    method: 'POST',
    path: '/v1/invoices/{invoiceId}/payments',
    operationId: 'payInvoice',
    summary: 'Pay an invoice in full at the counter (kiosks pay through payment orders)',
    group: 'billing',
    access: 'RW',
    roles: ['cashier'],
    schemas: () => ({
      params: invoiceParams(),
      body: z.strictObject({
        channel: s.channel(),
        amount: s.money(),
        tendered: z.optional(s.money()),
        reference: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(100))),
      }),
      response: s.receipt(),
    }),
    status: 201,
    idempotent: true,
    readsDuringLock: true,
    async handler({ params, body, actor, ctx, idem }) {
      refuseSelfReportedKiosk(body.channel);
      const inv = await invoiceInScope(actor, ctx, params.invoiceId);
      return presentReceipt(
        await payInvoice(ctx, params.invoiceId, body, idem<Receipt>(presentReceipt), inv),
      );
    },
  }),
  route({
    method: 'POST',
    path: '/v1/invoices/{invoiceId}/credit-notes',
    operationId: 'creditInvoice',
    summary: 'Reverse a paid invoice with a credit note (红冲)',
    group: 'billing',
    access: 'RW',
    roles: ['cashier'],
    schemas: () => ({
      params: invoiceParams(),
      body: z.strictObject({ reason: s.text(200) }),
      response: s.creditNote(),
    }),
    status: 201,
    idempotent: true,
    readsDuringLock: true,
    async handler({ params, body, actor, ctx, idem }) {
      const inv = await invoiceInScope(actor, ctx, params.invoiceId);
      return presentCreditNote(
        await creditInvoice(ctx, params.invoiceId, body.reason, idem<CreditNote>(presentCreditNote), inv),
      );
    },
  }),
  route({
    method: 'GET',
    path: '/v1/receipts/{receiptNo}',
    operationId: 'getReceipt',
    summary:
      'A receipt for reprint: amount in Chinese uppercase, estate name, building and room or plate, who took it, its state',
    group: 'billing',
    access: 'RO',
    roles: [...STAFF, 'owner'],
    schemas: () => ({
      params: z.strictObject({ receiptNo: s.docId() }),
      response: s.receipt(),
    }),
    status: 200,
    async handler({ params, actor, ctx }) {
      const receipt = await loadInScope(actor, `receipt ${params.receiptNo}`, () =>
        getReceipt(ctx, params.receiptNo),
      );
      // A reprint: names, and the present state (已冲红 and the credit note once reversed).
      return presentReceipt(await new Reprinter(ctx).receipt(receipt));
    },
  }),
  route({
    method: 'POST',
    path: '/v1/estates/{estateId}/renewals',
    operationId: 'runRenewals',
    summary: 'Issue every renewal invoice due as of a date (idempotent)',
    group: 'billing',
    access: 'RW',
    roles: ['cashier', 'scheduler'],
    schemas: () => ({
      params: estateParams(),
      body: z.strictObject({ asOf: s.date() }),
      response: z.object({
        issued: z.array(z.string()),
        skipped: z.int(),
        failed: z.array(z.object({ unitId: z.string(), error: z.string() })),
      }),
    }),
    status: 200,
    async handler({ params, body, actor, ctx }) {
      requireEstate(actor, params.estateId);
      const asOf = parseBizDate(body.asOf, 'asOf');
      if (asOf > businessDate(ctx.now())) {
        throw ValidationError.of('asOf', 'FUTURE_DATE', 'renewals cannot be issued as of a future date');
      }
      return runRenewals(ctx, params.estateId, asOf);
    },
  }),
];
