/**
 * The figures of a collection summary and `Tally`, the arithmetic that derives 应收/实收/欠费, households
 * and totals from classified amounts. lib/ledger/summary.ts decides what goes in from the ledger;
 * test/support/ledger-reconcile.ts decides it independently from documents.
 */
import { LEDGER_KINDS, type LedgerKind } from '../billing/context.js';
import { feeCodes, isDeposit } from '../fee-types/catalog.js';
import type { LedgerRange } from './query.js';

export interface CohortLine {
  issued: bigint;
  cashSale: bigint;
  voided: bigint;
  credited: bigint;
  paid: bigint;
}

export interface FeeFigures {
  /** Gross amount of invoices issued in the range. */
  issued: bigint;
  /** Paid on the spot without an invoice (billed and received at once). */
  cashSales: bigint;
  /** Voids, in the range, of invoices issued in the range (negative). */
  voided: bigint;
  /** Credit notes, in the range, of invoices issued in the range (negative). */
  credited: bigint;
  /** 应收 = issued + cashSales + voided + credited. */
  receivable: bigint;
  /** 实收 = paid in the range of the range's invoices + cashSales + credited. */
  received: bigint;
  /** 欠费: what invoices due on or before the range's end still owe then. */
  outstanding: bigint;
  /** Unpaid and not yet due at the range's end: receivable − received − outstanding. */
  notYetDue: bigint;
  households: { billed: number; paidInFull: number };
  /** Entries in the range for invoices issued before it. */
  earlierInvoices: { collected: bigint; voided: bigint; credited: bigint };
}

export interface DepositFigures {
  /** Held at the start of `from`: everything before the range. */
  heldAtStart: bigint;
  received: bigint;
  /** Deposits handed back by credit notes of their invoices (negative). */
  credited: bigint;
  /** Kept as income after a failed inspection (positive, reduces what is held). */
  deducted: bigint;
  /** Paid back (positive, reduces what is held). */
  refunded: bigint;
  /** Held at the end of `to` = heldAtStart + received + credited − deducted − refunded. */
  heldAtEnd: bigint;
}

/** The income a failed re-inspection keeps of a deposit is reported under this code. */
export const DEDUCTION_CODE = 'DEPOSIT_DEDUCTION';

/** The deposit fee codes (liabilities) of the registry, read when a summary starts. */
export const depositCodes = () => feeCodes().filter(isDeposit);

export interface Summary {
  estateId: string;
  from: string;
  to: string;
  /** Ledger entries dated in the range. */
  entries: number;
  byKind: Record<LedgerKind, { count: number; amount: bigint }>;
  /** Every fee code of the registry, in its order. */
  byFeeCode: Record<string, FeeFigures>;
  /** The income fee codes together (deposits excluded). */
  totals: FeeFigures;
  deposits: DepositFigures & { byFeeCode: Record<string, DepositFigures> };
}

const zeroFigures = (): FeeFigures => ({
  issued: 0n,
  cashSales: 0n,
  voided: 0n,
  credited: 0n,
  receivable: 0n,
  received: 0n,
  outstanding: 0n,
  notYetDue: 0n,
  households: { billed: 0, paidInFull: 0 },
  earlierInvoices: { collected: 0n, voided: 0n, credited: 0n },
});
const zeroDeposits = (): DepositFigures => ({
  heldAtStart: 0n,
  received: 0n,
  credited: 0n,
  deducted: 0n,
  refunded: 0n,
  heldAtEnd: 0n,
});

/** Accumulates classified amounts; `finish` derives 应收/实收/欠费, households and totals. */
export class Tally {
  private readonly codes: Record<string, FeeFigures> = Object.fromEntries(
    feeCodes().map((c) => [c, zeroFigures()]),
  );
  /** Per fee code: paid of the range's invoices. */
  private readonly paidOf = new Map<string, bigint>();
  /** Per fee code: what the range's billing due by its end still owes. */
  private readonly overdueOf = new Map<string, bigint>();
  /** Per household (unit) and fee code: [receivable, outstanding]. */
  private readonly units = new Map<string, Map<string, [bigint, bigint]>>();
  private readonly deposit: Record<string, DepositFigures> = Object.fromEntries(
    depositCodes().map((c) => [c, zeroDeposits()]),
  );
  readonly byKind = Object.fromEntries(
    LEDGER_KINDS.map((k) => [k, { count: 0, amount: 0n }]),
  ) as Summary['byKind'];
  entries = 0;

  private code(feeCode: string): FeeFigures {
    const f = Object.hasOwn(this.codes, feeCode) ? this.codes[feeCode] : undefined;
    if (!f) throw new Error(`ledger holds an unknown fee code ${feeCode}`);
    return f;
  }

  kind(kind: LedgerKind, amount: bigint, count = 1): void {
    this.byKind[kind].count += count;
    this.byKind[kind].amount += amount;
    this.entries += count;
  }

  /**
   * One fee line of the range's billing, as it stands at the end of the range; `due`: its invoice
   * is due on or before the range's last day (what it still owes is 欠费).
   */
  cohort(feeCode: string, unitId: string | undefined, l: CohortLine, due = true): void {
    const f = this.code(feeCode);
    f.issued += l.issued;
    f.cashSales += l.cashSale;
    f.voided += l.voided;
    f.credited += l.credited;
    this.paidOf.set(feeCode, (this.paidOf.get(feeCode) ?? 0n) + l.paid);
    const receivable = l.issued + l.cashSale + l.voided + l.credited;
    const received = l.paid + l.cashSale + l.credited;
    const owed = due ? receivable - received : 0n;
    this.overdueOf.set(feeCode, (this.overdueOf.get(feeCode) ?? 0n) + owed);
    if (unitId === undefined) return;
    let perCode = this.units.get(unitId);
    if (!perCode) {
      perCode = new Map();
      this.units.set(unitId, perCode);
    }
    const [r, o] = perCode.get(feeCode) ?? [0n, 0n];
    perCode.set(feeCode, [r + receivable, o + owed]);
  }

  earlier(feeCode: string, e: { collected?: bigint; voided?: bigint; credited?: bigint }): void {
    const f = this.code(feeCode).earlierInvoices;
    f.collected += e.collected ?? 0n;
    f.voided += e.voided ?? 0n;
    f.credited += e.credited ?? 0n;
  }

  depositFlow(feeCode: string, flow: keyof Omit<DepositFigures, 'heldAtEnd'>, amount: bigint): void {
    const d = Object.hasOwn(this.deposit, feeCode) ? this.deposit[feeCode] : undefined;
    if (!d) throw new Error(`${feeCode} is not a deposit fee code`);
    d[flow] += amount;
  }

  finish(range: LedgerRange): Summary {
    const totals = zeroFigures();
    for (const [c, f] of Object.entries(this.codes)) {
      f.receivable = f.issued + f.cashSales + f.voided + f.credited;
      f.received = (this.paidOf.get(c) ?? 0n) + f.cashSales + f.credited;
      f.outstanding = this.overdueOf.get(c) ?? 0n;
      f.notYetDue = f.receivable - f.received - f.outstanding;
      if (isDeposit(c)) continue;
      for (const k of [
        'issued',
        'cashSales',
        'voided',
        'credited',
        'receivable',
        'received',
        'outstanding',
        'notYetDue',
      ] as const) {
        totals[k] += f[k];
      }
      for (const k of ['collected', 'voided', 'credited'] as const)
        totals.earlierInvoices[k] += f.earlierInvoices[k];
    }
    for (const perCode of this.units.values()) {
      let receivable = 0n;
      let outstanding = 0n;
      for (const [c, [r, o]] of perCode) {
        const h = this.code(c).households;
        if (r > 0n) {
          h.billed++;
          if (o === 0n) h.paidInFull++;
        }
        if (!isDeposit(c)) {
          receivable += r;
          outstanding += o;
        }
      }
      if (receivable > 0n) {
        totals.households.billed++;
        if (outstanding === 0n) totals.households.paidInFull++;
      }
    }
    const all = zeroDeposits();
    for (const d of Object.values(this.deposit)) {
      d.heldAtEnd = d.heldAtStart + d.received + d.credited - d.deducted - d.refunded;
      for (const k of Object.keys(all) as (keyof DepositFigures)[]) all[k] += d[k];
    }
    return {
      estateId: range.estateId,
      from: range.from,
      to: range.to,
      entries: this.entries,
      byKind: this.byKind,
      byFeeCode: this.codes,
      totals,
      deposits: { ...all, byFeeCode: this.deposit },
    };
  }
}
