/** Routes of renovation cases and their deposits (SPEC.md §4.3): API.md `/v1/renovations`. */
import * as z from 'zod/mini';
import type { Actor, Ctx } from '../../billing/context.js';
import { getEstate } from '../../billing/estates.js';
import { getUnit } from '../../billing/units.js';
import { MAX_CARDS } from '../../fees/calculators.js';
import { DUE_KINDS, getRenovation, type RenovationView } from '../../renovation/cases.js';
import { listDueRenovations } from '../../renovation/due-list.js';
import { extendRenovation, recordAcceptance, recordReinspection } from '../../renovation/inspections.js';
import { type DepositRefund, refundDeposit } from '../../renovation/refund.js';
import { registerRenovation } from '../../renovation/registration.js';
import { businessDate, parseBizDate } from '../../time.js';
import { requireEstate } from '../auth.js';
import { presentInvoice } from '../present.js';
import { once, route } from '../route.js';
import * as s from '../schemas.js';
import { loadInScope, page, STAFF } from './common.js';

const caseParams = once(() => z.strictObject({ caseId: s.docId() }));

function isCalendarDate(value: string): boolean {
  // The pattern's own message covers malformed text; this check adds only "no such day".
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return true;
  try {
    parseBizDate(value, 'date');
    return true;
  } catch {
    return false;
  }
}
/** Refused at the edge (400), before a state is read or an Idempotency-Key is taken. */
const calendarDate = once(() => s.date().check(z.refine(isCalendarDate, 'must be a real calendar date')));
const positiveMoney = once(() => s.money().check(z.refine((v) => /[1-9]/.test(v), 'must be more than 0.00')));

import {
  depositRefund,
  dueRenovation,
  presentDepositRefund,
  presentDue,
  presentRenovation,
  renovationCase,
} from './renovation-present.js';

const inScope = (actor: Actor, ctx: Pick<Ctx, 'db'>, caseId: string) =>
  loadInScope(actor, `renovation case ${caseId}`, () => getRenovation(ctx, caseId));

export const renovationRoutes = [
  route({
    method: 'POST',
    path: '/v1/renovations',
    operationId: 'registerRenovation',
    summary: 'Register a renovation: one invoice (waste fee, deposit, cards, card deposits) and the case',
    group: 'renovation',
    access: 'RW',
    roles: ['cashier'],
    schemas: () => ({
      body: z.strictObject({
        unitId: s.docId(),
        cards: s.count(MAX_CARDS).check(z.meta({ description: 'the permit plus each worker pass' })),
        date: z
          .optional(calendarDate())
          .check(z.meta({ description: 'registration date for paper records entered later; default today' })),
      }),
      response: z.extend(renovationCase(), { invoice: s.invoice() }),
    }),
    status: 201,
    async handler({ body, actor, ctx }) {
      await loadInScope(actor, `unit ${body.unitId}`, () => getUnit(ctx, body.unitId));
      const { renovation, invoice } = await registerRenovation(ctx, body);
      return { ...presentRenovation(renovation), invoice: presentInvoice(invoice) };
    },
  }),
  route({
    method: 'GET',
    path: '/v1/renovations/{caseId}',
    operationId: 'getRenovation',
    summary: 'A renovation case: deposit state, due dates, inspections, deductions, refund',
    group: 'renovation',
    access: 'RO',
    roles: [...STAFF, 'owner'],
    schemas: () => ({
      params: caseParams(),
      response: renovationCase(),
    }),
    status: 200,
    async handler({ params, actor, ctx }) {
      return presentRenovation(await inScope(actor, ctx, params.caseId));
    },
  }),
  route({
    method: 'POST',
    path: '/v1/renovations/{caseId}/extension',
    operationId: 'extendRenovation',
    summary: 'Record an extension of the renovation period (before completion acceptance)',
    notes:
      'No Idempotency-Key: no money moves, and repeating the last extension (same until and reason) ' +
      'answers 200 with the case unchanged, writing nothing. 400 on `until` (NOT_AFTER_PERIOD_END) ' +
      'when it is not after the current end.',
    group: 'renovation',
    access: 'RW',
    roles: ['cashier'],
    schemas: () => ({
      params: caseParams(),
      body: z.strictObject({
        until: calendarDate().check(
          z.meta({
            description:
              'the new end of the period, exclusive (periods are half-open): the period becomes ' +
              '[start, until), its last day is the day before; must be after the current end',
          }),
        ),
        reason: s.text(200),
      }),
      response: renovationCase(),
    }),
    status: 200,
    async handler({ params, body, actor, ctx }) {
      await inScope(actor, ctx, params.caseId);
      return presentRenovation(await extendRenovation(ctx, params.caseId, body));
    },
  }),
  route({
    method: 'POST',
    path: '/v1/renovations/{caseId}/acceptance',
    operationId: 'recordRenovationAcceptance',
    summary: 'Record the completion acceptance; a pass sets the re-inspection two months later',
    notes:
      '409 RENOVATION_PERIOD_EXPIRED (details field `date`) when the acceptance is dated after the ' +
      "period's last day: record an extension first.",
    group: 'renovation',
    access: 'RW',
    roles: ['cashier'],
    schemas: () => ({
      params: caseParams(),
      body: z.strictObject({ date: calendarDate(), passed: z.boolean(), notes: z.optional(s.text(500)) }),
      response: renovationCase(),
    }),
    status: 200,
    async handler({ params, body, actor, ctx }) {
      await inScope(actor, ctx, params.caseId);
      return presentRenovation(await recordAcceptance(ctx, params.caseId, body));
    },
  }),
  route({
    method: 'POST',
    path: '/v1/renovations/{caseId}/reinspection',
    operationId: 'recordRenovationReinspection',
    summary: 'Record a re-inspection; a failed one may take deductions from the deposit (they become income)',
    notes:
      'Idempotency-Key required (deductions turn deposit into income): 400 without it; the same key ' +
      'and body replay the first answer (header idempotent-replayed: true); the same key with another ' +
      'body is 422.',
    group: 'renovation',
    access: 'RW',
    roles: ['cashier'],
    schemas: () => ({
      params: caseParams(),
      body: z.strictObject({
        date: calendarDate(),
        passed: z.boolean(),
        deductions: z.optional(
          z
            .array(z.strictObject({ amount: positiveMoney(), reason: s.text(200), evidenceRef: s.text(200) }))
            .check(z.maxLength(20)),
        ),
      }),
      response: renovationCase(),
    }),
    status: 200,
    // Deductions turn deposit into income: money moves, so a retry must not deduct twice.
    idempotent: true,
    async handler({ params, body, actor, ctx, idem }) {
      await inScope(actor, ctx, params.caseId);
      return presentRenovation(
        await recordReinspection(ctx, params.caseId, body, idem<RenovationView>(presentRenovation)),
      );
    },
  }),
  route({
    method: 'POST',
    path: '/v1/renovations/{caseId}/refund',
    operationId: 'refundRenovationDeposit',
    summary: 'Refund the deposit held less deductions (no interest), with any card deposits',
    group: 'renovation',
    access: 'RW',
    roles: ['cashier'],
    schemas: () => ({
      params: caseParams(),
      body: z.strictObject({
        channel: s.channel(),
        reference: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(100))),
      }),
      response: depositRefund(),
    }),
    status: 201,
    idempotent: true,
    async handler({ params, body, actor, ctx, idem }) {
      await inScope(actor, ctx, params.caseId);
      return presentDepositRefund(
        await refundDeposit(ctx, params.caseId, body, idem<DepositRefund>(presentDepositRefund)),
      );
    },
  }),
  route({
    method: 'GET',
    path: '/v1/estates/{estateId}/renovations',
    operationId: 'listDueRenovations',
    summary:
      'Cases with an acceptance (by the period end), a re-inspection or a refund due by a date, overdue flagged',
    notes:
      "ACCEPTANCE is due on the period's last day (day 90 counting the start as day 1, or as " +
      'extended) and overdue from the next day, until the completion is accepted.',
    group: 'renovation',
    access: 'RO',
    roles: STAFF,
    schemas: () => ({
      params: z.strictObject({ estateId: s.estateId() }),
      query: z.strictObject({
        due: z.optional(z.enum(DUE_KINDS)),
        asOf: z
          .optional(calendarDate())
          .check(z.meta({ description: 'due on or before this date; default today' })),
        limit: s.limit(),
        cursor: s.cursor(),
      }),
      response: page(dueRenovation()),
    }),
    status: 200,
    async handler({ params, query, actor, ctx }) {
      requireEstate(actor, params.estateId);
      await getEstate(ctx, params.estateId);
      const asOf = query.asOf ? parseBizDate(query.asOf, 'asOf') : businessDate(ctx.now());
      const list = await listDueRenovations(ctx, params.estateId, {
        asOf,
        limit: query.limit,
        ...(query.due ? { due: query.due } : {}),
        ...(query.cursor ? { cursor: query.cursor } : {}),
      });
      return {
        items: list.items.map(presentDue),
        ...(list.nextCursor ? { nextCursor: list.nextCursor } : {}),
      };
    },
  }),
];
