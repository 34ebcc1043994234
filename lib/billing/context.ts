/**
 * What every domain service receives: the store, the clock and the acting user. The clock is an
 * input so that a test, a replay or a back-dated paper record gets the same answer every time.
 */
import { randomBytes } from 'node:crypto';
import type { Db, TxItem } from '../store/db.js';
import { auditPk, ledgerPk } from '../store/keys.js';
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
  return {
    Put: {
      TableName: ctx.db.table,
      Item: {
        PK: auditPk(args.estateId, businessDate(at)),
        SK: `${String(at).padStart(13, '0')}#${randomBytes(6).toString('hex')}`,
        type: 'AUDIT',
        estateId: args.estateId,
        actor: ctx.actor.sub,
        role: ctx.actor.role,
        action: args.action,
        document: args.document,
        at: formatInstant(at),
        ...(args.reason ? { reason: args.reason } : {}),
        ...(args.details ? { details: JSON.stringify(args.details) } : {}),
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  };
}

export const LEDGER_KINDS = [
  'INVOICE_ISSUED',
  'INVOICE_VOIDED',
  'PAYMENT_RECEIVED',
  'CREDIT_NOTE',
  'DEPOSIT_RECEIVED',
  'DEPOSIT_DEDUCTED',
  'DEPOSIT_REFUNDED',
] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

export interface LedgerLine {
  feeCode: string;
  amount: bigint;
  period?: Period;
}

/**
 * Ledger entries for one financial event, one per fee line, in the same transaction as the event.
 * Sort key `{businessDate}#{epochMs}#{document}#{kind}#{n}` gives date-range queries in time order.
 */
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
    lines: LedgerLine[];
  },
): TxItem[] {
  const date: BizDate = businessDate(at);
  return args.lines.map((line, n) => ({
    Put: {
      TableName: ctx.db.table,
      Item: {
        PK: ledgerPk(args.estateId),
        SK: `${date}#${String(at).padStart(13, '0')}#${args.documentNo}#${args.kind}#${String(n).padStart(3, '0')}`,
        type: 'LEDGER',
        estateId: args.estateId,
        kind: args.kind,
        businessDate: date,
        at: formatInstant(at),
        documentNo: args.documentNo,
        invoiceNo: args.invoiceNo,
        receiptNo: args.receiptNo,
        creditNoteNo: args.creditNoteNo,
        unitId: args.unitId,
        plate: args.plate,
        channel: args.channel,
        actor: ctx.actor.sub,
        feeCode: line.feeCode,
        periodStart: line.period?.start,
        periodEnd: line.period?.end,
        amount: line.amount,
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  }));
}
