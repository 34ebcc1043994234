/**
 * 红冲: a paid invoice is reversed by a credit note under its own gapless number. The invoice keeps
 * its lines and total; it only records that it was credited. Its periods become billable again so a
 * corrected invoice can be issued, and the unit's paid-through date steps back accordingly.
 */
import { ConflictError, NotFoundError } from '../errors.js';
import { isDeposit } from '../fee-types/catalog.js';
import { TransactionCancelled, type TxItem } from '../store/db.js';
import { documentNumber, key, SERIES } from '../store/keys.js';
import { transactWithNumbers } from '../store/numbering.js';
import { businessYear, formatInstant } from '../time.js';
import { auditItem, type Ctx, ledgerItems } from './context.js';
import { getInvoice, type IdempotentCall, setClaimsState } from './invoices.js';
import { paidThroughItem, recomputedPaidThrough } from './payments.js';
import { type CreditNote, creditNoteFromItem, type Invoice } from './records.js';
import { caseIdOf } from './renovation.js';
import { getUnit } from './units.js';

export async function creditInvoice(
  ctx: Ctx,
  invoiceNo: string,
  reason: string,
  idem?: IdempotentCall,
): Promise<CreditNote> {
  const { estateId } = await getInvoice(ctx, invoiceNo);
  const at = ctx.now();
  const year = businessYear(at);
  let note: CreditNote | undefined;
  try {
    await transactWithNumbers(ctx.db, [{ estateId, series: SERIES.creditNote, year }], async ([n]) => {
      const inv = await getInvoice(ctx, invoiceNo);
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
      const depositGuard = await depositStillHeld(ctx, inv);
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
        lines,
        total: -inv.total,
        ...(inv.receiptNo ? { receiptNo: inv.receiptNo } : {}),
        ...(inv.unitId ? { unitId: inv.unitId } : {}),
      };
      const items: TxItem[] = [
        {
          Update: {
            TableName: ctx.db.table,
            Key: key.invoice(invoiceNo),
            UpdateExpression: 'SET #status = :credited, creditNoteNo = :no',
            ConditionExpression: '#status = :paid',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':credited': 'CREDITED', ':paid': 'PAID', ':no': creditNoteNo },
          },
        },
        {
          Put: {
            TableName: ctx.db.table,
            Item: { ...key.creditNote(creditNoteNo), type: 'CREDIT_NOTE', ...note },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
        ...setClaimsState(ctx.db, inv, 'RELEASED'),
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
        ...depositGuard,
      ];
      const retryOn: number[] = [];
      if (inv.unitId && inv.lines.some((l) => l.type === 'PROPERTY_FEE')) {
        const unit = await getUnit(ctx, inv.unitId);
        const next = await recomputedPaidThrough(ctx, unit, inv, 'released');
        for (const it of paidThroughItem(ctx, unit, next)) {
          retryOn.push(items.length);
          items.push(it);
        }
      }
      if (idem) items.push(idem.handle.completeItem(idem.present(note)));
      return { items, retryOn };
    });
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
  const caseKey = key.renovation(caseIdOf(inv.invoiceNo));
  const renovation = await ctx.db.get(caseKey);
  if (!renovation) return [];
  // REGISTERED and HELD (stored after an extension or a failed acceptance) both mean "only held".
  if (renovation['state'] !== 'REGISTERED' && renovation['state'] !== 'HELD') {
    throw new ConflictError(
      'DEPOSIT_IN_USE',
      `the deposit of ${inv.invoiceNo} is ${String(renovation['state']).toLowerCase()}; it cannot be reversed by a credit note`,
    );
  }
  return [
    {
      ConditionCheck: {
        TableName: ctx.db.table,
        Key: caseKey,
        ConditionExpression: '#state IN (:registered, :held)',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':registered': 'REGISTERED', ':held': 'HELD' },
      },
    },
  ];
}

export async function getCreditNote(ctx: Pick<Ctx, 'db'>, creditNoteNo: string): Promise<CreditNote> {
  const item = await ctx.db.get(key.creditNote(creditNoteNo));
  if (!item) throw new NotFoundError('CREDIT_NOTE_NOT_FOUND', `credit note ${creditNoteNo} does not exist`);
  return creditNoteFromItem(item);
}
