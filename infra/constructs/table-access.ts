/**
 * What each function may do to the table, and why.
 *
 * Read or read-write comes from the route table: a group is RW when any of its routes says
 * `access: 'RW'`. Which indexes a group queries is declared here, because a route does not say
 * it; test/infra/stack.test.ts follows the imports of each group's route modules and fails when
 * this list and the queries that code contains differ in either direction. That reading is per
 * module, so it over-approximates (a group that imports invoices.ts for one function is granted
 * GSI1 whether or not it calls the one that queries it): a missing grant would surface only in
 * AWS, as AccessDenied on some rarely used path, so the error is kept on the side of the grant.
 * Every index is named by its ARN, never `index/*`.
 *
 * Writes are PutItem, UpdateItem and ConditionCheckItem only (what Db.put/update/transact issue;
 * IAM has no TransactWriteItems action, a transaction is authorised item by item). No function gets
 * DeleteItem or BatchWriteItem: nothing financial is ever deleted, and IAM now says so too.
 */
import type { AnyRoute, FunctionGroup } from '../../lib/api/route.js';
import type { IndexName } from './table.js';

export type AccessMode = 'RO' | 'RW';

export interface TableNeeds {
  /** Query on the table itself (a partition's items: tariffs, claims, spaces, ledger…). */
  queriesTable: boolean;
  /** Indexes queried; the grant names each index ARN, never `index/*`. */
  queriesIndexes: readonly IndexName[];
  /** Indexes scanned (the daily renewal run only; see lib/billing/estates-list.ts). */
  scansIndexes?: readonly IndexName[];
  /** BatchGetItem on the table: unit labels of reports and exports, 100 to a request (lib/ledger/units.ts). */
  batchGets?: boolean;
  /**
   * Writes only to partitions whose key starts with one of these (IAM `dynamodb:LeadingKeys`):
   * the providers' notifications write what settling a payment writes and nothing else.
   */
  writePartitions?: readonly string[];
}

/**
 * What settling a confirmed payment writes (lib/payments/settle.ts through payInvoice and
 * payParking): the order, an exception, the invoice, the receipt, the receipt-number counter
 * (ESTATE#), the unit's billing state (UNIT#), the parking session, the ledger and the audit rows.
 * IAM conditions name partition keys only: ESTATE# and UNIT# cannot be narrowed to their counter and
 * billing-state rows. test/api/payment-notify-access.test.ts records every key a notification
 * writes and checks it against this list.
 */
export const NOTIFY_WRITE_PARTITIONS = [
  'PAYORDER#',
  'PAYEXC#',
  'INVOICE#',
  'RECEIPT#',
  'ESTATE#',
  'UNIT#',
  'PARKING#',
  'LEDGER#',
  'AUDIT#',
] as const;

export const SCHEDULER = 'scheduler' as const;
export const IMPORT_WORKER = 'import-worker' as const;
export type FunctionName = FunctionGroup | typeof SCHEDULER | typeof IMPORT_WORKER;

export const TABLE_NEEDS: Record<FunctionName, TableNeeds> = {
  /** /health reads one item; /openapi.json reads nothing. */
  meta: { queriesTable: false, queriesIndexes: [] },
  /**
   * GSI1: invoices and receipts of a unit or vehicle; GSI2: units due for renewal, open parking
   * sessions; GSI3: receipts of an estate by date (reprints).
   */
  billing: { queriesTable: true, queriesIndexes: ['GSI1', 'GSI2', 'GSI3'] },
  // The grant follows what the imported code can reach, see above: since the billing routes were
  // split (#16) parking no longer reaches the reprints (GSI3); renovation still does, through
  // the invoice routes it shares.
  parking: { queriesTable: true, queriesIndexes: ['GSI1', 'GSI2'] },
  renovation: { queriesTable: true, queriesIndexes: ['GSI1', 'GSI2', 'GSI3'] },
  /** GSI1 only since the billing routes were split (#16): its code no longer reaches renewals or reprints. */
  ledger: { queriesTable: true, queriesIndexes: ['GSI1'], batchGets: true },
  /** The accountant's month: the ledger partition, unit labels in batches (split from ledger for size). */
  accounting: { queriesTable: true, queriesIndexes: ['GSI1'], batchGets: true },
  /** Roster import and export: guards and spaces of an estate; GSI1 from the invoice code it issues with. */
  onboarding: { queriesTable: true, queriesIndexes: ['GSI1'] },
  /** GSI2: payment exceptions by estate; the payment paths read unit claims and free plates. */
  // GSI3: reconciliation reads a day's receipts of the estate.
  payments: { queriesTable: true, queriesIndexes: ['GSI1', 'GSI2', 'GSI3'] },
  /** The notifications: settling reads unit claims and free plates through the payment paths. */
  'payments-notify': {
    queriesTable: true,
    queriesIndexes: ['GSI1', 'GSI2'],
    writePartitions: NOTIFY_WRITE_PARTITIONS,
  },
  scheduler: { queriesTable: true, queriesIndexes: ['GSI1', 'GSI2'], scansIndexes: ['GSI2'] },
  /** The roster import's plan and commit: guards and spaces of the estate, the stored file, chunk markers. */
  'import-worker': { queriesTable: true, queriesIndexes: [] },
};

/** Groups that may only read, whatever their routes say (SPEC.md §7: accountants change nothing). */
export const READ_ONLY_GROUPS: readonly FunctionGroup[] = ['ledger', 'accounting'];

export const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query'] as const;
export const WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:ConditionCheckItem',
] as const;

/** RO or RW per group present in the route table; a group absent from it gets no function. */
export function groupAccess(routes: readonly AnyRoute[]): Map<FunctionGroup, AccessMode> {
  const modes = new Map<FunctionGroup, AccessMode>();
  for (const r of routes) {
    if (r.access === 'RW' && READ_ONLY_GROUPS.includes(r.group)) {
      throw new Error(`${r.method} ${r.path}: the ${r.group} group is read-only, its routes cannot write`);
    }
    if (r.access === 'RW' && r.roles !== 'public' && r.roles.every((role) => role === 'accountant')) {
      throw new Error(
        `${r.method} ${r.path}: accountants change nothing, an accountant-only route cannot write`,
      );
    }
    modes.set(r.group, modes.get(r.group) === 'RW' || r.access === 'RW' ? 'RW' : 'RO');
  }
  return modes;
}
