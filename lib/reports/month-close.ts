/**
 * The month close (docs/accounting.md §2a): what the revenue report and the vouchers need from
 * the months before, so a month is computed from the previous close plus its own ledger rows and
 * not from the estate's whole history.
 *
 * A close of month M holds, in time order, every payment line received up to M's end that no
 * credit note has reversed (a line still earning, or one a later credit note may still reverse),
 * and the channel of every receipt (a credit note pays back the way the money came). A flow is a
 * function of its own line and the settings (revenue.ts), and the lines left out (reversed pairs,
 * deductions, unmatched credit notes) earn nothing after their month and hold no balance, so the
 * flows rebuilt from a close answer exactly what the history answers (test/unit/month-close.test.ts).
 *
 * Ledger rows carry the business date they were written on, so once a month has ended its rows
 * are final and its close never changes: it is written once (a conditional put), by the scheduler
 * after the month ends, never for the current or a later month.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Ctx } from '../billing/context.js';
import type { LedgerEntry } from '../ledger/query.js';
import type { Fen } from '../money.js';
import { type Item, TransactionCancelled, type TxItem } from '../store/db.js';
import { businessDate } from '../time.js';
import { addMonth, type Month, monthOf } from './recognition.js';
import type { Flow } from './revenue.js';

export interface MonthClose {
  estateId: string;
  month: Month;
  /** Open payment lines, time order; `businessDate` is the first of the month they were received. */
  lines: LedgerEntry[];
  /** receiptNo → channel of every receipt up to the month's end. */
  channels: Map<string, string>;
  /**
   * What the lines bring into the month after, per fee code, gross only (format 2; a close of
   * format 1 has none and the month after is computed from its lines).
   */
  carry?: CloseCarry[];
  /**
   * The open lines with a flow key (revenue.ts `flowKey`), time order, each with its row number
   * (format 2: without decoding the other lines).
   */
  linesByKey?: (key: string) => readonly { row: number; entry: LedgerEntry }[];
}

/**
 * One fee code's open lines as the month after the close sees them: what they still have to earn
 * (its opening advance balance) and the month's piece of each line, as amount → number of lines.
 * Gross only: the tax split is made when the month is reported, at that month's rate, piece by
 * piece as from the history (equal pieces split alike, so count × split is exact).
 */
export interface CloseCarry {
  feeCode: string;
  opening: Fen;
  pieces: [Fen, number][];
}

export const closePk = (estateId: string) => `CLOSE#${estateId}`;
/** Parts below DynamoDB's 400 KB item limit; all parts go in one transaction (4 MB). */
const PART_BYTES = 350_000;
const MAX_PARTS = 10;

/** The close after `month`, from the flows of the prior close's lines and the month's entries. */
export function closeAfter(
  estateId: string,
  month: Month,
  flows: readonly Flow[],
  entries: readonly LedgerEntry[],
  prior?: MonthClose,
): MonthClose {
  const channels = new Map(prior?.channels ?? []);
  for (const e of entries)
    if (e.receiptNo && e.channel && (e.kind === 'PAYMENT_RECEIVED' || e.kind === 'DEPOSIT_RECEIVED'))
      channels.set(e.receiptNo, e.channel);
  const open = flows.filter((f) => f.origin === 'payment' && !f.reversed && f.receivedIn <= month);
  const next = addMonth(month, 1);
  const carry = new Map<string, { opening: Fen; pieces: Map<Fen, number> }>();
  for (const f of open) {
    let c = carry.get(f.feeCode);
    for (const [m, piece] of f.recognised) {
      if (m <= month) continue;
      c ??= { opening: 0n, pieces: new Map() };
      c.opening += piece.gross;
      if (m === next) c.pieces.set(piece.gross, (c.pieces.get(piece.gross) ?? 0) + 1);
    }
    if (c) carry.set(f.feeCode, c);
  }
  return {
    estateId,
    month,
    lines: open.map((f) => f.entry),
    channels,
    carry: [...carry].map(([feeCode, c]) => ({ feeCode, opening: c.opening, pieces: [...c.pieces] })),
  };
}

type Row = [Month, string, string, string, string, string, string];

/**
 * Format 2: gzip of two JSON lines, the carry first (read for every report of the month after)
 * and the lines and channels second (read only when a credit note needs them, or to close the
 * next month). Format 1 is one line with lines and channels.
 */
export function encodeClose(c: MonthClose): Uint8Array {
  const lines: Row[] = c.lines.map((e) => [
    monthOf(e.businessDate),
    e.invoiceNo ?? '',
    e.receiptNo ?? '',
    e.feeCode,
    e.periodStart ?? '',
    e.periodEnd ?? '',
    e.amount.toString(),
  ]);
  const carry = (c.carry ?? []).map((f) => ({
    feeCode: f.feeCode,
    opening: f.opening.toString(),
    pieces: f.pieces.map(([g, n]) => [g.toString(), n]),
  }));
  const head = JSON.stringify({ v: 2, carry });
  return gzipSync(`${head}\n${JSON.stringify({ lines, channels: [...c.channels] })}`);
}

function rowEntry(
  month: Month,
  [m, invoiceNo, receiptNo, feeCode, periodStart, periodEnd, amount]: Row,
  i: number,
) {
  const e: LedgerEntry = {
    // Never a ledger key: these rows are read only to rebuild their flows.
    sk: `~CLOSE#${month}#${i}`,
    kind: 'PAYMENT_RECEIVED',
    businessDate: `${m}-01`,
    at: '',
    documentNo: receiptNo || invoiceNo,
    actor: '',
    feeCode,
    amount: BigInt(amount),
  };
  if (invoiceNo) e.invoiceNo = invoiceNo;
  if (receiptNo) e.receiptNo = receiptNo;
  if (periodStart) e.periodStart = periodStart;
  if (periodEnd) e.periodEnd = periodEnd;
  return e;
}

export function decodeClose(estateId: string, month: Month, data: Uint8Array): MonthClose {
  const text = gunzipSync(data).toString('utf8');
  const cut = text.indexOf('\n');
  const head = JSON.parse(cut < 0 ? text : text.slice(0, cut)) as {
    v: number;
    carry?: { feeCode: string; opening: string; pieces: [string, number][] }[];
  };
  if (head.v !== 1 && head.v !== 2)
    throw new Error(`month close ${estateId} ${month}: unknown version ${head.v}`);
  // The lines of a large estate are most of the close: parsed when first asked for.
  let body: { lines: Row[]; channels: [string, string][] } | undefined;
  const parsed = () => {
    body ??= (head.v === 1 ? head : JSON.parse(text.slice(cut + 1))) as typeof body & object;
    return body;
  };
  let lines: LedgerEntry[] | undefined;
  let channels: Map<string, string> | undefined;
  /** Row numbers of the open lines by flow key (revenue.ts flowKey), in time order. */
  let byKey: Map<string, number[]> | undefined;
  const close: MonthClose = {
    estateId,
    month,
    get lines() {
      lines ??= parsed().lines.map((r, i) => rowEntry(month, r, i));
      return lines;
    },
    get channels() {
      channels ??= new Map(parsed().channels);
      return channels;
    },
  };
  if (head.v === 2) {
    close.carry = (head.carry ?? []).map((f) => ({
      feeCode: f.feeCode,
      opening: BigInt(f.opening),
      pieces: f.pieces.map(([g, n]) => [BigInt(g), n]),
    }));
    const found = new Map<number, LedgerEntry>();
    close.linesByKey = (key) => {
      const rows = parsed().lines;
      if (!byKey) {
        byKey = new Map();
        rows.forEach(([, invoiceNo, receiptNo, feeCode, periodStart], i) => {
          const k = `${invoiceNo || receiptNo}|${feeCode}|${periodStart}`;
          const at = byKey!.get(k);
          if (at) at.push(i);
          else byKey!.set(k, [i]);
        });
      }
      return (byKey.get(key) ?? []).map((row) => {
        let entry = found.get(row);
        if (!entry) {
          entry = rowEntry(month, rows[row]!, row);
          found.set(row, entry);
        }
        return { row, entry };
      });
    };
  }
  return close;
}

/** The latest close of a month before `month`, if one is stored. */
export async function latestCloseBefore(
  db: Ctx['db'],
  estateId: string,
  month: Month,
): Promise<MonthClose | undefined> {
  const last = await db.query({
    KeyConditionExpression: 'PK = :pk AND SK < :hi',
    ExpressionAttributeValues: { ':pk': closePk(estateId), ':hi': `${month}#` },
    ScanIndexForward: false,
    Limit: 1,
  });
  const top = last.items[0];
  if (!top) return undefined;
  const closed = String(top['month']);
  const parts = Number(top['parts']);
  const items =
    parts === 1
      ? [top]
      : await db.queryAll({
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :m)',
          ExpressionAttributeValues: { ':pk': closePk(estateId), ':m': `${closed}#` },
        });
  if (items.length !== parts)
    throw new Error(`month close ${estateId} ${closed}: ${items.length}/${parts} parts`);
  const data = Buffer.concat(items.map((it: Item) => it['data'] as Uint8Array));
  return decodeClose(estateId, closed, data);
}

/**
 * Stores a close once. Refused for a month that has not ended by the clock (its rows are not
 * final); false when the close is too large to store (reports then read the history).
 */
export async function storeClose(ctx: Pick<Ctx, 'db' | 'now'>, close: MonthClose): Promise<boolean> {
  const current = monthOf(businessDate(ctx.now()));
  if (close.month >= current)
    throw new RangeError(`month ${close.month} has not ended (business month ${current}): no close`);
  const data = encodeClose(close);
  const parts = Math.max(1, Math.ceil(data.length / PART_BYTES));
  if (parts > MAX_PARTS) return false;
  const items: TxItem[] = Array.from({ length: parts }, (_, i) => ({
    Put: {
      Item: {
        PK: closePk(close.estateId),
        SK: `${close.month}#${String(i).padStart(2, '0')}`,
        type: 'MONTH_CLOSE',
        month: close.month,
        parts,
        data: data.subarray(i * PART_BYTES, (i + 1) * PART_BYTES),
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  }));
  try {
    await ctx.db.transact(items);
  } catch (e) {
    // Written before (same rows, same close): idempotent.
    if (
      e instanceof TransactionCancelled &&
      e.reasons.every((r) => r === 'ConditionalCheckFailed' || r === 'None')
    )
      return true;
    throw e;
  }
  return true;
}

/** The month before the business month of the clock: the last one that may be closed. */
export function lastEndedMonth(now: number): Month {
  return addMonth(monthOf(businessDate(now)), -1);
}
