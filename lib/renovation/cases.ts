/**
 * Renovation cases (装修登记, SPEC.md §4.3): the stored case, how it is read, and how every change
 * after registration is written (changeCase). Registration is in registration.ts, acceptance,
 * re-inspections and extensions in inspections.ts, the refund in refund.ts, the counter's due list
 * in due-list.ts; the states, transitions and due dates are the pure rules of rules.ts.
 *
 * A case is one item under a version lock: every change re-reads it, asks the rules, and writes the
 * change together with its ledger entries, audit record (and idempotency record) in one transaction
 * conditioned on the version read and on the registration invoice's status read. A concurrent
 * change makes the loser re-read and re-decide; nothing is decided on a stale case.
 */
import { auditItem, type Ctx } from '../billing/context.js';
import { getInvoice, type IdempotentCall } from '../billing/invoices.js';
import type { Invoice, InvoiceStatus } from '../billing/records.js';
import { NotFoundError } from '../errors.js';
import type { Fen } from '../money.js';
import type { Db, TxItem } from '../store/db.js';
import { gsi2, key, type Series } from '../store/keys.js';
import { transactWithNumbers } from '../store/numbering.js';
import { compact, parseRecord } from '../store/records.js';
import { type CaseChanges, caseUpdateItem } from '../store/renovation-items.js';
import { renovationCaseRecordSchema } from '../store/renovation-records.js';
import type { BizDate, Period } from '../time.js';
import {
  type Deduction,
  effectiveState,
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

/**
 * What the counter must do next: have the completion accepted by the period's last day (or record
 * an extension), re-inspect, refund.
 */
export const DUE_KINDS = ['ACCEPTANCE', 'REINSPECTION', 'REFUND'] as const;
export type DueKind = (typeof DUE_KINDS)[number];

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

export function viewOf(c: RenovationCase, inv: Pick<Invoice, 'status' | 'receiptNo'>): RenovationView {
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

/** A request the case already records (a repeated extension): answered as is, nothing written. */
export interface Unchanged<R> {
  unchanged: R;
}

/** Carries a no-op's answer out of the transaction loop without writing. */
class NothingToWrite {
  constructor(readonly result: unknown) {}
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
  plan: (view: RenovationView, numbers: number[], at: number) => CasePlan<R> | Unchanged<R>,
  /** The series to number the change in; `at` is the change's time, so a number's year is its date's. */
  opts: {
    numbers?: (estateId: string, at: number) => { series: Series; year: number }[];
    idem?: IdempotentCall;
  } = {},
): Promise<R> {
  const first = await readCase(ctx.db, caseId);
  const at = ctx.now();
  const requests = (opts.numbers?.(first.estateId, at) ?? []).map((r) => ({
    estateId: first.estateId,
    ...r,
  }));
  let result: R | undefined;
  try {
    await transactWithNumbers(ctx.db, requests, (numbers) => attempt(numbers));
  } catch (e) {
    if (e instanceof NothingToWrite) return e.result as R;
    throw e;
  }
  return result!;

  async function attempt(numbers: number[]) {
    const view = await getRenovation(ctx, caseId);
    const next = transition(view.state, event, caseId, view.refundNo ? { refundNo: view.refundNo } : {});
    const p = plan(view, numbers, at);
    if ('unchanged' in p) {
      // An Idempotency-Key must be completed by a write; keyed routes never plan a no-op.
      if (opts.idem) throw new Error(`renovation ${caseId}: a keyed change cannot be a no-op`);
      throw new NothingToWrite(p.unchanged);
    }
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
  }
}
