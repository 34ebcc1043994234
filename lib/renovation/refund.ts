/**
 * 退还装修保证金: the refund after a passed re-inspection (SPEC.md §4.3). Its own gapless number
 * (series REF), amount = deposit held − deductions, no interest, plus any card (pass) deposits.
 * The refund document, the case's move to REFUNDED, the DEPOSIT_REFUNDED ledger entries, the audit
 * record and the idempotency record are one transaction under the case's version lock, so a deposit
 * is refunded once: a second request finds the case REFUNDED (409), a retry with the same
 * Idempotency-Key gets the first refund back.
 */

import { type Ctx, ledgerItems } from '../billing/context.js';
import type { IdempotentCall } from '../billing/invoices.js';
import { CHANNELS, type Channel, COUNTER_CHANNELS, type DocumentLine } from '../billing/records.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { type Fen, formatFen } from '../money.js';
import type { TxItem } from '../store/db.js';
import { documentNumber, key, SERIES } from '../store/keys.js';
import { compact, parseRecord } from '../store/records.js';
import { depositRefundRecordSchema } from '../store/renovation-records.js';
import { type BizDate, businessDate, businessYear, formatInstant } from '../time.js';
import { changeCase, DUE_INDEX_ATTRIBUTES } from './cases.js';

export interface DepositRefund {
  refundNo: string;
  estateId: string;
  caseId: string;
  unitId: string;
  invoiceNo: string;
  /** Receipt of the registration payment the deposit came in on. */
  receiptNo?: string;
  channel: Channel;
  reference?: string;
  /** Renovation deposit held, deductions taken from it, card deposits returned. */
  deposit: Fen;
  deducted: Fen;
  cardDeposit: Fen;
  lines: Omit<DocumentLine, 'period'>[];
  total: Fen;
  refundDue: BizDate;
  refundedAt: string;
  businessDate: BizDate;
  refundedBy: string;
  /** The display name (`name` claim) of who paid the refund out. */
  refundedByName?: string;
  /** Paid after the refund due date. */
  late: boolean;
}

export interface RefundInput {
  channel: Channel;
  reference?: string;
}

/** POST /v1/renovations/{caseId}/refund. */
export async function refundDeposit(
  ctx: Ctx,
  caseId: string,
  input: RefundInput,
  idem?: IdempotentCall,
): Promise<DepositRefund> {
  // Money goes back over the counter; kiosks only take money in.
  if (!(COUNTER_CHANNELS as readonly string[]).includes(input.channel)) {
    throw ValidationError.of(
      'channel',
      'INVALID_CHANNEL',
      `a refund is paid by ${COUNTER_CHANNELS.join(', ')}`,
    );
  }
  return changeCase(
    ctx,
    caseId,
    'REFUND',
    (c, [n], at) => {
      // The number's year and the refund's date come from the same instant (a refund at midnight
      // on 1 January is numbered in the year it is dated in).
      const refundNo = documentNumber(SERIES.depositRefund, c.estateId, businessYear(at), n!);
      const depositBack = c.deposit - c.deducted;
      const lines: DepositRefund['lines'] = [
        {
          type: 'RENOVATION_DEPOSIT',
          description:
            c.deducted > 0n
              ? `退还装修管理保证金 ${formatFen(c.deposit)} − 扣除 ${formatFen(c.deducted)}(不计息)`
              : `退还装修管理保证金 ${formatFen(c.deposit)}(不计息)`,
          amount: depositBack,
        },
        ...(c.cardDeposit > 0n
          ? [
              {
                type: 'CARD_DEPOSIT' as const,
                description: `退还出入证押金 ${c.cards}张`,
                amount: c.cardDeposit,
              },
            ]
          : []),
      ];
      const today = businessDate(at);
      const refund: DepositRefund = {
        refundNo,
        estateId: c.estateId,
        caseId,
        unitId: c.unitId,
        invoiceNo: c.invoiceNo,
        ...(c.receiptNo ? { receiptNo: c.receiptNo } : {}),
        channel: input.channel,
        ...(input.reference ? { reference: input.reference } : {}),
        deposit: c.deposit,
        deducted: c.deducted,
        cardDeposit: c.cardDeposit,
        lines,
        total: depositBack + c.cardDeposit,
        refundDue: c.refundDue!,
        refundedAt: formatInstant(at),
        businessDate: today,
        refundedBy: ctx.actor.sub,
        ...(ctx.actor.name ? { refundedByName: ctx.actor.name } : {}),
        late: today > c.refundDue!,
      };
      const items: TxItem[] = [
        {
          Put: {
            Item: { ...key.depositRefund(refundNo), type: 'DEPOSIT_REFUND', ...refund },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
        ...ledgerItems(ctx, at, {
          estateId: c.estateId,
          kind: 'DEPOSIT_REFUNDED',
          documentNo: refundNo,
          invoiceNo: c.invoiceNo,
          ...(c.receiptNo ? { receiptNo: c.receiptNo } : {}),
          unitId: c.unitId,
          channel: input.channel,
          // A fully deducted deposit refunds 0.00: the document closes the case, the ledger has nothing to move.
          lines: lines.filter((l) => l.amount > 0n).map((l) => ({ feeCode: l.type, amount: l.amount })),
        }),
      ];
      return {
        changes: {
          set: { refundNo, refundedAt: refund.refundedAt, refunded: refund.total },
          remove: DUE_INDEX_ATTRIBUTES,
        },
        items,
        audit: {
          action: 'DEPOSIT_REFUNDED',
          document: refundNo,
          details: {
            channel: input.channel,
            total: formatFen(refund.total),
            deducted: formatFen(c.deducted),
          },
        },
        result: () => refund,
      };
    },
    {
      numbers: (_estateId, at) => [{ series: SERIES.depositRefund, year: businessYear(at) }],
      ...(idem ? { idem } : {}),
    },
  );
}

export async function getDepositRefund(ctx: Pick<Ctx, 'db'>, refundNo: string): Promise<DepositRefund> {
  const item = await ctx.db.get(key.depositRefund(refundNo));
  if (!item) throw new NotFoundError('REFUND_NOT_FOUND', `deposit refund ${refundNo} does not exist`);
  const { channel, lines, ...rest } = parseRecord(depositRefundRecordSchema, item, 'deposit refund');
  const known = CHANNELS.find((c) => c === channel);
  if (!known) throw new Error(`stored deposit refund has unknown channel ${channel}`);
  return compact({ ...rest, channel: known, lines: lines.map((l) => ({ ...l })) });
}
