/**
 * Finding and reprinting documents (SPEC.md §5): a reprint shows the estate's name, the unit's
 * building and room (or the plate), who wrote the document by display name, and its present state.
 *
 * Receipts are listed by index, never by a scan (store/keys.ts): an estate's receipts by business
 * date on GSI3, a unit's or a plate's on GSI1, newest first. A receipt's state is its invoice's:
 * reversed (已冲红, with the credit note) once the invoice is CREDITED. Nothing issued is edited to
 * say so; the state is read afresh each time.
 */
import { ValidationError } from '../errors.js';
import { canonicalPlate } from '../parking/plate.js';
import type { DepositRefund } from '../renovation/refund.js';
import { cursor } from '../store/db.js';
import type { PrintedNames } from '../store/items.js';
import { claimOwner, gsi1, gsi3 } from '../store/keys.js';
import type { BizDate } from '../time.js';
import type { Ctx } from './context.js';
import { getInvoice } from './invoices.js';
import type { ReceiptState } from './printed.js';
import { NameBook } from './printed-names.js';
import { type CreditNote, type Invoice, type Receipt, receiptFromItem } from './records.js';

/** A document as reprinted: what it recorded, the names it prints, and (receipts) its state. */
export type Reprint<T> = T & PrintedNames;
export type ReceiptReprint = Reprint<Receipt> & { state: ReceiptState; creditNoteNo?: string };

/** A receipt's present state, from its invoice (parking receipts have none and cannot be reversed). */
export function receiptStateOf(inv: Pick<Invoice, 'status' | 'creditNoteNo'> | undefined): {
  state: ReceiptState;
  creditNoteNo?: string;
} {
  return inv?.status === 'CREDITED' && inv.creditNoteNo
    ? { state: 'REVERSED', creditNoteNo: inv.creditNoteNo }
    : { state: 'VALID' };
}

/** Reprints the documents of one request: each estate, unit and invoice is read at most once. */
export class Reprinter {
  private readonly names: NameBook;
  private readonly invoices = new Map<string, Promise<Invoice>>();

  constructor(private readonly ctx: Pick<Ctx, 'db'>) {
    this.names = new NameBook(ctx);
  }

  private invoice(invoiceNo: string): Promise<Invoice> {
    let inv = this.invoices.get(invoiceNo);
    if (!inv) {
      inv = getInvoice(this.ctx, invoiceNo);
      this.invoices.set(invoiceNo, inv);
    }
    return inv;
  }

  async receipt(r: Receipt): Promise<ReceiptReprint> {
    const [names, inv] = await Promise.all([
      this.names.namesOf(r),
      r.invoiceNo ? this.invoice(r.invoiceNo) : undefined,
    ]);
    return { ...r, ...names, ...receiptStateOf(inv) };
  }

  async invoiceView(inv: Invoice): Promise<Reprint<Invoice>> {
    return { ...inv, ...(await this.names.namesOf(inv)) };
  }

  async creditNote(c: CreditNote): Promise<Reprint<CreditNote>> {
    return { ...c, ...(await this.names.namesOf(c)) };
  }

  async depositRefund(r: DepositRefund): Promise<Reprint<DepositRefund>> {
    return { ...r, ...(await this.names.namesOf(r)) };
  }
}

export const reprintInvoice = (ctx: Pick<Ctx, 'db'>, inv: Invoice) => new Reprinter(ctx).invoiceView(inv);

export interface ReceiptQuery {
  estateId: string;
  date?: BizDate | undefined;
  unitId?: string | undefined;
  plate?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** Reads in parallel, at most `width` at a time (a page of 1,000 receipts is not 1,000 sockets). */
async function mapLimited<T, R>(
  items: readonly T[],
  width: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}

/**
 * GET /v1/receipts: an estate's receipts, or a unit's, or a plate's, optionally of one business
 * date, newest first. One Query on an index per page.
 */
export async function listReceipts(
  ctx: Pick<Ctx, 'db'>,
  q: ReceiptQuery,
): Promise<{ items: ReceiptReprint[]; nextCursor?: string }> {
  if (q.unitId !== undefined && q.plate !== undefined) {
    throw ValidationError.of('plate', 'ONE_PARTY', 'give unitId or plate, not both');
  }
  let plate: string | undefined;
  if (q.plate !== undefined) {
    plate = canonicalPlate(q.plate);
    if (!plate) throw ValidationError.of('plate', 'INVALID_PLATE', 'plate is empty');
  }
  const party = q.unitId
    ? claimOwner.unit(q.unitId)
    : plate
      ? claimOwner.vehicle(q.estateId, plate)
      : undefined;
  const prefix = q.date ? `${q.date}#` : undefined;
  const [pkName, skName, pk] = party
    ? (['GSI1PK', 'GSI1SK', gsi1.receiptsOf(party)] as const)
    : (['GSI3PK', 'GSI3SK', gsi3.receipts(q.estateId)] as const);
  const start = cursor.decode(q.cursor, { [pkName]: pk });
  // A start key outside the key condition is a DynamoDB error: refuse it as a bad cursor instead.
  if (start && prefix && !String(start[skName]).startsWith(prefix)) {
    throw ValidationError.of('cursor', 'INVALID_CURSOR', 'cursor is not one this list returned');
  }
  const keyed = {
    KeyConditionExpression: prefix ? '#pk = :pk AND begins_with(#sk, :day)' : '#pk = :pk',
    ExpressionAttributeNames: { '#pk': pkName, ...(prefix ? { '#sk': skName } : {}) },
    ExpressionAttributeValues: { ':pk': pk, ...(prefix ? { ':day': prefix } : {}) },
    ScanIndexForward: false,
    Limit: q.limit,
    ...(start ? { ExclusiveStartKey: start } : {}),
  };
  const page = party
    ? await ctx.db.query({ IndexName: 'GSI1', ...keyed })
    : await ctx.db.query({ IndexName: 'GSI3', ...keyed });
  const reprinter = new Reprinter(ctx);
  const items = await mapLimited(page.items.map(receiptFromItem), 16, (r) => reprinter.receipt(r));
  const next = cursor.encode(page.lastKey);
  return { items, ...(next ? { nextCursor: next } : {}) };
}
