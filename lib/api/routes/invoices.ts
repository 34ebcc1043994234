/** Routes of invoices and what follows them: payments, credit notes, receipts, the renewal run. */
import * as z from 'zod/mini';
import type { Actor, Ctx } from '../../billing/context.js';
import { creditInvoice } from '../../billing/credit-notes.js';
import { getInvoice, issueInvoice, listInvoices, voidInvoice } from '../../billing/invoices.js';
import { getReceipt, payInvoice } from '../../billing/payments.js';
import type { CreditNote, Invoice, Receipt } from '../../billing/records.js';
import { runRenewals } from '../../billing/renewals.js';
import { Reprinter, reprintInvoice } from '../../billing/reprints.js';
import { getUnit } from '../../billing/units.js';
import { ValidationError } from '../../errors.js';
import { FEE_CODES, FEE_TYPES, type FeeTypeInfo } from '../../fee-types/catalog.js';
import { refuseSelfReportedKiosk } from '../../payments/provider.js';
import { claimOwner } from '../../store/keys.js';
import { businessDate, parseBizDate } from '../../time.js';
import { loadInScope, requireEstate } from '../auth.js';
import { presentCreditNote, presentInvoice, presentReceipt } from '../present.js';
import { once, route } from '../route.js';
import * as s from '../schemas.js';
import { estateParams, page, STAFF } from './common.js';

const unitParams = once(() => z.strictObject({ unitId: s.docId() }));
const invoiceParams = once(() => z.strictObject({ invoiceId: s.docId() }));

const invoiceInScope = (actor: Actor, ctx: Ctx, invoiceId: string) =>
  loadInScope(actor, `invoice ${invoiceId}`, () => getInvoice(ctx, invoiceId));

export const invoiceRoutes = [
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
