/**
 * What every domain service receives: the store, the clock and the acting user. The clock is an
 * input so that a test, a replay or a back-dated paper record gets the same answer every time.
 */
import type { Db, TxItem } from '../store/db.js';
import { auditRecordItem, ledgerEntryItem } from '../store/items.js';
import { type BizDate, businessDate, formatInstant, type Period } from '../time.js';

export const ROLES = ['admin', 'cashier', 'accountant', 'owner', 'kiosk', 'gate', 'scheduler'] as const;
export type Role = (typeof ROLES)[number];

/** One role of a token with its own scope (SPEC.md §7: scopes are per role). */
export interface Grant {
  role: Role;
  /** Estates the role may act in (for an owner: the estates of the units). */
  estates: readonly string[];
  /** For owners: the units they own. */
  units: readonly string[];
}

/** The acting role and its scope; `anonymous` for the routes without a token. */
export interface Actor extends Omit<Grant, 'role'> {
  sub: string;
  /**
   * The person's display name (the ID token's `name` claim), printed on the documents they write.
   * Documents record it when they are written; without it they print the `sub`.
   */
  name?: string;
  role: Role | 'anonymous';
  /** Every role of the token the route allows; the scope check acts as the one covering the target (lib/api/auth.ts). */
  grants?: readonly Grant[];
}

export interface Ctx {
  db: Db;
  now: () => number;
  actor: Actor;
}

export const SYSTEM_SCHEDULER = (estateId: string): Actor => ({
  sub: 'scheduler',
  name: '系统自动续期',
  role: 'scheduler',
  estates: [estateId],
  units: [],
});

/** An audit record written in the same transaction as the change it describes. */
export function auditItem(
  ctx: Ctx,
  at: number,
  args: {
    estateId: string;
    action: string;
    document: string;
    reason?: string;
    details?: Record<string, unknown>;
  },
): TxItem {
  return auditRecordItem(
    {
      ...args,
      businessDate: businessDate(at),
      actor: ctx.actor.sub,
      role: ctx.actor.role,
      at: formatInstant(at),
    },
    at,
  );
}

export const LEDGER_KINDS = [
  'INVOICE_ISSUED',
  'INVOICE_VOIDED',
  'PAYMENT_RECEIVED',
  'CREDIT_NOTE',
  'DEPOSIT_RECEIVED',
  'DEPOSIT_DEDUCTED',
  'DEPOSIT_REFUNDED',
  /** Confirmed provider money not applied to a bill (a payment exception), and its reversal. */
  'PAYMENT_UNAPPLIED',
] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

export interface LedgerLine {
  feeCode: string;
  amount: bigint;
  period?: Period;
}

/** Ledger entries for one financial event, one per fee line, in the same transaction as the event. */
export function ledgerItems(
  ctx: Ctx,
  at: number,
  args: {
    estateId: string;
    kind: LedgerKind;
    documentNo: string;
    invoiceNo?: string;
    receiptNo?: string;
    creditNoteNo?: string;
    unitId?: string;
    plate?: string;
    channel?: string;
    /** On INVOICE_ISSUED rows: the invoice's due date, so reports read it from the ledger (billing/due-date.ts). */
    dueDate?: BizDate;
    /**
     * The business date the event belongs to when it is not the day it is recorded: a deposit
     * deduction is income on the re-inspection's date (SPEC.md §6), which a cashier may enter later.
     */
    onDate?: BizDate;
    lines: LedgerLine[];
  },
): TxItem[] {
  const { lines, onDate, ...event } = args;
  const date: BizDate = onDate ?? businessDate(at);
  return lines.map((line, n) =>
    ledgerEntryItem(
      {
        ...event,
        businessDate: date,
        at: formatInstant(at),
        actor: ctx.actor.sub,
        feeCode: line.feeCode,
        amount: line.amount,
        ...(line.period ? { period: line.period } : {}),
      },
      at,
      n,
    ),
  );
}
