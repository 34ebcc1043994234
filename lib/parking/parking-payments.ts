/**
 * Paying a parking session (SPEC.md §4.2): a receipt in the estate's one receipt series, with
 * ledger entries, an audit record and the idempotency record in the same transaction, under a
 * condition on the session's payment version read before: two kiosks paying the same session at
 * once make exactly one payment.
 */

import { auditItem, type Ctx, ledgerItems } from '../billing/context.js';
import { getEstate } from '../billing/estates.js';
import type { IdempotentCall } from '../billing/invoices.js';
import { checkPayment, payee } from '../billing/payments.js';
import type { Channel, Estate, Receipt } from '../billing/records.js';
import { ConflictError, ValidationError } from '../errors.js';
import { feeName } from '../fee-types/catalog.js';
import { formatFen } from '../money.js';
import { TransactionCancelled, type TxItem } from '../store/db.js';
import { receiptItem } from '../store/items.js';
import { documentNumber, SERIES } from '../store/keys.js';
import { transactWithNumbers } from '../store/numbering.js';
import { sessionPaymentItem } from '../store/parking-items.js';
import { businessDate, businessYear, formatInstant } from '../time.js';
import { getSession, type ParkingSession } from './parking.js';
import {
  assessWithFreeParking,
  gateInstant,
  MINUTE_MS,
  QUOTE_VALID_MS,
  type StayAssessment,
} from './stay.js';

export interface ParkingPaymentInput {
  channel: Channel;
  amount: string;
  /** Cash handed over at the counter (CASH only, at least `amount`): the receipt records the change. */
  tendered?: string;
  at?: string;
  reference?: string;
  /** Kiosk money: the terminal it came in at (from the payment order). */
  terminalId?: string;
}

export interface ParkingPayment {
  receipt: Receipt;
  exitByMs: number;
  session: ParkingSession;
}

/** The amount a payment at `atMs` must bring, or the 409 explaining why nothing is due. */
async function amountToPay(ctx: Pick<Ctx, 'db'>, s: ParkingSession, atMs: number): Promise<StayAssessment> {
  if (s.status !== 'OPEN') {
    throw new ConflictError(
      'SESSION_CLOSED',
      `parking session ${s.sessionId} has ended; nothing can be paid on it`,
    );
  }
  const a = await assessWithFreeParking(ctx, s, atMs);
  if (a.amountDue > 0n) return a;
  switch (a.reason) {
    case 'OWNED_SPACE':
    case 'RENTAL':
      throw new ConflictError('PARKS_FREE', `${s.plate} parks free here (${a.reason}); nothing is due`);
    case 'FREE_STAY':
      throw new ConflictError('NOTHING_DUE', `the stay of ${a.minutes} minutes is free; nothing is due`);
    default:
      throw new ConflictError(
        'ALREADY_PAID',
        `parking session ${s.sessionId} is paid` +
          (s.exitByMs ? `; exit by ${formatInstant(s.exitByMs)}` : ''),
      );
  }
}

/** For a stay cut by a rental: which parts were charged, e.g. ` (租期外 3小时0分钟 2.00元)`. */
function chargedParts(a: StayAssessment): string {
  const charged = (a.parts ?? []).filter((p) => !p.covered && p.charge);
  if (charged.length === 0) return '';
  const each = charged.map(
    (p) => `${Math.floor(p.minutes / 60)}小时${p.minutes % 60}分钟 ${formatFen(p.charge!.amount)}元`,
  );
  return ` (租期外 ${each.join(' + ')})`;
}

/**
 * POST /v1/parking/sessions/{sessionId}/payments: pays exactly what leaving at `at` (default now)
 * costs. The exit deadline runs from the payment as recorded (the server's clock), not from `at`.
 */
export async function payParking(
  ctx: Ctx,
  sessionId: string,
  input: ParkingPaymentInput,
  idem?: IdempotentCall,
  known?: ParkingSession,
): Promise<ParkingPayment> {
  const first = known ?? (await getSession(ctx, sessionId));
  const now = ctx.now();
  let atMs = now;
  if (input.at !== undefined) {
    atMs = gateInstant(input.at, now);
    if (atMs < now - QUOTE_VALID_MS) {
      throw ValidationError.of(
        'at',
        'QUOTE_EXPIRED',
        `a payment prices the stay at most ${QUOTE_VALID_MS / MINUTE_MS} minutes back; quote again`,
      );
    }
  }
  const year = businessYear(now);
  // The stay is priced once, from the session as first read, together with the estate's exit grace
  // and the receipt counter; a later round re-reads only the session (its payVersion is the lock).
  let priced: Promise<[StayAssessment, Estate]> | undefined;
  const read = async (round: number) => {
    priced ??= Promise.all([amountToPay(ctx, first, atMs), getEstate(ctx, first.estateId)]);
    const [s, [a, estate]] = await Promise.all([round === 0 ? first : getSession(ctx, sessionId), priced]);
    return { s, a, estate };
  };
  let result: ParkingPayment | undefined;
  try {
    await transactWithNumbers(
      ctx.db,
      [{ estateId: first.estateId, series: SERIES.receipt, year }],
      async ([n], { s, a, estate }) => {
        const money = checkPayment(a.amountDue, input, ctx.actor.role);
        // The grace runs from the payment (SPEC.md §4.2, API.md): the driver who paid a quote a few
        // minutes old still has the whole grace to reach the gate.
        const exitByMs = now + estate.exitGraceMinutes * MINUTE_MS;
        if (s.status !== 'OPEN')
          throw new ConflictError('SESSION_CLOSED', `parking session ${sessionId} has ended`);
        if (s.payVersion !== first.payVersion) {
          throw new ConflictError(
            'ALREADY_PAID',
            `parking session ${sessionId} was paid at another terminal meanwhile; quote again`,
          );
        }
        const receiptNo = documentNumber(SERIES.receipt, s.estateId, year, n!);
        const hours = Math.floor(a.minutes / 60);
        const receipt: Receipt = {
          receiptNo,
          estateId: s.estateId,
          sessionId,
          plate: s.plate,
          channel: input.channel,
          amount: money.amount,
          ...payee(ctx, input),
          estateName: estate.name,
          paidAt: formatInstant(now),
          businessDate: businessDate(now),
          lines: [
            {
              type: 'TEMP_PARKING',
              description:
                `${feeName('TEMP_PARKING')} ${s.plate} ${hours}小时${a.minutes % 60}分钟` +
                chargedParts(a) +
                (s.paidFen > 0n ? ` (已付${formatFen(s.paidFen)}元, 补缴)` : ''),
              amount: money.amount,
            },
          ],
          ...(money.tendered !== undefined ? { tendered: money.tendered, change: money.change! } : {}),
          ...(input.reference ? { reference: input.reference } : {}),
        };
        const paidFen = s.paidFen + money.amount;
        result = {
          receipt,
          exitByMs,
          session: {
            ...s,
            paidFen,
            payVersion: s.payVersion + 1,
            receipts: [...s.receipts, receiptNo],
            exitByMs,
          },
        };
        const items: TxItem[] = [
          sessionPaymentItem(sessionId, {
            payVersion: s.payVersion,
            paidFen,
            exitByMs,
            exitBy: formatInstant(exitByMs),
            paidAt: receipt.paidAt,
            receiptNo,
          }),
          receiptItem(receipt),
          ...ledgerItems(ctx, now, {
            estateId: s.estateId,
            kind: 'PAYMENT_RECEIVED',
            documentNo: receiptNo,
            receiptNo,
            plate: s.plate,
            channel: input.channel,
            lines: [{ feeCode: 'TEMP_PARKING', amount: money.amount }],
          }),
          auditItem(ctx, now, {
            estateId: s.estateId,
            action: 'PARKING_PAID',
            document: receiptNo,
            details: { sessionId, plate: s.plate, channel: input.channel, at: formatInstant(atMs) },
          }),
        ];
        if (idem) {
          await idem.handle.ready;
          items.push(idem.handle.completeItem(idem.present(result)));
        }
        return { items };
      },
      read,
    );
  } catch (e) {
    if (e instanceof TransactionCancelled && e.failedAt(0)) {
      const now2 = await getSession(ctx, sessionId);
      if (now2.status !== 'OPEN')
        throw new ConflictError('SESSION_CLOSED', `parking session ${sessionId} has ended`);
      throw new ConflictError(
        'ALREADY_PAID',
        `parking session ${sessionId} was paid at another terminal meanwhile; quote again`,
      );
    }
    throw e;
  }
  return result!;
}
