/**
 * Reconciliation: the summary recomputed from the documents themselves — invoices (with their
 * issue, payment and void times), receipts, credit notes, renovation deductions and deposit refunds — without reading a
 * single ledger entry. When it equals `summarise` for a range, the ledger says what the documents
 * say. It scans the whole table (an audit tool for tests and investigations, not served by a route).
 */

import type { LedgerRange } from '../../lib/ledger/query.js';
import { type Summary, Tally } from '../../lib/ledger/tally.js';
import type { Db, Item } from '../../lib/store/db.js';
import { DEPOSIT_FEE_CODES, type FeeCode } from '../../lib/tariffs/catalog.js';
import { type BizDate, businessDate } from '../../lib/time.js';

interface DocLine {
  type: string;
  amount: bigint;
}

const dateOf = (iso: unknown): BizDate | undefined =>
  typeof iso === 'string' ? businessDate(Date.parse(iso)) : undefined;
const linesOf = (doc: Item): DocLine[] =>
  ((doc['lines'] as Item[] | undefined) ?? []).map((l) => ({
    type: l['type'] as string,
    amount: l['amount'] as bigint,
  }));
const isDeposit = (code: string) => DEPOSIT_FEE_CODES.has(code as FeeCode);

/** Every document of an estate that the ledger mirrors. */
export async function estateDocuments(db: Db, estateId: string): Promise<Item[]> {
  const out: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.scan({
      FilterExpression: 'estateId = :e AND #type IN (:inv, :rcp, :crn, :ref, :ren)',
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: {
        ':e': estateId,
        ':inv': 'INVOICE',
        ':rcp': 'RECEIPT',
        ':crn': 'CREDIT_NOTE',
        ':ref': 'DEPOSIT_REFUND',
        ':ren': 'RENOVATION',
      },
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    out.push(...page.items);
    start = page.lastKey;
  } while (start);
  return out;
}

/** The summary of `range` as the documents tell it. */
export function summaryFromDocuments(docs: readonly Item[], range: LedgerRange): Summary {
  const { from, to } = range;
  const inRange = (d: BizDate | undefined) => d !== undefined && d >= from && d <= to;
  const byEnd = (d: BizDate | undefined) => d !== undefined && d <= to;
  const before = (d: BizDate | undefined) => d !== undefined && d < from;
  const tally = new Tally();
  const creditNotes = new Map<string, Item>();
  for (const d of docs) if (d['type'] === 'CREDIT_NOTE') creditNotes.set(d['creditNoteNo'] as string, d);
  const held = new Map<string, bigint>();
  const hold = (code: string, amount: bigint) => held.set(code, (held.get(code) ?? 0n) + amount);

  for (const inv of docs.filter((d) => d['type'] === 'INVOICE')) {
    const lines = linesOf(inv);
    const issued = inv['issueDate'] as BizDate;
    const voided = dateOf(inv['voidedAt']);
    const paid = dateOf(inv['paidAt']);
    const credit = inv['creditNoteNo'] ? creditNotes.get(inv['creditNoteNo'] as string) : undefined;
    const credited = dateOf(credit?.['issuedAt']);
    const unitId = inv['unitId'] as string | undefined;
    const due = (inv['dueDate'] as BizDate) <= to;
    const count = (kind: Parameters<Tally['kind']>[0], sign: bigint, only?: (l: DocLine) => boolean) => {
      const ls = only ? lines.filter(only) : lines;
      if (ls.length)
        tally.kind(
          kind,
          ls.reduce((s, l) => s + sign * l.amount, 0n),
          ls.length,
        );
    };
    if (inRange(issued)) {
      count('INVOICE_ISSUED', 1n);
      if (byEnd(voided)) count('INVOICE_VOIDED', -1n);
      if (byEnd(paid)) {
        count('PAYMENT_RECEIVED', 1n, (l) => !isDeposit(l.type));
        count('DEPOSIT_RECEIVED', 1n, (l) => isDeposit(l.type));
      }
      if (byEnd(credited)) count('CREDIT_NOTE', -1n);
      for (const l of lines) {
        tally.cohort(
          l.type,
          unitId,
          {
            issued: l.amount,
            cashSale: 0n,
            voided: byEnd(voided) ? -l.amount : 0n,
            credited: byEnd(credited) ? -l.amount : 0n,
            paid: byEnd(paid) ? l.amount : 0n,
          },
          due,
        );
      }
    } else if (before(issued)) {
      if (inRange(voided)) count('INVOICE_VOIDED', -1n);
      if (inRange(paid)) {
        count('PAYMENT_RECEIVED', 1n, (l) => !isDeposit(l.type));
        count('DEPOSIT_RECEIVED', 1n, (l) => isDeposit(l.type));
      }
      if (inRange(credited)) count('CREDIT_NOTE', -1n);
      for (const l of lines) {
        tally.earlier(l.type, {
          voided: inRange(voided) ? -l.amount : 0n,
          collected: inRange(paid) ? l.amount : 0n,
          credited: inRange(credited) ? -l.amount : 0n,
        });
      }
    }
    // Deposits follow the money: received when paid, handed back by a credit note.
    for (const l of lines.filter((x) => isDeposit(x.type))) {
      if (before(paid)) hold(l.type, l.amount);
      if (inRange(paid)) tally.depositFlow(l.type, 'received', l.amount);
      if (before(credited)) hold(l.type, -l.amount);
      if (inRange(credited)) tally.depositFlow(l.type, 'credited', -l.amount);
    }
  }

  // Sales paid without an invoice (temporary parking).
  for (const r of docs.filter((d) => d['type'] === 'RECEIPT' && !d['invoiceNo'])) {
    if (!inRange(r['businessDate'] as BizDate)) continue;
    for (const l of linesOf(r)) {
      tally.kind('PAYMENT_RECEIVED', l.amount);
      tally.cohort(l.type, r['unitId'] as string | undefined, {
        issued: 0n,
        cashSale: l.amount,
        voided: 0n,
        credited: 0n,
        paid: 0n,
      });
    }
  }

  // Deductions are recorded on the renovation case, one re-inspection at a time: income at once.
  for (const c of docs.filter((d) => d['type'] === 'RENOVATION')) {
    for (const r of (c['reinspections'] as Item[] | undefined) ?? []) {
      // Income on the re-inspection's date, whenever it was entered.
      const day = r['date'] as BizDate;
      for (const d of (r['deductions'] as Item[] | undefined) ?? []) {
        const amount = d['amount'] as bigint;
        if (before(day)) hold('RENOVATION_DEPOSIT', -amount);
        if (inRange(day)) {
          tally.kind('DEPOSIT_DEDUCTED', amount);
          tally.depositFlow('RENOVATION_DEPOSIT', 'deducted', amount);
          tally.cohort('DEPOSIT_DEDUCTION', undefined, {
            issued: 0n,
            cashSale: amount,
            voided: 0n,
            credited: 0n,
            paid: 0n,
          });
        }
      }
    }
  }

  // Refunds: what is held less deductions, and the card deposits, paid back.
  for (const f of docs.filter((d) => d['type'] === 'DEPOSIT_REFUND')) {
    const day = f['businessDate'] as BizDate;
    for (const l of linesOf(f).filter((x) => x.amount !== 0n)) {
      if (before(day)) hold(l.type, -l.amount);
      if (inRange(day)) {
        tally.kind('DEPOSIT_REFUNDED', l.amount);
        tally.depositFlow(l.type, 'refunded', l.amount);
      }
    }
  }

  for (const [code, amount] of held) tally.depositFlow(code, 'heldAtStart', amount);
  return tally.finish(range);
}
