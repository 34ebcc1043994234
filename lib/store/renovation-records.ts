/** The stored records of renovation (lib/renovation): cases, the unit's current case, deposit refunds. */
import * as z from 'zod/mini';
import { count, feeCode, fen, opt, period, printed, str } from './record-parts.js';

export const depositRefundRecordSchema = z.lazy(() =>
  z.object({
    refundNo: str,
    estateId: str,
    caseId: str,
    unitId: str,
    invoiceNo: str,
    receiptNo: opt(str),
    channel: str,
    reference: opt(str),
    deposit: fen,
    deducted: fen,
    cardDeposit: fen,
    lines: z.array(z.object({ type: feeCode, description: str, amount: fen })),
    total: fen,
    refundDue: str,
    refundedAt: str,
    businessDate: str,
    refundedBy: str,
    refundedByName: opt(str),
    late: z.boolean(),
    ...printed,
  }),
);

const deduction = z.object({ amount: fen, reason: str, evidenceRef: str });

/** A renovation case; `state` is checked against the domain's states where it is read. */
export const renovationCaseRecordSchema = z.lazy(() =>
  z.object({
    caseId: str,
    estateId: str,
    unitId: str,
    invoiceNo: str,
    cards: count,
    registrationDate: str,
    registeredAt: str,
    registeredBy: str,
    approvalDue: str,
    period,
    deposit: fen,
    cardDeposit: fen,
    state: str,
    version: count,
    extensions: opt(
      z.array(z.object({ previousEnd: str, end: str, reason: str, recordedAt: str, recordedBy: str })),
    ),
    acceptances: opt(
      z.array(
        z.object({ date: str, passed: z.boolean(), notes: opt(str), recordedAt: str, recordedBy: str }),
      ),
    ),
    reinspections: opt(
      z.array(
        z.object({
          n: count,
          date: str,
          passed: z.boolean(),
          deductions: opt(z.array(deduction)),
          recordedAt: str,
          recordedBy: str,
        }),
      ),
    ),
    deducted: opt(fen),
    acceptedOn: opt(str),
    reinspectionDue: opt(str),
    passedOn: opt(str),
    refundDue: opt(str),
    refundNo: opt(str),
    refundedAt: opt(str),
    refunded: opt(fen),
    /** Set while the case is in the due index: what is due. */
    dueKind: opt(z.enum(['ACCEPTANCE', 'REINSPECTION', 'REFUND'])),
  }),
);

/** The pointer from a unit to its current renovation case. */
export const currentRenovationRecordSchema = z.lazy(() => z.object({ caseId: str }));
