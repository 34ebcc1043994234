/**
 * 红冲: a paid invoice is reversed by a credit note under its own gapless number. The invoice keeps
 * its lines and total; it only records that it was credited. Its periods become billable again so a
 * corrected invoice can be issued, and the unit's paid-through date steps back accordingly.
 */
import { ConflictError, NotFoundError } from '../errors.js';
import { isDeposit } from '../fee-types/catalog.js';
import { caseIdOf } from '../renovation/cases.js';
import { TransactionCancelled, type TxItem } from '../store/db.js';
import { creditNoteItem, depositHeldCheck, invoiceStatusItem } from '../store/items.js';
import { documentNumber, key, SERIES } from '../store/keys.js';
import { transactWithNumbers } from '../store/numbering.js';
import { businessYear, formatInstant } from '../time.js';
import { auditItem, type Ctx, ledgerItems } from './context.js';
import { getInvoice, type IdempotentCall, setClaimsState } from './invoices.js';
import { pushUnitWrite, readForPaidThrough } from './payments.js';
import { type CreditNote, creditNoteFromItem, type Invoice } from './records.js';

/** POST /v1/invoices/{invoiceId}/credit-notes; `known` is the invoice as the caller already read it. */
export async function creditInvoice(
  ctx: Ctx,
  invoiceNo: string,
  reason: string,
  idem?: IdempotentCall,
  known?: Invoice,
): Promise<CreditNote> {
  const first = known ?? (await getInvoice(ctx, invoiceNo));
  const { estateId } = first;
  const at = ctx.now();
  const year = businessYear(at);
  let note: CreditNote | undefined;
  const read = async (round: number) => {
    const [inv, billing, depositGuard] = await Promise.all([
      round === 0 ? first : getInvoice(ctx, invoiceNo),
      readForPaidThrough(ctx, first),
      // Settled here, thrown in order after the status checks below.
      depositStillHeld(ctx, first).then(
        (items) => () => items,
        (e: unknown) => () => {
          throw e;
        },
      ),
    ]);
    return { inv, billing, depositGuard };
  };
  try {
    await transactWithNumbers(
      ctx.db,
      [{ estateId, series: SERIES.creditNote, year }],
      async ([n], { inv, billing, depositGuard }) => {
        if (inv.status === 'CREDITED') {
          throw new ConflictError(
            'ALREADY_CREDITED',
            `invoice ${invoiceNo} was already reversed by ${inv.creditNoteNo}`,
          );
        }
        if (inv.status !== 'PAID') {
          throw new ConflictError(
            'NOT_PAID',
            `invoice ${invoiceNo} is ${inv.status.toLowerCase()}; only a paid invoice is credited (void an unpaid one)`,
          );
        }
        const creditNoteNo = documentNumber(SERIES.creditNote, estateId, year, n!);
        const lines = inv.lines.map((l) => ({
          type: l.type,
          description: l.description,
          amount: -l.amount,
          period: l.period,
        }));
        note = {
          creditNoteNo,
          estateId,
          invoiceNo,
          reason,
          issuedAt: formatInstant(at),
          issuedBy: ctx.actor.sub,
          ...(ctx.actor.name ? { issuedByName: ctx.actor.name } : {}),
          lines,
          total: -inv.total,
          ...(inv.receiptNo ? { receiptNo: inv.receiptNo } : {}),
          ...(inv.unitId ? { unitId: inv.unitId } : {}),
          ...(inv.plate ? { plate: inv.plate } : {}),
        };
        const items: TxItem[] = [
          invoiceStatusItem(invoiceNo, 'PAID', { to: 'CREDITED', creditNoteNo }),
          creditNoteItem(note),
          ...setClaimsState(inv, 'RELEASED'),
          ...ledgerItems(ctx, at, {
            estateId,
            kind: 'CREDIT_NOTE',
            documentNo: creditNoteNo,
            invoiceNo,
            creditNoteNo,
            ...(inv.receiptNo ? { receiptNo: inv.receiptNo } : {}),
            ...(inv.unitId ? { unitId: inv.unitId } : {}),
            ...(inv.plate ? { plate: inv.plate } : {}),
            lines: lines.map((l) => ({
              feeCode: l.type,
              amount: l.amount,
              ...(l.period ? { period: l.period } : {}),
            })),
          }),
          auditItem(ctx, at, {
            estateId,
            action: 'INVOICE_CREDITED',
            document: creditNoteNo,
            reason,
            details: { invoiceNo },
          }),
          ...depositGuard(),
        ];
        // Locked on the unit's version, like a payment: a racing write sends this one round again.
        const retryOn = pushUnitWrite(items, billing, inv, 'released');
        if (idem) {
          await idem.handle.ready;
          items.push(idem.handle.completeItem(idem.present(note)));
        }
        return { items, retryOn };
      },
      read,
    );
  } catch (e) {
    if (e instanceof TransactionCancelled && e.failedAt(0)) {
      throw new ConflictError('ALREADY_CREDITED', `invoice ${invoiceNo} is no longer paid`);
    }
    if (e instanceof TransactionCancelled) {
      throw new ConflictError(
        'CONCURRENT_CHANGE',
        `invoice ${invoiceNo} or its deposit changed meanwhile; nothing was credited`,
      );
    }
    throw e;
  }
  return note!;
}

/**
 * A registration invoice's deposit may be reversed only while the deposit is merely held: once the
 * case has been accepted, had deductions or been refunded, crediting the invoice would pay the
 * deposit out a second time. The check rides in the transaction, so a refund racing the credit
 * note cannot slip between read and write.
 */
async function depositStillHeld(ctx: Ctx, inv: Invoice): Promise<TxItem[]> {
  if (!inv.lines.some((l) => isDeposit(l.type))) return [];
  const caseId = caseIdOf(inv.invoiceNo);
  const renovation = await ctx.db.get(key.renovation(caseId));
  if (!renovation) return [];
  // REGISTERED and HELD (stored after an extension or a failed acceptance) both mean "only held".
  if (renovation['state'] !== 'REGISTERED' && renovation['state'] !== 'HELD') {
    throw new ConflictError(
      'DEPOSIT_IN_USE',
      `the deposit of ${inv.invoiceNo} is ${String(renovation['state']).toLowerCase()}; it cannot be reversed by a credit note`,
    );
  }
  return [depositHeldCheck(caseId)];
}

export async function getCreditNote(ctx: Pick<Ctx, 'db'>, creditNoteNo: string): Promise<CreditNote> {
  const item = await ctx.db.get(key.creditNote(creditNoteNo));
  if (!item) throw new NotFoundError('CREDIT_NOTE_NOT_FOUND', `credit note ${creditNoteNo} does not exist`);
  return creditNoteFromItem(item);
}
