/**
 * The renovation case (SPEC.md §4.3) as pure rules: its states, the one table of allowed
 * transitions, the due dates, and the deduction limit. No I/O and no clock; the store service
 * (renovation.ts) reads, asks these rules, and writes. docs/renovation.md explains the choices.
 */

import type { InvoiceStatus } from '../billing/records.js';
import { ConflictError, ValidationError } from '../errors.js';
import { type Fen, formatFen, parseMoney } from '../money.js';
import { addDays, addMonths, type BizDate, type Period, type WorkingCalendar } from '../time.js';

export const RENOVATION_STATES = [
  /** Registered and invoiced; the deposit is not held until the invoice is paid. */
  'REGISTERED',
  /** The registration invoice is paid: the deposit is held (a liability). */
  'HELD',
  /** Completion accepted on `acceptedOn`; re-inspection due two months later. */
  'ACCEPTED',
  /** A re-inspection failed; deductions may have been taken; another re-inspection is due. */
  'REINSPECTION_FAILED',
  /** A re-inspection passed on `passedOn`; the refund is due within 5 working days. */
  'REINSPECTION_PASSED',
  /** Held − deductions (and any card deposits) paid back. Final. */
  'REFUNDED',
  /** The registration invoice was voided or reversed before the deposit was refunded. Final. */
  'CANCELLED',
] as const;
export type RenovationState = (typeof RENOVATION_STATES)[number];

/** What a cashier can do to a case. Paying the invoice happens on the invoice (REGISTERED → HELD). */
export const RENOVATION_ACTIONS = ['EXTEND', 'ACCEPTANCE', 'REINSPECTION', 'REFUND'] as const;
export type RenovationAction = (typeof RENOVATION_ACTIONS)[number];

export type RenovationEvent =
  | 'EXTEND'
  | 'ACCEPTANCE_PASSED'
  | 'ACCEPTANCE_FAILED'
  | 'REINSPECTION_PASSED'
  | 'REINSPECTION_FAILED'
  | 'REFUND';

/** The only allowed moves. Anything not listed is refused with the current state (409). */
export const TRANSITIONS: Readonly<
  Record<RenovationState, Partial<Record<RenovationEvent, RenovationState>>>
> = {
  REGISTERED: { EXTEND: 'REGISTERED' },
  HELD: { EXTEND: 'HELD', ACCEPTANCE_PASSED: 'ACCEPTED', ACCEPTANCE_FAILED: 'HELD' },
  ACCEPTED: { REINSPECTION_PASSED: 'REINSPECTION_PASSED', REINSPECTION_FAILED: 'REINSPECTION_FAILED' },
  REINSPECTION_FAILED: {
    REINSPECTION_PASSED: 'REINSPECTION_PASSED',
    REINSPECTION_FAILED: 'REINSPECTION_FAILED',
  },
  REINSPECTION_PASSED: { REFUND: 'REFUNDED' },
  REFUNDED: {},
  CANCELLED: {},
};

const ACTION_OF: Record<RenovationEvent, RenovationAction> = {
  EXTEND: 'EXTEND',
  ACCEPTANCE_PASSED: 'ACCEPTANCE',
  ACCEPTANCE_FAILED: 'ACCEPTANCE',
  REINSPECTION_PASSED: 'REINSPECTION',
  REINSPECTION_FAILED: 'REINSPECTION',
  REFUND: 'REFUND',
};

/** The actions the state allows, for the case view (a console can offer exactly these buttons). */
export function allowedActions(state: RenovationState): RenovationAction[] {
  const events = Object.keys(TRANSITIONS[state]) as RenovationEvent[];
  return RENOVATION_ACTIONS.filter((a) => events.some((e) => ACTION_OF[e] === a));
}

/** The state after `event`, or a 409 naming the current state and what it allows. */
export function transition(
  state: RenovationState,
  event: RenovationEvent,
  caseId: string,
  extra: Record<string, unknown> = {},
): RenovationState {
  const next = TRANSITIONS[state][event];
  if (next) return next;
  const action = ACTION_OF[event];
  const why =
    state === 'REGISTERED' && action === 'ACCEPTANCE'
      ? '; the deposit is held only once the registration invoice is paid'
      : state === 'REFUNDED'
        ? '; the deposit was already refunded'
        : '';
  throw new ConflictError(
    'ILLEGAL_TRANSITION',
    `renovation ${caseId} is ${state}: ${action.toLowerCase()} is not allowed${why}`,
    [{ field: 'state', state, action, allowed: allowedActions(state), ...extra }],
  );
}

/**
 * The state a reader sees: the stored state, read together with the registration invoice. The
 * invoice is paid on the invoice routes, which know nothing of cases; so "paid" is read here rather
 * than copied, and a voided or credited registration cancels a case that was not yet refunded.
 */
export function effectiveState(stored: RenovationState, invoiceStatus: InvoiceStatus): RenovationState {
  if (stored === 'REFUNDED') return 'REFUNDED';
  if (invoiceStatus === 'VOID' || invoiceStatus === 'CREDITED') return 'CANCELLED';
  if (stored === 'REGISTERED' && invoiceStatus === 'PAID') return 'HELD';
  return stored;
}

/** Working days for approving an application, after the registration date. */
export const APPROVAL_WORKING_DAYS = 3;
/** The renovation period without an extension: `[registration, registration + 90 days)`. */
export const RENOVATION_PERIOD_DAYS = 90;
/** An extension may move the end by at most this many days at a time (catches typing errors). */
export const MAX_EXTENSION_DAYS = 365;
export const REINSPECTION_AFTER_MONTHS = 2;
/** After a failed re-inspection the owner has a month to put things right before the next one. */
export const REMEDY_MONTHS = 1;
export const REFUND_WORKING_DAYS = 5;
/** Bounds that keep a case one item well below DynamoDB's 400 KB (reasons are up to 200 CJK characters). */
export const MAX_DEDUCTIONS_PER_INSPECTION = 20;
export const MAX_DEDUCTIONS_PER_CASE = 50;
export const MAX_INSPECTIONS = 20;
export const MAX_EXTENSIONS = 20;

export const approvalDue = (cal: WorkingCalendar, registered: BizDate): BizDate =>
  cal.addWorkingDays(registered, APPROVAL_WORKING_DAYS);
export const periodEnd = (registered: BizDate): BizDate => addDays(registered, RENOVATION_PERIOD_DAYS);
/** The last day work may go on: the day before the (exclusive) end, e.g. day 90 counting the start as day 1. */
export const periodLastDay = (period: Period): BizDate => addDays(period.end, -1);
/** Past its period on `on` (a business date the caller supplies): from day 91 without an extension. */
export const isPastPeriod = (period: Period, on: BizDate): boolean => on >= period.end;

/** Something due on `date`, seen on `asOf`: overdue once the date has passed. */
export const dueStatus = (date: BizDate, asOf: BizDate) => ({ date, overdue: date < asOf });

/**
 * SPEC.md §4.3: "an acceptance after the period without an extension is refused". Judged on the
 * acceptance's own date (a paper acceptance entered late still counts on the day it happened). A
 * 409, not a 400: the same date is accepted once an extension is recorded.
 */
export function checkWithinPeriod(
  c: { caseId: string; period: Period; extensions: readonly unknown[] },
  date: BizDate,
): void {
  if (!isPastPeriod(c.period, date)) return;
  const lastDay = periodLastDay(c.period);
  throw new ConflictError(
    'RENOVATION_PERIOD_EXPIRED',
    `acceptance date ${date} is after the renovation period of ${c.caseId}, which ended on ${lastDay}` +
      (c.extensions.length > 0 ? ' (as extended)' : '') +
      '; record an extension first (POST /v1/renovations/{caseId}/extension)',
    [{ field: 'date', date, period: c.period, lastDay, extensions: c.extensions.length }],
  );
}

/**
 * The new end an extension asks for: `until` is the period's new exclusive end (periods are
 * half-open, SPEC.md §2), strictly after the current end and at most MAX_EXTENSION_DAYS later.
 */
export function checkExtensionEnd(period: Period, until: BizDate): BizDate {
  if (until <= period.end) {
    throw ValidationError.of(
      'until',
      'NOT_AFTER_PERIOD_END',
      `until ${until} must be after the current end of the period ${period.end} (exclusive)`,
    );
  }
  if (until > addDays(period.end, MAX_EXTENSION_DAYS)) {
    throw ValidationError.of(
      'until',
      'TOO_LONG',
      `an extension moves the end by at most ${MAX_EXTENSION_DAYS} days`,
    );
  }
  return until;
}
/** A + 2 months, clamped: 2024-12-31 → 2025-02-28. */
export const reinspectionDue = (acceptedOn: BizDate): BizDate =>
  addMonths(acceptedOn, REINSPECTION_AFTER_MONTHS);
export const nextReinspectionDue = (failedOn: BizDate): BizDate => addMonths(failedOn, REMEDY_MONTHS);
/** Within 5 working days after the pass: 2025-01-24 → 2025-02-07 on the 2025 calendar. */
export const refundDue = (cal: WorkingCalendar, passedOn: BizDate): BizDate =>
  cal.addWorkingDays(passedOn, REFUND_WORKING_DAYS);

export interface DeductionInput {
  amount: string;
  reason: string;
  evidenceRef: string;
}

export interface Deduction {
  amount: Fen;
  reason: string;
  evidenceRef: string;
}

/**
 * Parses the deductions of one re-inspection and checks that, with those already taken, they never
 * exceed the renovation deposit held. Deductions belong to a failed re-inspection only.
 */
export function checkDeductions(
  input: readonly DeductionInput[] | undefined,
  args: { passed: boolean; held: Fen; alreadyDeducted: Fen; deductionsSoFar?: number },
): Deduction[] {
  const list = input ?? [];
  if (list.length === 0) return [];
  if (args.passed) {
    throw ValidationError.of(
      'deductions',
      'DEDUCTIONS_NEED_FAILURE',
      'deductions are taken only at a failed re-inspection',
    );
  }
  if (
    list.length > MAX_DEDUCTIONS_PER_INSPECTION ||
    (args.deductionsSoFar ?? 0) + list.length > MAX_DEDUCTIONS_PER_CASE
  ) {
    throw ValidationError.of(
      'deductions',
      'TOO_MANY_DEDUCTIONS',
      `at most ${MAX_DEDUCTIONS_PER_INSPECTION} deductions per re-inspection and ${MAX_DEDUCTIONS_PER_CASE} per case`,
    );
  }
  const out = list.map((d, i) => {
    const amount = parseMoney(d.amount, `deductions[${i}].amount`);
    if (amount <= 0n) {
      throw ValidationError.of(
        `deductions[${i}].amount`,
        'INVALID_AMOUNT',
        'a deduction must be more than 0.00',
      );
    }
    return { amount, reason: d.reason, evidenceRef: d.evidenceRef };
  });
  const total = out.reduce((s, d) => s + d.amount, 0n);
  const available = args.held - args.alreadyDeducted;
  if (total > available) {
    throw ValidationError.of(
      'deductions',
      'DEDUCTIONS_EXCEED_DEPOSIT',
      `deductions of ${formatFen(total)} exceed what is held: ${formatFen(available)} ` +
        `(deposit ${formatFen(args.held)} less ${formatFen(args.alreadyDeducted)} already deducted)`,
    );
  }
  return out;
}
