import { invoiceDueDate } from '../billing/due-date.js';
import { isDeposit } from '../fee-types/catalog.js';
import type { Db } from '../store/db.js';
import { ledgerPk } from '../store/keys.js';
import { ledgerAmountRecordSchema, parseRecord } from '../store/records.js';
import { entryPages, type LedgerEntry, type LedgerRange, skBounds } from './query.js';
import { type CohortLine, DEDUCTION_CODE, depositCodes, type Summary, Tally } from './tally.js';

/** Per invoice, what the range's entries say about it. */
interface InvoiceTrail {
  issuedInRange: boolean;
  /** From its INVOICE_ISSUED rows: the business date, the due date they carry, the periods billed. */
  issueDate?: string;
  dueDate?: string;
  periodStarts: string[];
  unitId?: string;
  lines: Map<string, CohortLine>;
}

function line(trail: InvoiceTrail, feeCode: string): CohortLine {
  let l = trail.lines.get(feeCode);
  if (!l) {
    l = { issued: 0n, cashSale: 0n, voided: 0n, credited: 0n, paid: 0n };
    trail.lines.set(feeCode, l);
  }
  return l;
}

/**
 * Summarises entries of one range. Invoices are settled at the end, not in passing: an invoice's
 * entries are grouped by its number, so the result does not depend on entries of one invoice
 * arriving in a particular order (two Lambdas' clocks may disagree by a few milliseconds).
 */
export class LedgerSummariser {
  private readonly tally = new Tally();
  private readonly invoices = new Map<string, InvoiceTrail>();

  add(e: LedgerEntry): void {
    this.tally.kind(e.kind, e.amount);
    // Money received and not yet applied (a payment exception, lib/payments/unapplied.ts): no fee's
    // billing, no invoice's payment. Counted by kind only; an APPLY's receipt counts as received.
    if (e.kind === 'PAYMENT_UNAPPLIED') return;
    switch (e.kind) {
      case 'DEPOSIT_DEDUCTED':
        this.tally.depositFlow(e.feeCode, 'deducted', e.amount);
        // Kept as income: billed and received at once. Households count bills, not deductions.
        this.tally.cohort(DEDUCTION_CODE, undefined, {
          issued: 0n,
          cashSale: e.amount,
          voided: 0n,
          credited: 0n,
          paid: 0n,
        });
        return;
      case 'DEPOSIT_REFUNDED':
        this.tally.depositFlow(e.feeCode, 'refunded', e.amount);
        return;
      case 'DEPOSIT_RECEIVED':
        this.tally.depositFlow(e.feeCode, 'received', e.amount);
        break;
      case 'CREDIT_NOTE':
        if (isDeposit(e.feeCode)) this.tally.depositFlow(e.feeCode, 'credited', e.amount);
        break;
      default:
    }
    if (e.invoiceNo === undefined) {
      if (e.kind !== 'PAYMENT_RECEIVED') throw new Error(`ledger entry ${e.sk} (${e.kind}) names no invoice`);
      this.tally.cohort(e.feeCode, e.unitId, {
        issued: 0n,
        cashSale: e.amount,
        voided: 0n,
        credited: 0n,
        paid: 0n,
      });
      return;
    }
    let trail = this.invoices.get(e.invoiceNo);
    if (!trail) {
      trail = { issuedInRange: false, periodStarts: [], lines: new Map() };
      this.invoices.set(e.invoiceNo, trail);
    }
    if (e.unitId !== undefined) trail.unitId = e.unitId;
    const l = line(trail, e.feeCode);
    switch (e.kind) {
      case 'INVOICE_ISSUED':
        trail.issuedInRange = true;
        trail.issueDate = e.businessDate;
        if (e.dueDate) trail.dueDate = e.dueDate;
        if (e.periodStart) trail.periodStarts.push(e.periodStart);
        l.issued += e.amount;
        break;
      case 'INVOICE_VOIDED':
        l.voided += e.amount;
        break;
      case 'CREDIT_NOTE':
        l.credited += e.amount;
        break;
      default:
        l.paid += e.amount;
    }
  }

  /** Adds what was held before the range (from `depositBalancesBefore`). */
  heldAtStart(byCode: Map<string, bigint>): void {
    for (const [c, amount] of byCode) this.tally.depositFlow(c, 'heldAtStart', amount);
  }

  finish(range: LedgerRange): Summary {
    for (const trail of this.invoices.values()) {
      const due =
        trail.issueDate !== undefined &&
        invoiceDueDate({
          dueDate: trail.dueDate,
          issueDate: trail.issueDate,
          periodStarts: trail.periodStarts,
        }) <= range.to;
      for (const [feeCode, l] of trail.lines) {
        if (trail.issuedInRange) {
          this.tally.cohort(feeCode, trail.unitId, l, due);
        } else {
          this.tally.earlier(feeCode, { collected: l.paid, voided: l.voided, credited: l.credited });
        }
      }
    }
    return this.tally.finish(range);
  }
}

/** Entries per read: DynamoDB Local answers a range query without Limit many times slower. */
const SUMMARY_PAGE_ITEMS = 1000;

/**
 * What each deposit fee code held at the start of `from`: deposits received and credited, less
 * deductions and refunds, over every entry before the range. Only deposit entries are sent back.
 */
export async function depositBalancesBefore(db: Db, range: LedgerRange): Promise<Map<string, bigint>> {
  const held = new Map<string, bigint>();
  const deposits = depositCodes();
  const depositValues = Object.fromEntries(deposits.map((c, i) => [`:d${i}`, c]));
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.query({
      KeyConditionExpression: 'PK = :pk AND SK < :lo',
      FilterExpression: `#kind IN (:received, :deducted, :refunded) OR (#kind = :credit AND #fee IN (${Object.keys(depositValues).join(', ')}))`,
      ProjectionExpression: '#kind, #fee, #amount',
      ExpressionAttributeNames: { '#kind': 'kind', '#fee': 'feeCode', '#amount': 'amount' },
      // Limit counts entries read, before the filter: it only bounds the page (see SUMMARY_PAGE_ITEMS).
      Limit: SUMMARY_PAGE_ITEMS,
      ExpressionAttributeValues: {
        ':pk': ledgerPk(range.estateId),
        ':lo': skBounds(range).lo,
        ':received': 'DEPOSIT_RECEIVED',
        ':deducted': 'DEPOSIT_DEDUCTED',
        ':refunded': 'DEPOSIT_REFUNDED',
        ':credit': 'CREDIT_NOTE',
        ...depositValues,
      },
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    for (const item of page.items) {
      const { kind, amount, feeCode } = parseRecord(ledgerAmountRecordSchema, item, 'ledger entry');
      const sign = kind === 'DEPOSIT_DEDUCTED' || kind === 'DEPOSIT_REFUNDED' ? -1n : 1n;
      held.set(feeCode, (held.get(feeCode) ?? 0n) + sign * amount);
    }
    start = page.lastKey;
  } while (start);
  return held;
}

/** GET /v1/reports/summary: one pass over the range's entries plus the deposit balance before it. */
export async function summarise(db: Db, range: LedgerRange): Promise<Summary> {
  const s = new LedgerSummariser();
  const [held] = await Promise.all([
    depositBalancesBefore(db, range),
    (async () => {
      for await (const page of entryPages(db, range, { pageItems: SUMMARY_PAGE_ITEMS }))
        for (const e of page) s.add(e);
    })(),
  ]);
  s.heldAtStart(held);
  return s.finish(range);
}
