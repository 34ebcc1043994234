/**
 * What happens to a renovation case after registration (SPEC.md §4.3): the completion acceptance,
 * the re-inspections with their deductions, and extensions of the renovation period. Every change
 * goes through changeCase: the case moves under its version lock, in one transaction with its
 * ledger entries and audit record.
 */

import { type Ctx, ledgerItems } from '../billing/context.js';
import { workingCalendar } from '../billing/estates.js';
import type { IdempotentCall } from '../billing/invoices.js';
import { ConflictError, ValidationError } from '../errors.js';
import { formatFen } from '../money.js';
import { type BizDate, businessDate, formatInstant, parseBizDate } from '../time.js';
import {
  type Acceptance,
  changeCase,
  dueIndex,
  type Extension,
  type Reinspection,
  type RenovationView,
  readCase,
} from './cases.js';
import {
  checkDeductions,
  checkExtensionEnd,
  checkWithinPeriod,
  type DeductionInput,
  MAX_EXTENSIONS,
  MAX_INSPECTIONS,
  nextReinspectionDue,
  periodLastDay,
  refundDue,
  reinspectionDue,
} from './rules.js';

function checkDate(
  value: string,
  field: string,
  today: BizDate,
  notBefore: { date: BizDate; what: string }[],
): BizDate {
  const date = parseBizDate(value, field);
  if (date > today)
    throw ValidationError.of(field, 'FUTURE_DATE', `${field} ${date} is after today ${today}`);
  for (const b of notBefore) {
    if (date < b.date)
      throw ValidationError.of(field, 'TOO_EARLY', `${field} ${date} is before ${b.what} ${b.date}`);
  }
  return date;
}

const actorStamp = (ctx: Ctx, at: number) => ({ recordedAt: formatInstant(at), recordedBy: ctx.actor.sub });

/** POST /v1/renovations/{caseId}/acceptance: completion acceptance (竣工验收). */
export async function recordAcceptance(
  ctx: Ctx,
  caseId: string,
  input: { date: string; passed: boolean; notes?: string },
): Promise<RenovationView> {
  return changeCase(ctx, caseId, input.passed ? 'ACCEPTANCE_PASSED' : 'ACCEPTANCE_FAILED', (c, _n, at) => {
    if (c.acceptances.length >= MAX_INSPECTIONS) {
      throw new ConflictError(
        'TOO_MANY_INSPECTIONS',
        `at most ${MAX_INSPECTIONS} acceptance attempts per case`,
      );
    }
    const last = c.acceptances.at(-1);
    const date = checkDate(input.date, 'date', businessDate(at), [
      { date: c.registrationDate, what: 'the registration date' },
      ...(last ? [{ date: last.date, what: 'the previous acceptance attempt' }] : []),
    ]);
    checkWithinPeriod(c, date);
    const record: Acceptance = {
      date,
      passed: input.passed,
      ...(input.notes ? { notes: input.notes } : {}),
      ...actorStamp(ctx, at),
    };
    const due = reinspectionDue(date);
    return {
      changes: {
        append: { acceptances: [record] },
        ...(input.passed
          ? { set: { acceptedOn: date, reinspectionDue: due, ...dueIndex(c, 'REINSPECTION', due) } }
          : {}),
      },
      audit: { action: 'RENOVATION_ACCEPTANCE', details: { date, passed: input.passed } },
      result: (after) => after,
    };
  });
}

/**
 * POST /v1/renovations/{caseId}/reinspection (复查). A pass starts the 5-working-day refund clock;
 * a failure may take deductions, which become income at once (DEPOSIT_DEDUCTED), and sets the next
 * re-inspection a month later.
 */
export async function recordReinspection(
  ctx: Ctx,
  caseId: string,
  input: { date: string; passed: boolean; deductions?: DeductionInput[] },
  idem?: IdempotentCall,
): Promise<RenovationView> {
  const calendar = await workingCalendar(ctx, (await readCase(ctx.db, caseId)).estateId);
  return changeCase(
    ctx,
    caseId,
    input.passed ? 'REINSPECTION_PASSED' : 'REINSPECTION_FAILED',
    (c, _n, at) => {
      if (c.reinspections.length >= MAX_INSPECTIONS) {
        throw new ConflictError('TOO_MANY_INSPECTIONS', `at most ${MAX_INSPECTIONS} re-inspections per case`);
      }
      const last = c.reinspections.at(-1);
      const date = checkDate(input.date, 'date', businessDate(at), [
        { date: c.acceptedOn!, what: 'the completion acceptance' },
      ]);
      // One re-inspection per day: a retried request cannot record (and deduct) twice.
      if (last && date <= last.date) {
        throw ValidationError.of(
          'date',
          'NOT_AFTER_PREVIOUS',
          `date ${date} must be after the previous re-inspection ${last.date}`,
        );
      }
      const deductions = checkDeductions(input.deductions, {
        passed: input.passed,
        held: c.deposit,
        alreadyDeducted: c.deducted,
        deductionsSoFar: c.reinspections.reduce((n, r) => n + r.deductions.length, 0),
      });
      const total = deductions.reduce((s, d) => s + d.amount, 0n);
      const n = c.reinspections.length + 1;
      const record: Reinspection = { n, date, passed: input.passed, deductions, ...actorStamp(ctx, at) };
      const set = input.passed
        ? {
            passedOn: date,
            refundDue: refundDue(calendar, date),
            ...dueIndex(c, 'REFUND', refundDue(calendar, date)),
          }
        : {
            reinspectionDue: nextReinspectionDue(date),
            deducted: c.deducted + total,
            ...dueIndex(c, 'REINSPECTION', nextReinspectionDue(date)),
          };
      return {
        changes: { set, append: { reinspections: [record] } },
        items:
          deductions.length > 0
            ? ledgerItems(ctx, at, {
                estateId: c.estateId,
                kind: 'DEPOSIT_DEDUCTED',
                // Income on the re-inspection's date, even when entered later (SPEC.md §6).
                onDate: date,
                documentNo: `${caseId}/R${n}`,
                invoiceNo: c.invoiceNo,
                ...(c.receiptNo ? { receiptNo: c.receiptNo } : {}),
                unitId: c.unitId,
                lines: deductions.map((d) => ({ feeCode: 'RENOVATION_DEPOSIT', amount: d.amount })),
              })
            : [],
        audit: {
          action: 'RENOVATION_REINSPECTION',
          details: {
            date,
            passed: input.passed,
            deductions: deductions.map((d) => ({
              amount: formatFen(d.amount),
              reason: d.reason,
              evidenceRef: d.evidenceRef,
            })),
          },
        },
        result: (after) => after,
      };
    },
    { ...(idem ? { idem } : {}) },
  );
}

/**
 * POST /v1/renovations/{caseId}/extension {until, reason}: moves the period's (exclusive) end to
 * `until`, until completion is accepted, also after the period has run out (the way to let a late
 * acceptance through). No Idempotency-Key (no money moves): a request repeating the last extension
 * (same `until`, same reason) answers the case as it is and writes nothing, so a retry is harmless.
 */
export async function extendRenovation(
  ctx: Ctx,
  caseId: string,
  input: { until: string; reason: string },
): Promise<RenovationView> {
  const until = parseBizDate(input.until, 'until');
  return changeCase<RenovationView>(ctx, caseId, 'EXTEND', (c, _n, at) => {
    const last = c.extensions.at(-1);
    if (last && last.end === until && last.reason === input.reason && c.period.end === until) {
      return { unchanged: c };
    }
    if (c.extensions.length >= MAX_EXTENSIONS) {
      throw new ConflictError('TOO_MANY_EXTENSIONS', `at most ${MAX_EXTENSIONS} extensions per case`);
    }
    const end = checkExtensionEnd(c.period, until);
    const record: Extension = {
      previousEnd: c.period.end,
      end,
      reason: input.reason,
      ...actorStamp(ctx, at),
    };
    const period = { start: c.period.start, end };
    return {
      changes: {
        // The acceptance due on the list moves with the period (extensions end at acceptance).
        set: { period, ...dueIndex(c, 'ACCEPTANCE', periodLastDay(period)) },
        append: { extensions: [record] },
      },
      audit: {
        action: 'RENOVATION_EXTENDED',
        reason: input.reason,
        details: { previousEnd: c.period.end, end, until },
      },
      result: (after) => after,
    };
  });
}
