/**
 * Renovation cases (装修登记, SPEC.md §4.3): registration with its one invoice, completion
 * acceptance, re-inspections with deductions, period extensions and the counter's due list. The
 * refund lives in refund.ts; the states, transitions and due dates in rules.ts.
 *
 * A case is one item under a version lock: every change re-reads it, asks the rules, and writes the
 * change together with its ledger entries, audit record (and idempotency record) in one transaction
 * conditioned on the version read and on the registration invoice's status read. A concurrent
 * change makes the loser re-read and re-decide; nothing is decided on a stale case.
 */

import { auditItem, type Ctx } from '../billing/context.js';
import { listTariffs, workingCalendar } from '../billing/estates.js';
import { commitInvoice, draftUnitInvoice, getInvoice, type IdempotentCall } from '../billing/invoices.js';
import type { Invoice, InvoiceStatus } from '../billing/records.js';
import { getUnit } from '../billing/units.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { MAX_CARDS } from '../fees/calculators.js';
import type { FeeLine } from '../fees/line.js';
import type { Fen } from '../money.js';
import { cursor, type Db, TransactionCancelled, type TxItem } from '../store/db.js';
import { claimOwner, gsi2, key, type Series } from '../store/keys.js';
import { transactWithNumbers } from '../store/numbering.js';
import {
  compact,
  currentRenovationRecordSchema,
  parseRecord,
  renovationCaseRecordSchema,
} from '../store/records.js';
import { type CaseChanges, caseUpdateItem } from '../store/renovation-items.js';
import { type BizDate, businessDate, formatInstant, type Period, parseBizDate } from '../time.js';
import {
  approvalDue,
  type Deduction,
  effectiveState,
  periodEnd,
  RENOVATION_STATES,
  type RenovationEvent,
  type RenovationState,
  transition,
} from './rules.js';

export interface Acceptance {
  date: BizDate;
  passed: boolean;
  notes?: string;
  recordedAt: string;
  recordedBy: string;
}

export interface Reinspection {
  /** 1, 2, … in the order recorded. */
  n: number;
  date: BizDate;
  passed: boolean;
  deductions: Deduction[];
  recordedAt: string;
  recordedBy: string;
}

export interface Extension {
  previousEnd: BizDate;
  end: BizDate;
  reason: string;
  recordedAt: string;
  recordedBy: string;
}

export type DueKind = 'REINSPECTION' | 'REFUND';

/** A case as stored. `state` is the stored state; readers see `effectiveState` (RenovationView). */
export interface RenovationCase {
  caseId: string;
  estateId: string;
  unitId: string;
  invoiceNo: string;
  cards: number;
  registrationDate: BizDate;
  registeredAt: string;
  registeredBy: string;
  approvalDue: BizDate;
  /** `[registration date, end)`, the end moved by extensions. */
  period: Period;
  /** The renovation management deposit billed (RENOVATION_DEPOSIT line). */
  deposit: Fen;
  /** Card (pass) deposits billed (CARD_DEPOSIT line), returned with the refund. */
  cardDeposit: Fen;
  state: RenovationState;
  version: number;
  extensions: Extension[];
  acceptances: Acceptance[];
  acceptedOn?: BizDate;
  /** The re-inspection currently due: acceptance + 2 months, or a month after a failed one. */
  reinspectionDue?: BizDate;
  reinspections: Reinspection[];
  /** Sum of every deduction taken (income once deducted). */
  deducted: Fen;
  passedOn?: BizDate;
  refundDue?: BizDate;
  refundNo?: string;
  refundedAt?: string;
  refunded?: Fen;
}

export interface RenovationView extends RenovationCase {
  storedState: RenovationState;
  invoiceStatus: InvoiceStatus;
  /** Receipt of the registration payment, once paid. */
  receiptNo?: string;
}

export const caseIdOf = (invoiceNo: string) => `RN-${invoiceNo}`;

// ---------------------------------------------------------------------------------------------
// Stored item ↔ record

export function caseFromItem(item: unknown): RenovationCase {
  const {
    dueKind: _,
    state,
    extensions,
    acceptances,
    reinspections,
    deducted,
    ...rest
  } = parseRecord(renovationCaseRecordSchema, item, 'renovation case');
  const known = RENOVATION_STATES.find((k) => k === state);
  if (!known) throw new Error(`stored renovation case ${rest.caseId} has unknown state ${state}`);
  return compact({
    ...rest,
    state: known,
    extensions: extensions ?? [],
    acceptances: (acceptances ?? []).map((a) => compact(a)),
    reinspections: (reinspections ?? []).map((r) => ({ ...r, deductions: r.deductions ?? [] })),
    deducted: deducted ?? 0n,
  });
}

function viewOf(c: RenovationCase, inv: Pick<Invoice, 'status' | 'receiptNo'>): RenovationView {
  return {
    ...c,
    storedState: c.state,
    state: effectiveState(c.state, inv.status),
    invoiceStatus: inv.status,
    ...(inv.receiptNo ? { receiptNo: inv.receiptNo } : {}),
  };
}

export async function readCase(db: Db, caseId: string): Promise<RenovationCase> {
  const item = await db.get(key.renovation(caseId));
  if (!item) throw new NotFoundError('RENOVATION_NOT_FOUND', `renovation case ${caseId} does not exist`);
  return caseFromItem(item);
}

export async function getRenovation(ctx: Pick<Ctx, 'db'>, caseId: string): Promise<RenovationView> {
  const c = await readCase(ctx.db, caseId);
  return viewOf(c, await getInvoice(ctx, c.invoiceNo));
}

// ---------------------------------------------------------------------------------------------
// Registration

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
          Item: { ...key.renovation(caseId), type: 'RENOVATION', ...stored },
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

// ---------------------------------------------------------------------------------------------
// Changing a case

export type { CaseChanges };

/** The due-list entry of a case (GSI2, sparse): set while something is due, removed when nothing is. */
export function dueIndex(c: Pick<RenovationCase, 'estateId' | 'caseId'>, kind: DueKind, date: BizDate) {
  return { GSI2PK: gsi2.renovationDue(c.estateId), GSI2SK: `${date}#${c.caseId}`, dueKind: kind };
}
export const DUE_INDEX_ATTRIBUTES = ['GSI2PK', 'GSI2SK', 'dueKind'];

export interface CasePlan<R> {
  changes: CaseChanges;
  /** More items for the transaction (ledger entries, a refund document). */
  items?: TxItem[];
  audit: { action: string; document?: string; reason?: string; details?: Record<string, unknown> };
  /** The answer, given the case as it will be after the change. */
  result: (after: RenovationView) => R;
}

/**
 * Moves a case by `event`: re-reads it and its invoice, refuses an illegal transition (409 with the
 * current state), lets `plan` validate the input and say what changes, then writes everything in
 * one transaction under the version lock, with the next number of each requested series.
 */
export async function changeCase<R>(
  ctx: Ctx,
  caseId: string,
  event: RenovationEvent,
  plan: (view: RenovationView, numbers: number[], at: number) => CasePlan<R>,
  opts: { numbers?: (estateId: string) => { series: Series; year: number }[]; idem?: IdempotentCall } = {},
): Promise<R> {
  const first = await readCase(ctx.db, caseId);
  const at = ctx.now();
  const requests = (opts.numbers?.(first.estateId) ?? []).map((r) => ({ estateId: first.estateId, ...r }));
  let result: R | undefined;
  await transactWithNumbers(ctx.db, requests, async (numbers) => {
    const view = await getRenovation(ctx, caseId);
    const next = transition(view.state, event, caseId, view.refundNo ? { refundNo: view.refundNo } : {});
    const p = plan(view, numbers, at);
    const after: Record<string, unknown> = {
      ...view,
      ...p.changes.set,
      state: next,
      version: view.version + 1,
    };
    for (const [name, list] of Object.entries(p.changes.append ?? {})) {
      after[name] = [...((after[name] as unknown[]) ?? []), ...list];
    }
    for (const name of p.changes.remove ?? []) after[name] = undefined;
    result = p.result(viewOf(caseFromItem(after), { status: view.invoiceStatus, receiptNo: view.receiptNo }));
    const items: TxItem[] = [
      caseUpdateItem(view, next, p.changes),
      {
        ConditionCheck: {
          Key: key.invoice(view.invoiceNo),
          // The effective state was read from this status (paid → HELD, voided → CANCELLED).
          ConditionExpression: '#status = :seen',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':seen': view.invoiceStatus },
        },
      },
      ...(p.items ?? []),
      auditItem(ctx, at, {
        estateId: view.estateId,
        document: caseId,
        ...p.audit,
        details: { caseId, from: view.state, to: next, ...p.audit.details },
      }),
    ];
    if (opts.idem) items.push(opts.idem.handle.completeItem(opts.idem.present(result)));
    // A changed case or invoice: re-read and decide again (the rules may now refuse).
    return { items, retryOn: [0, 1] };
  });
  return result!;
}

// ---------------------------------------------------------------------------------------------
// The counter's due list

export interface DueRenovation {
  renovation: RenovationView;
  due: { kind: DueKind; date: BizDate; overdue: boolean };
}

/**
 * Cases with a re-inspection or a refund due on or before `asOf`, oldest due first. Cancelled cases
 * (registration invoice voided or credited) have nothing due and are left out.
 */
export async function listDueRenovations(
  ctx: Pick<Ctx, 'db'>,
  estateId: string,
  opts: { asOf: BizDate; due?: DueKind; limit: number; cursor?: string },
): Promise<{ items: DueRenovation[]; nextCursor?: string }> {
  const pk = gsi2.renovationDue(estateId);
  const page = await ctx.db.query({
    IndexName: 'GSI2',
    KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK <= :upTo',
    ExpressionAttributeValues: {
      ':pk': pk,
      ':upTo': `${opts.asOf}#~`,
      ...(opts.due ? { ':kind': opts.due } : {}),
    },
    ...(opts.due ? { FilterExpression: 'dueKind = :kind' } : {}),
    Limit: opts.limit,
    ...(opts.cursor ? { ExclusiveStartKey: cursor.decode(opts.cursor, { GSI2PK: pk }) } : {}),
  });
  const items: DueRenovation[] = [];
  // Bounded fan-out: a page holds up to 1000 cases, each read with its invoice.
  for (let i = 0; i < page.items.length; i += 25) {
    const chunk = await Promise.all(
      page.items.slice(i, i + 25).map(async (item) => {
        const c = caseFromItem(item);
        const view = viewOf(c, await getInvoice(ctx, c.invoiceNo));
        const kind: DueKind =
          parseRecord(renovationCaseRecordSchema, item, 'renovation case').dueKind ?? 'REINSPECTION';
        const date = (kind === 'REFUND' ? c.refundDue : c.reinspectionDue)!;
        return { renovation: view, due: { kind, date, overdue: date < opts.asOf } };
      }),
    );
    items.push(...chunk.filter((d) => d.renovation.state !== 'CANCELLED'));
  }
  const next = cursor.encode(page.lastKey);
  return { items, ...(next ? { nextCursor: next } : {}) };
}

// Acceptance, re-inspections and extensions live in inspections.ts; re-exported so that
// callers keep one entry point.
export { extendRenovation, recordAcceptance, recordReinspection } from './inspections.js';
