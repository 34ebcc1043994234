/** Routes of renovation cases and their deposits (SPEC.md §4.3): API.md `/v1/renovations`. */
import * as z from 'zod/mini';
import type { Actor, Ctx } from '../../billing/context.js';
import { getEstate } from '../../billing/estates.js';
import { actorDisplay } from '../../billing/printed.js';
import { getUnit } from '../../billing/units.js';
import { MAX_CARDS } from '../../fees/calculators.js';
import { chineseUppercase, formatFen } from '../../money.js';
import { DUE_KINDS, getRenovation, type RenovationView } from '../../renovation/cases.js';
import { type DueRenovation, listDueRenovations } from '../../renovation/due-list.js';
import { extendRenovation, recordAcceptance, recordReinspection } from '../../renovation/inspections.js';
import { type DepositRefund, refundDeposit } from '../../renovation/refund.js';
import { registerRenovation } from '../../renovation/registration.js';
import { allowedActions, RENOVATION_ACTIONS, RENOVATION_STATES } from '../../renovation/rules.js';
import type { PrintedNames } from '../../store/items.js';
import { businessDate, parseBizDate } from '../../time.js';
import { requireEstate } from '../auth.js';
import { presentInvoice, presentPeriod } from '../present.js';
import { once, route } from '../route.js';
import * as s from '../schemas.js';
import { loadInScope, page, STAFF } from './billing.js';

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

const stamp = once(() => ({ recordedAt: z.string(), recordedBy: z.string() }));
const deduction = once(() =>
  z.object({ amount: s.signedMoney(), reason: z.string(), evidenceRef: z.string() }),
);
export const renovationCase = once(() =>
  z.object({
    caseId: z.string(),
    estateId: z.string(),
    unitId: z.string(),
    invoiceNo: z.string(),
    invoiceStatus: z.enum(['OPEN', 'PAID', 'VOID', 'CREDITED']),
    receiptNo: z.optional(z.string()),
    state: z
      .enum(RENOVATION_STATES)
      .check(z.meta({ description: 'case and deposit state (docs/renovation.md)' })),
    allowedActions: z.array(z.enum(RENOVATION_ACTIONS)),
    cards: z.int(),
    registrationDate: s.date(),
    registeredAt: z.string(),
    registeredBy: z.string(),
    approvalDue: s.date(),
    period: s
      .period()
      .check(z.meta({ description: 'renovation period [start, end), end moved by extensions' })),
    extensions: z.array(z.object({ previousEnd: s.date(), end: s.date(), reason: z.string(), ...stamp() })),
    deposit: z.object({
      currency: z.literal('CNY'),
      renovationDeposit: s.signedMoney(),
      cardDeposit: s.signedMoney(),
      deducted: s.signedMoney(),
      held: s.signedMoney().check(
        z.meta({
          description: 'what is held now: paid deposits less deductions, until refunded',
        }),
      ),
      refunded: z.optional(s.signedMoney()),
    }),
    acceptances: z.array(
      z.object({ date: s.date(), passed: z.boolean(), notes: z.optional(z.string()), ...stamp() }),
    ),
    acceptedOn: z.optional(s.date()),
    reinspectionDue: z.optional(s.date()),
    reinspections: z.array(
      z.object({
        n: z.int(),
        date: s.date(),
        passed: z.boolean(),
        deductions: z.array(deduction()),
        ...stamp(),
      }),
    ),
    passedOn: z.optional(s.date()),
    refundDue: z.optional(s.date()),
    refundNo: z.optional(z.string()),
    refundedAt: z.optional(z.string()),
  }),
);

export const depositRefund = once(() =>
  z.object({
    refundNo: z.string(),
    estateId: z.string(),
    estateName: z.optional(z.string()),
    building: z.optional(z.string()),
    room: z.optional(z.string()),
    caseId: z.string(),
    unitId: z.string(),
    invoiceNo: z.string(),
    receiptNo: z.optional(z.string()),
    channel: s.channel(),
    reference: z.optional(z.string()),
    currency: z.literal('CNY'),
    deposit: s.signedMoney(),
    deducted: s.signedMoney(),
    cardDeposit: s.signedMoney(),
    lines: z.array(z.object({ type: z.string(), description: z.string(), amount: s.signedMoney() })),
    total: s.signedMoney(),
    totalInWords: z.string(),
    refundDue: s.date(),
    late: z.boolean(),
    refundedAt: z.string(),
    businessDate: s.date(),
    refundedBy: z.string(),
    refundedByName: z
      .string()
      .check(
        z.meta({ description: 'who paid it out: the display name (`name` claim) at the time, else the sub' }),
      ),
  }),
);

const dueRenovation = once(() =>
  z.object({
    due: z.object({
      kind: z.enum(DUE_KINDS),
      date: s.date(),
      overdue: z.boolean().check(z.meta({ description: 'the due date is before asOf' })),
    }),
    renovation: renovationCase(),
  }),
);

export function presentRenovation(v: RenovationView) {
  const live = v.state !== 'REGISTERED' && v.state !== 'REFUNDED' && v.state !== 'CANCELLED';
  return {
    caseId: v.caseId,
    estateId: v.estateId,
    unitId: v.unitId,
    invoiceNo: v.invoiceNo,
    invoiceStatus: v.invoiceStatus,
    ...(v.receiptNo ? { receiptNo: v.receiptNo } : {}),
    state: v.state,
    allowedActions: allowedActions(v.state),
    cards: v.cards,
    registrationDate: v.registrationDate,
    registeredAt: v.registeredAt,
    registeredBy: v.registeredBy,
    approvalDue: v.approvalDue,
    period: presentPeriod(v.period),
    extensions: v.extensions,
    deposit: {
      currency: 'CNY',
      renovationDeposit: formatFen(v.deposit),
      cardDeposit: formatFen(v.cardDeposit),
      deducted: formatFen(v.deducted),
      held: formatFen(live ? v.deposit + v.cardDeposit - v.deducted : 0n),
      ...(v.refunded !== undefined ? { refunded: formatFen(v.refunded) } : {}),
    },
    acceptances: v.acceptances,
    ...(v.acceptedOn ? { acceptedOn: v.acceptedOn } : {}),
    ...(v.reinspectionDue ? { reinspectionDue: v.reinspectionDue } : {}),
    reinspections: v.reinspections.map((r) => ({
      ...r,
      deductions: r.deductions.map((d) => ({ ...d, amount: formatFen(d.amount) })),
    })),
    ...(v.passedOn ? { passedOn: v.passedOn } : {}),
    ...(v.refundDue ? { refundDue: v.refundDue } : {}),
    ...(v.refundNo ? { refundNo: v.refundNo, refundedAt: v.refundedAt } : {}),
  };
}

export function presentDepositRefund(r: DepositRefund & PrintedNames) {
  return {
    refundNo: r.refundNo,
    estateId: r.estateId,
    ...(r.estateName !== undefined ? { estateName: r.estateName } : {}),
    ...(r.building !== undefined ? { building: r.building, room: r.room } : {}),
    caseId: r.caseId,
    unitId: r.unitId,
    invoiceNo: r.invoiceNo,
    ...(r.receiptNo ? { receiptNo: r.receiptNo } : {}),
    channel: r.channel,
    ...(r.reference ? { reference: r.reference } : {}),
    currency: 'CNY',
    deposit: formatFen(r.deposit),
    deducted: formatFen(r.deducted),
    cardDeposit: formatFen(r.cardDeposit),
    lines: r.lines.map((l) => ({ ...l, amount: formatFen(l.amount) })),
    total: formatFen(r.total),
    totalInWords: chineseUppercase(r.total),
    refundDue: r.refundDue,
    late: r.late,
    refundedAt: r.refundedAt,
    businessDate: r.businessDate,
    refundedBy: r.refundedBy,
    refundedByName: actorDisplay(r.refundedBy, r.refundedByName),
  };
}

const presentDue = (d: DueRenovation) => ({ due: d.due, renovation: presentRenovation(d.renovation) });

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
