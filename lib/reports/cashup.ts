/**
 * 日结 / 交班 (cash-up): what one cashier (or the whole counter) took in on one business date, read
 * from the ledger, and the cash that should be in the drawer.
 *
 * - Receipts are counted once each (a receipt has a ledger row per fee line, deposits included) and summed per
 *   channel and per cashier; kiosk receipts are listed under their kiosk channel.
 * - Deposit refunds pay money out through a counter channel; credit notes (红冲) reverse documents
 *   and carry no channel, so they are listed but move nothing in the drawer (docs/cashup.md).
 * - Cash expected = cash received − cash paid out on refunds.
 * - Number ranges: the first and last number of each series the day used (per cashier they
 *   interleave with colleagues', so the count is given beside them).
 */

import { entryPages, type LedgerEntry } from '../ledger/query.js';
import type { Db } from '../store/db.js';
import type { BizDate } from '../time.js';

export interface ChannelTotal {
  channel: string;
  count: number;
  /** Fen. */
  total: bigint;
}

export interface DocumentTotal {
  count: number;
  /** Fen, as a positive amount (what was reversed or paid out). */
  total: bigint;
}

export interface NumberRange {
  series: 'RECEIPT' | 'CREDIT_NOTE' | 'DEPOSIT_REFUND';
  first: string;
  last: string;
  count: number;
}

export interface CashupFigures {
  byChannel: ChannelTotal[];
  creditNotes: DocumentTotal;
  refunds: DocumentTotal & { byChannel: ChannelTotal[] };
  /** Fen. */
  cashExpected: bigint;
  numberRanges: NumberRange[];
}

export interface Cashup extends CashupFigures {
  estateId: string;
  date: BizDate;
  /** The cashier's `sub`, or null for the whole counter. */
  cashier: string | null;
  /** With the whole counter: each cashier's own figures. */
  byCashier: (CashupFigures & { cashier: string })[];
}

/** Sums for one cashier (or everyone), document by document. */
class Tally {
  private readonly receipts = new Map<string, { channel: string; amount: bigint }>();
  private readonly credits = new Map<string, bigint>();
  private readonly refunds = new Map<string, { channel: string; amount: bigint }>();

  add(e: LedgerEntry): void {
    switch (e.kind) {
      // A receipt's deposit lines are ledgered as DEPOSIT_RECEIVED under the same receipt number:
      // the drawer got that money too.
      case 'PAYMENT_RECEIVED':
      case 'DEPOSIT_RECEIVED': {
        const no = e.receiptNo ?? e.documentNo;
        const r = this.receipts.get(no) ?? { channel: e.channel ?? 'UNKNOWN', amount: 0n };
        r.amount += e.amount;
        this.receipts.set(no, r);
        break;
      }
      case 'CREDIT_NOTE': {
        const no = e.creditNoteNo ?? e.documentNo;
        this.credits.set(no, (this.credits.get(no) ?? 0n) + e.amount);
        break;
      }
      case 'DEPOSIT_REFUNDED': {
        const r = this.refunds.get(e.documentNo) ?? { channel: e.channel ?? 'UNKNOWN', amount: 0n };
        r.amount += e.amount;
        this.refunds.set(e.documentNo, r);
        break;
      }
      default:
    }
  }

  figures(): CashupFigures {
    const byChannel = perChannel(this.receipts.values());
    const refundsByChannel = perChannel(this.refunds.values());
    const cashIn = byChannel.find((c) => c.channel === 'CASH')?.total ?? 0n;
    const cashOut = refundsByChannel.find((c) => c.channel === 'CASH')?.total ?? 0n;
    const creditTotal = [...this.credits.values()].reduce((a, b) => a + abs(b), 0n);
    return {
      byChannel,
      creditNotes: { count: this.credits.size, total: creditTotal },
      refunds: {
        count: this.refunds.size,
        total: refundsByChannel.reduce((a, c) => a + c.total, 0n),
        byChannel: refundsByChannel,
      },
      cashExpected: cashIn - cashOut,
      numberRanges: [
        range('RECEIPT', this.receipts.keys()),
        range('CREDIT_NOTE', this.credits.keys()),
        range('DEPOSIT_REFUND', this.refunds.keys()),
      ].filter((r): r is NumberRange => r !== undefined),
    };
  }
}

function abs(n: bigint): bigint {
  return n < 0n ? -n : n;
}

function perChannel(docs: Iterable<{ channel: string; amount: bigint }>): ChannelTotal[] {
  const by = new Map<string, ChannelTotal>();
  for (const d of docs) {
    const t = by.get(d.channel) ?? { channel: d.channel, count: 0, total: 0n };
    t.count++;
    t.total += abs(d.amount);
    by.set(d.channel, t);
  }
  return [...by.values()].sort((a, b) => a.channel.localeCompare(b.channel));
}

function range(series: NumberRange['series'], numbers: Iterable<string>): NumberRange | undefined {
  // Numbers of one series share their prefix and are zero-padded: text order is number order.
  const sorted = [...numbers].sort();
  if (sorted.length === 0) return undefined;
  return { series, first: sorted[0]!, last: sorted[sorted.length - 1]!, count: sorted.length };
}

/** The cash-up of a day's ledger entries (pure): for `cashier` only, or for everyone. */
export function cashupOf(
  q: { estateId: string; date: BizDate; cashier?: string },
  entries: Iterable<LedgerEntry>,
): Cashup {
  const all = new Tally();
  const perCashier = new Map<string, Tally>();
  for (const e of entries) {
    if (q.cashier !== undefined && e.actor !== q.cashier) continue;
    all.add(e);
    const t = perCashier.get(e.actor) ?? new Tally();
    perCashier.set(e.actor, t);
    t.add(e);
  }
  return {
    estateId: q.estateId,
    date: q.date,
    cashier: q.cashier ?? null,
    ...all.figures(),
    byCashier: [...perCashier.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([cashier, t]) => ({ cashier, ...t.figures() })),
  };
}

/** The cash-up of `date` from the ledger (one Query on the estate's ledger partition, paged). */
export async function cashup(
  db: Db,
  q: { estateId: string; date: BizDate; cashier?: string },
): Promise<Cashup> {
  // One counter's day is a few thousand rows at most: held, then tallied.
  const day: LedgerEntry[] = [];
  for await (const page of entryPages(db, { estateId: q.estateId, from: q.date, to: q.date })) {
    for (const e of page) if (q.cashier === undefined || e.actor === q.cashier) day.push(e);
  }
  return cashupOf(q, day);
}

/** A drawer count (交班): what the cashier counted against what the ledger says; never edited. */
export interface DrawerCount {
  estateId: string;
  date: BizDate;
  cashier: string;
  /** Fen. */
  counted: bigint;
  /** Fen: the cash expected when the count was recorded. */
  cashExpected: bigint;
  /** Fen: counted − expected (negative = short, positive = over). */
  difference: bigint;
  note?: string;
  at: string;
}
