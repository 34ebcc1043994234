/** How a renovation case, its deposit refund and a due-list row are shown (schemas and presenters). */
import * as z from 'zod/mini';
import { actorDisplay } from '../../billing/printed.js';
import { chineseUppercase, formatFen } from '../../money.js';
import { DUE_KINDS, type RenovationView } from '../../renovation/cases.js';
import type { DueRenovation } from '../../renovation/due-list.js';
import type { DepositRefund } from '../../renovation/refund.js';
import { allowedActions, RENOVATION_ACTIONS, RENOVATION_STATES } from '../../renovation/rules.js';
import type { PrintedNames } from '../../store/items.js';
import { presentPeriod } from '../present.js';
import { once } from '../route.js';
import * as s from '../schemas.js';

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
    entrance: z.optional(z.string()),
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

export const dueRenovation = once(() =>
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
    ...(r.building !== undefined
      ? { building: r.building, ...(r.entrance ? { entrance: r.entrance } : {}), room: r.room }
      : {}),
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

export const presentDue = (d: DueRenovation) => ({ due: d.due, renovation: presentRenovation(d.renovation) });
