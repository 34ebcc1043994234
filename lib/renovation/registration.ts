/**
 * Registering a renovation (POST /v1/renovations): the case and its one invoice in one transaction.
 */
import { auditItem, type Ctx } from '../billing/context.js';
import { listTariffs, workingCalendar } from '../billing/estates.js';
import { commitInvoice, draftUnitInvoice } from '../billing/invoices.js';
import type { Invoice } from '../billing/records.js';
import { getUnit } from '../billing/units.js';
import { ConflictError, ValidationError } from '../errors.js';
import { MAX_CARDS } from '../fees/calculators.js';
import type { FeeLine } from '../fees/line.js';
import { TransactionCancelled, type TxItem } from '../store/db.js';
import { claimOwner, key } from '../store/keys.js';
import { parseRecord } from '../store/records.js';
import { currentRenovationRecordSchema } from '../store/renovation-records.js';
import { type BizDate, businessDate, formatInstant, parseBizDate } from '../time.js';
import {
  caseIdOf,
  dueIndex,
  getRenovation,
  type RenovationCase,
  type RenovationView,
  viewOf,
} from './cases.js';
import { approvalDue, periodEnd, periodLastDay, type RenovationState } from './rules.js';

const LIVE_STATES: ReadonlySet<RenovationState> = new Set([
  'REGISTERED',
  'HELD',
  'ACCEPTED',
  'REINSPECTION_FAILED',
  'REINSPECTION_PASSED',
]);

/** Noon of a business date, as the clock a back-dated registration is priced on. */
const noonOf = (date: BizDate) => Date.parse(`${date}T12:00:00+08:00`);

export interface RegistrationInput {
  unitId: string;
  cards: number;
  /** The registration date, for paper records entered later; default today. */
  date?: string;
}

/**
 * POST /v1/renovations: one invoice (waste fee, deposit, card fees, card deposits) and the case,
 * in one transaction. A unit has at most one live case: the household's deposit is one deposit.
 */
export async function registerRenovation(
  ctx: Ctx,
  input: RegistrationInput,
): Promise<{ renovation: RenovationView; invoice: Invoice }> {
  if (!Number.isInteger(input.cards) || input.cards < 1 || input.cards > MAX_CARDS) {
    throw ValidationError.of(
      'cards',
      'INVALID_NUMBER',
      `cards (the permit and each worker pass) must be 1 to ${MAX_CARDS}`,
    );
  }
  const unit = await getUnit(ctx, input.unitId);
  const at = ctx.now();
  const today = businessDate(at);
  const date = input.date === undefined ? today : parseBizDate(input.date, 'date');
  if (date > today) {
    throw ValidationError.of('date', 'FUTURE_DATE', `the registration date ${date} is after today ${today}`);
  }
  if (date < unit.deliveryDate) {
    throw ValidationError.of(
      'date',
      'BEFORE_DELIVERY',
      `the unit was delivered on ${unit.deliveryDate}, after ${date}`,
    );
  }
  const [tariffs, calendar, current] = await Promise.all([
    listTariffs(ctx, unit.estateId),
    workingCalendar(ctx, unit.estateId),
    ctx.db.get(key.currentRenovation(unit.unitId)),
  ]);
  const previousCaseId = current
    ? parseRecord(currentRenovationRecordSchema, current, 'current renovation').caseId
    : undefined;
  if (previousCaseId) {
    const previous = await getRenovation(ctx, previousCaseId);
    if (LIVE_STATES.has(previous.state)) {
      throw new ConflictError(
        'RENOVATION_IN_PROGRESS',
        `unit ${unit.unitId} already has renovation ${previousCaseId} (${previous.state}); one deposit per household`,
        [{ field: 'unitId', caseId: previousCaseId, state: previous.state }],
      );
    }
  }

  // A back-dated registration is priced with the tariff in effect on its date.
  let lines: FeeLine[];
  try {
    lines = await draftUnitInvoice(
      { ...ctx, now: () => noonOf(date) },
      unit,
      [
        { type: 'RENOVATION_WASTE' },
        { type: 'RENOVATION_DEPOSIT' },
        { type: 'RENOVATION_CARDS', cards: input.cards },
      ],
      tariffs,
    );
  } catch (e) {
    if (e instanceof ValidationError && e.field === 'on') throw ValidationError.of('date', e.code, e.message);
    throw e;
  }
  const sumOf = (code: string) => lines.filter((l) => l.type === code).reduce((s, l) => s + l.amount, 0n);

  let stored: RenovationCase | undefined;
  const extra = (invoiceNo: string): TxItem[] => {
    const caseId = caseIdOf(invoiceNo);
    stored = {
      caseId,
      estateId: unit.estateId,
      unitId: unit.unitId,
      invoiceNo,
      cards: input.cards,
      registrationDate: date,
      registeredAt: formatInstant(at),
      registeredBy: ctx.actor.sub,
      approvalDue: approvalDue(calendar, date),
      period: { start: date, end: periodEnd(date) },
      deposit: sumOf('RENOVATION_DEPOSIT'),
      cardDeposit: sumOf('CARD_DEPOSIT'),
      state: 'REGISTERED',
      version: 0,
      extensions: [],
      acceptances: [],
      reinspections: [],
      deducted: 0n,
    };
    return [
      {
        Put: {
          // Due on the list from the period's last day: overdue from the next day until accepted.
          Item: {
            ...key.renovation(caseId),
            type: 'RENOVATION',
            ...stored,
            ...dueIndex(stored, 'ACCEPTANCE', periodLastDay(stored.period)),
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      {
        Put: {
          Item: {
            ...key.currentRenovation(unit.unitId),
            type: 'RENOVATION_CURRENT',
            caseId,
            estateId: unit.estateId,
          },
          // Taken over only from the case read above (refunded or cancelled): two registrations racing lose one.
          ConditionExpression: previousCaseId ? 'caseId = :previous' : 'attribute_not_exists(PK)',
          ...(previousCaseId ? { ExpressionAttributeValues: { ':previous': previousCaseId } } : {}),
        },
      },
      auditItem(ctx, at, {
        estateId: unit.estateId,
        action: 'RENOVATION_REGISTERED',
        document: caseId,
        details: { invoiceNo, unitId: unit.unitId, cards: input.cards, registrationDate: date },
      }),
    ];
  };
  let invoice: Invoice;
  try {
    invoice = await commitInvoice(ctx, {
      estateId: unit.estateId,
      billedTo: claimOwner.unit(unit.unitId),
      unitId: unit.unitId,
      lines,
      dueDate: today,
      action: 'RENOVATION_INVOICE_ISSUED',
      extraItems: extra,
    });
  } catch (e) {
    // The extra items close the transaction: [case, current-renovation guard, audit].
    if (e instanceof TransactionCancelled && e.failedAt(e.reasons.length - 2)) {
      throw new ConflictError(
        'RENOVATION_IN_PROGRESS',
        `unit ${unit.unitId} was registered for renovation just now`,
        [{ field: 'unitId' }],
      );
    }
    throw e;
  }
  return { renovation: viewOf(stored!, invoice), invoice };
}
