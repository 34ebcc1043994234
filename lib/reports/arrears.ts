/**
 * Arrears (欠费) as of a date, from ledger rows alone (SPEC.md §6, §10; docs/reports.md). No
 * snapshot is stored: the ledger up to the end of `asOf` says which invoices were open then, so a
 * past `asOf` reproduces that day's picture.
 *
 * - An invoice is open at `asOf` when it was issued by then and no payment or void of it is dated
 *   by then (payment is in full, once; a credit note follows a payment, so it never reopens one).
 * - It is overdue when its due date (billing/due-date.ts) is on or before `asOf`; days past due =
 *   asOf − due date; the 1-30 bucket holds 0 to 30 days. Open and not yet due is receivable
 *   (`notYetDue`), shown beside the arrears, never in them.
 * - Deposits are liabilities, not arrears: their lines are left out. Invoices billed to a plate (a
 *   rental nobody paid gives no right to park) are not a unit's arrears.
 *
 * `ArrearsBook` takes rows in any order and holds one small record per open invoice; the store
 * query that feeds it is in ./arrears-query.ts.
 */
import { daysPastDue, invoiceDueDate } from '../billing/due-date.js';
import { isDeposit } from '../fee-types/catalog.js';
import type { BizDate } from '../time.js';

export const BUCKETS = [
  { key: 'days1to30', zh: '1-30天', upTo: 30 },
  { key: 'days31to90', zh: '31-90天', upTo: 90 },
  { key: 'days91to180', zh: '91-180天', upTo: 180 },
  { key: 'days181to365', zh: '181-365天', upTo: 365 },
  { key: 'over365', zh: '365天以上', upTo: Number.POSITIVE_INFINITY },
] as const;
export type BucketKey = (typeof BUCKETS)[number]['key'];
export const BUCKET_KEYS = BUCKETS.map((b) => b.key) as BucketKey[];

/** The bucket of an amount `days` past due (0 and up). */
export function bucketOf(days: number): BucketKey {
  if (!Number.isInteger(days) || days < 0) throw new RangeError(`days past due ${days} is not overdue`);
  return BUCKETS.find((b) => days <= b.upTo)!.key;
}

export type Buckets = Record<BucketKey, bigint>;
export const zeroBuckets = (): Buckets => Object.fromEntries(BUCKET_KEYS.map((k) => [k, 0n])) as Buckets;

/** The part of a ledger row the arrears read. */
export interface ArrearsRow {
  kind: string;
  businessDate: BizDate;
  invoiceNo?: string | undefined;
  unitId?: string | undefined;
  feeCode: string;
  periodStart?: BizDate | undefined;
  periodEnd?: BizDate | undefined;
  dueDate?: BizDate | undefined;
  amount: bigint;
}

export interface BillLine {
  feeCode: string;
  /** Half-open [start, end) as stored; people read the day before `periodEnd`. */
  periodStart?: BizDate;
  periodEnd?: BizDate;
  amount: bigint;
}

/** An overdue invoice of a unit: what a dunning notice lists. */
export interface OverdueBill {
  invoiceNo: string;
  dueDate: BizDate;
  daysOverdue: number;
  bucket: BucketKey;
  lines: BillLine[];
  amount: bigint;
}

export interface UnitArrears {
  unitId: string;
  /** Due on or before asOf and unpaid then. */
  overdue: bigint;
  oldestDueDate: BizDate;
  daysOverdue: number;
  buckets: Buckets;
  byFeeCode: Map<string, bigint>;
  /** Billed, unpaid and not yet due at asOf (e.g. a renewal issued ahead). */
  notYetDue: bigint;
  bills: OverdueBill[];
}

interface OpenInvoice {
  unitId?: string;
  issueDate?: BizDate;
  dueDate?: BizDate;
  periodStarts: BizDate[];
  lines: BillLine[];
}

const SETTLING = new Set(['PAYMENT_RECEIVED', 'DEPOSIT_RECEIVED', 'INVOICE_VOIDED']);

export class ArrearsBook {
  private readonly open = new Map<string, OpenInvoice>();
  /** Invoices paid or voided by asOf: a row of theirs seen after the settling one changes nothing. */
  private readonly settled = new Set<string>();
  rows = 0;

  add(r: ArrearsRow): void {
    this.rows++;
    const no = r.invoiceNo;
    if (no === undefined || this.settled.has(no)) return;
    if (SETTLING.has(r.kind)) {
      this.settled.add(no);
      this.open.delete(no);
      return;
    }
    if (r.kind !== 'INVOICE_ISSUED') return;
    let inv = this.open.get(no);
    if (!inv) {
      inv = { periodStarts: [], lines: [] };
      this.open.set(no, inv);
    }
    if (r.unitId !== undefined) inv.unitId = r.unitId;
    inv.issueDate = r.businessDate;
    if (r.dueDate !== undefined) inv.dueDate = r.dueDate;
    if (r.periodStart !== undefined) inv.periodStarts.push(r.periodStart);
    if (isDeposit(r.feeCode)) return;
    inv.lines.push({
      feeCode: r.feeCode,
      amount: r.amount,
      ...(r.periodStart !== undefined ? { periodStart: r.periodStart } : {}),
      ...(r.periodEnd !== undefined ? { periodEnd: r.periodEnd } : {}),
    });
  }

  /** Per unit with anything overdue at `asOf`, most overdue first (then by unit id). */
  units(asOf: BizDate): UnitArrears[] {
    const byUnit = new Map<string, UnitArrears>();
    for (const [invoiceNo, inv] of this.open) {
      if (inv.unitId === undefined || inv.issueDate === undefined) continue;
      const amount = inv.lines.reduce((s, l) => s + l.amount, 0n);
      if (amount === 0n) continue;
      let u = byUnit.get(inv.unitId);
      if (!u) {
        u = {
          unitId: inv.unitId,
          overdue: 0n,
          oldestDueDate: '',
          daysOverdue: 0,
          buckets: zeroBuckets(),
          byFeeCode: new Map(),
          notYetDue: 0n,
          bills: [],
        };
        byUnit.set(inv.unitId, u);
      }
      const due = invoiceDueDate({
        dueDate: inv.dueDate,
        issueDate: inv.issueDate,
        periodStarts: inv.periodStarts,
      });
      const days = daysPastDue(due, asOf);
      if (days < 0) {
        u.notYetDue += amount;
        continue;
      }
      const bucket = bucketOf(days);
      u.overdue += amount;
      u.buckets[bucket] += amount;
      for (const l of inv.lines) u.byFeeCode.set(l.feeCode, (u.byFeeCode.get(l.feeCode) ?? 0n) + l.amount);
      if (u.oldestDueDate === '' || due < u.oldestDueDate) {
        u.oldestDueDate = due;
        u.daysOverdue = days;
      }
      u.bills.push({ invoiceNo, dueDate: due, daysOverdue: days, bucket, lines: inv.lines, amount });
    }
    const rows = [...byUnit.values()].filter((u) => u.overdue > 0n);
    for (const u of rows)
      u.bills.sort((a, b) => (a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : 0));
    return rows.sort(compareRows);
  }
}

/** Most overdue first; equal amounts by unit id, so pages are stable. */
export function compareRows(
  a: Pick<UnitArrears, 'overdue' | 'unitId'>,
  b: Pick<UnitArrears, 'overdue' | 'unitId'>,
) {
  if (a.overdue !== b.overdue) return a.overdue > b.overdue ? -1 : 1;
  return a.unitId < b.unitId ? -1 : a.unitId > b.unitId ? 1 : 0;
}

export interface ArrearsTotals {
  units: number;
  overdue: bigint;
  notYetDue: bigint;
  buckets: Buckets;
  /** Per fee code: the overdue amount and its buckets. */
  byFeeCode: Map<string, { overdue: bigint; buckets: Buckets }>;
}

/** The totals of the rows: they are the sums of the rows by construction. */
export function arrearsTotals(rows: readonly UnitArrears[]): ArrearsTotals {
  const t: ArrearsTotals = {
    units: rows.length,
    overdue: 0n,
    notYetDue: 0n,
    buckets: zeroBuckets(),
    byFeeCode: new Map(),
  };
  for (const u of rows) {
    t.overdue += u.overdue;
    t.notYetDue += u.notYetDue;
    for (const k of BUCKET_KEYS) t.buckets[k] += u.buckets[k];
    for (const bill of u.bills) {
      for (const l of bill.lines) {
        let f = t.byFeeCode.get(l.feeCode);
        if (!f) {
          f = { overdue: 0n, buckets: zeroBuckets() };
          t.byFeeCode.set(l.feeCode, f);
        }
        f.overdue += l.amount;
        f.buckets[bill.bucket] += l.amount;
      }
    }
  }
  return t;
}
