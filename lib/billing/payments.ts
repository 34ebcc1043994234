/**
 * Paying an invoice in full, once (SPEC.md §5). The receipt number, the receipt, the invoice's move
 * to PAID, the claims, the unit's paid-through date, the ledger, the audit record and the
 * idempotency record are one transaction: all of it happened, or none of it.
 */
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import { isDeposit } from '../fee-types/catalog.js';
import { type Fen, formatFen, parseMoney } from '../money.js';
import { TransactionCancelled, type TxItem } from '../store/db.js';
import { invoiceStatusItem, receiptItem } from '../store/items.js';
import { documentNumber, key, SERIES } from '../store/keys.js';
import { transactWithNumbers } from '../store/numbering.js';
import { businessDate, businessYear, formatInstant } from '../time.js';
import { auditItem, type Ctx, ledgerItems } from './context.js';
import { getInvoice, type IdempotentCall, setClaimsState } from './invoices.js';
import { isKioskChannel, terminalOf } from './printed.js';
import { printedNames } from './printed-names.js';
import {
  type Channel,
  COUNTER_CHANNELS,
  type Invoice,
  KIOSK_CHANNELS,
  type Receipt,
  receiptFromItem,
} from './records.js';
import { periodsAfter, readUnitBilling, type UnitBilling, unitBillingWrite } from './unit-billing.js';

export interface PaymentInput {
  channel: Channel;
  amount: string;
  tendered?: string;
  reference?: string;
  /** Kiosk money: the terminal it came in at (from the payment order). */
  terminalId?: string;
}

/** Checks a payment request against the invoice total and the channel rules; returns fen amounts. */
export function checkPayment(
  total: Fen,
  input: PaymentInput,
  role: string,
): { amount: Fen; tendered?: Fen; change?: Fen } {
  const kiosk = (KIOSK_CHANNELS as readonly string[]).includes(input.channel);
  const counter = (COUNTER_CHANNELS as readonly string[]).includes(input.channel);
  if (!kiosk && !counter)
    throw ValidationError.of('channel', 'INVALID_CHANNEL', `unknown channel ${input.channel}`);
  if ((role === 'owner' || role === 'kiosk') && !kiosk) {
    throw new ForbiddenError('CHANNEL_NOT_ALLOWED', `${role} may pay only through kiosk channels`);
  }
  if (role === 'cashier' && !counter) {
    throw new ForbiddenError('CHANNEL_NOT_ALLOWED', 'a cashier takes CASH, CHEQUE or TRANSFER');
  }
  const amount = parseMoney(input.amount, 'amount');
  if (amount !== total) {
    throw ValidationError.of(
      'amount',
      'AMOUNT_MISMATCH',
      `amount must equal the amount due ${formatFen(total)}`,
    );
  }
  if (kiosk && !input.reference) {
    throw ValidationError.of(
      'reference',
      'REFERENCE_REQUIRED',
      'a kiosk payment carries the terminal reference',
    );
  }
  if (input.tendered !== undefined) {
    if (input.channel !== 'CASH')
      throw ValidationError.of('tendered', 'TENDERED_NOT_CASH', 'tendered is only for CASH');
    const tendered = parseMoney(input.tendered, 'tendered');
    if (tendered < amount) {
      throw ValidationError.of(
        'tendered',
        'TENDERED_TOO_LOW',
        `tendered must be at least ${formatFen(amount)}`,
      );
    }
    return { amount, tendered, change: tendered - amount };
  }
  if (input.channel === 'CASH') return { amount, tendered: amount, change: 0n };
  return { amount };
}

/**
 * What a change to an invoice's property-fee periods needs read: the unit's billing state (one item,
 * the lock of the write). None for an invoice without property-fee lines.
 */
export async function readForPaidThrough(
  ctx: Pick<Ctx, 'db'>,
  inv: Pick<Invoice, 'unitId' | 'lines'>,
): Promise<UnitBilling | undefined> {
  if (!inv.unitId || !inv.lines.some((l) => l.type === 'PROPERTY_FEE')) return undefined;
  return readUnitBilling(ctx, inv.unitId);
}

/** The unit write (and its index in `items`, to retry on) once the invoice's periods change. */
export function pushUnitWrite(
  items: TxItem[],
  billing: UnitBilling | undefined,
  inv: Pick<Invoice, 'lines'>,
  change: 'paid' | 'released',
): number[] {
  if (!billing) return [];
  items.push(unitBillingWrite(billing, periodsAfter(billing.periods, inv.lines, change)));
  return [items.length - 1];
}

/**
 * Who took the money, as the receipt records it: the actor, its display name at the time, and for a
 * kiosk channel the terminal (printed as 自助终端 and the terminal, not the payer's login).
 */
export function payee(
  ctx: Pick<Ctx, 'actor'>,
  input: { channel: Channel; reference?: string | undefined; terminalId?: string | undefined },
): Pick<Receipt, 'cashier' | 'cashierName' | 'terminalId'> {
  const terminalId = isKioskChannel(input.channel)
    ? (input.terminalId ?? terminalOf(input.reference))
    : undefined;
  return {
    cashier: ctx.actor.sub,
    ...(ctx.actor.name ? { cashierName: ctx.actor.name } : {}),
    ...(terminalId ? { terminalId } : {}),
  };
}

function docLine(l: Invoice['lines'][number], sign: 1n | -1n = 1n) {
  return { type: l.type, description: l.description, amount: l.amount * sign, period: l.period };
}

/**
 * POST /v1/invoices/{invoiceId}/payments. `known` is the invoice as the caller already read it (the
 * route's scope check): the first round reuses it. Its status is re-checked by the transaction's
 * condition, and its lines and total never change.
 */
export async function payInvoice(
  ctx: Ctx,
  invoiceNo: string,
  input: PaymentInput,
  idem?: IdempotentCall,
  known?: Invoice,
): Promise<Receipt> {
  let receipt: Receipt | undefined;
  try {
    // The invoice decides the estate; the receipt series is that of the payment's business year.
    const first = known ?? (await getInvoice(ctx, invoiceNo));
    const { estateId } = first;
    const at = ctx.now();
    const year = businessYear(at);
    // What the receipt prints (estate name, building and room) is read once, beside the rest.
    const names = printedNames(ctx, first);
    // Awaited inside the turn; if the turn fails before reading it (a throttled counter), its own
    // failure must not surface as an unhandled rejection that kills the process.
    names.catch(() => undefined);
    const read = async (round: number) => {
      const [inv, billing, printed] = await Promise.all([
        round === 0 ? first : getInvoice(ctx, invoiceNo),
        readForPaidThrough(ctx, first),
        names,
      ]);
      return { inv, billing, printed };
    };
    await transactWithNumbers(
      ctx.db,
      [{ estateId, series: SERIES.receipt, year }],
      async ([n], { inv, billing, printed }) => {
        if (inv.status === 'PAID' || inv.status === 'CREDITED') {
          throw new ConflictError(
            'ALREADY_PAID',
            `invoice ${invoiceNo} is already paid (receipt ${inv.receiptNo})`,
          );
        }
        if (inv.status === 'VOID') throw new ConflictError('INVOICE_VOID', `invoice ${invoiceNo} is void`);
        const money = checkPayment(inv.total, input, ctx.actor.role);
        const receiptNo = documentNumber(SERIES.receipt, estateId, year, n!);
        receipt = {
          receiptNo,
          estateId,
          invoiceNo,
          channel: input.channel,
          amount: money.amount,
          ...payee(ctx, input),
          paidAt: formatInstant(at),
          businessDate: businessDate(at),
          lines: inv.lines.map((l) => docLine(l)),
          ...printed,
          ...(inv.unitId ? { unitId: inv.unitId } : {}),
          ...(inv.plate ? { plate: inv.plate } : {}),
          ...(money.tendered !== undefined ? { tendered: money.tendered, change: money.change! } : {}),
          ...(input.reference ? { reference: input.reference } : {}),
        };
        const items: TxItem[] = [
          invoiceStatusItem(invoiceNo, 'OPEN', { to: 'PAID', receiptNo, at: receipt.paidAt }),
          receiptItem(receipt),
          ...setClaimsState(inv, 'PAID'),
          ...ledgerItems(ctx, at, {
            estateId,
            kind: 'PAYMENT_RECEIVED',
            documentNo: receiptNo,
            invoiceNo,
            receiptNo,
            channel: input.channel,
            ...(inv.unitId ? { unitId: inv.unitId } : {}),
            ...(inv.plate ? { plate: inv.plate } : {}),
            lines: inv.lines
              .filter((l) => !isDeposit(l.type))
              .map((l) => ({ feeCode: l.type, amount: l.amount, ...(l.period ? { period: l.period } : {}) })),
          }),
          ...ledgerItems(ctx, at, {
            estateId,
            kind: 'DEPOSIT_RECEIVED',
            documentNo: `${receiptNo}/D`,
            invoiceNo,
            receiptNo,
            channel: input.channel,
            ...(inv.unitId ? { unitId: inv.unitId } : {}),
            lines: inv.lines
              .filter((l) => isDeposit(l.type))
              .map((l) => ({ feeCode: l.type, amount: l.amount })),
          }),
          auditItem(ctx, at, {
            estateId,
            action: 'INVOICE_PAID',
            document: receiptNo,
            details: { invoiceNo, channel: input.channel },
          }),
        ];
        // Locked on the unit's version: a payment, credit note or void of a neighbouring period
        // that lands first sends this one round again, recomputed from the unit as it then is.
        const retryOn = pushUnitWrite(items, billing, inv, 'paid');
        if (idem) {
          await idem.handle.ready;
          items.push(idem.handle.completeItem(idem.present(receipt)), ...(idem.alsoItems?.(receipt) ?? []));
        }
        return { items, retryOn };
      },
      read,
    );
  } catch (e) {
    if (e instanceof TransactionCancelled && e.failedAt(0)) {
      const now = await getInvoice(ctx, invoiceNo);
      throw new ConflictError(
        now.status === 'VOID' ? 'INVOICE_VOID' : 'ALREADY_PAID',
        `invoice ${invoiceNo} is ${now.status.toLowerCase()}`,
      );
    }
    throw e;
  }
  return receipt!;
}

export async function getReceipt(ctx: Pick<Ctx, 'db'>, receiptNo: string): Promise<Receipt> {
  const item = await ctx.db.get(key.receipt(receiptNo));
  if (!item) throw new NotFoundError('RECEIPT_NOT_FOUND', `receipt ${receiptNo} does not exist`);
  return receiptFromItem(item);
}
