/**
 * 车位租用 (SPEC.md §3, §4.2): a shared or smart underground space rented by one vehicle in whole
 * months, billed as an invoice to the vehicle. Once that invoice is PAID (through the ordinary
 * invoice payment) the plate parks free for the rented period; a void or a credit note releases
 * the rental's claim, and with it the free parking.
 *
 * A plate's rentals never overlap. The claim that commitInvoice writes is keyed by the period start
 * only, so overlap is checked here against the periods of the plate's live claims, under an
 * optimistic lock on a per-vehicle item (`RENTALS`) that every rental bumps in its own transaction:
 * of two rentals issued at once for the same plate, the second re-reads and sees the first.
 */

import type { Ctx } from '../billing/context.js';
import { listTariffs, tariffOn } from '../billing/estates.js';
import { commitInvoice, type IdempotentCall } from '../billing/invoices.js';
import type { Invoice } from '../billing/records.js';
import { normalisePlate } from '../billing/units.js';
import { ConflictError, NotFoundError, UnavailableError, ValidationError } from '../errors.js';
import { parkingRental } from '../fees/calculators.js';
import { dueDate } from '../fees/periods.js';
import { TransactionCancelled } from '../store/db.js';
import { claimOwner, key } from '../store/keys.js';
import { rentalLockItem } from '../store/parking-items.js';
import { rentalLockRecordSchema } from '../store/parking-records.js';
import { parseRecord } from '../store/records.js';
import type { RentalKind } from '../tariffs/catalog.js';
import { addMonths, addYears, businessDate, type Period, parseBizDate } from '../time.js';
import { rentalClaims } from './parking-free.js';

export interface RentalInput {
  estateId: string;
  plate: string;
  rentalKind: RentalKind;
  startDate: string;
  months: number;
}

const MAX_ROUNDS = 5;

function overlaps(a: Period, b: Period): boolean {
  return a.start < b.end && b.start < a.end;
}

/**
 * POST /v1/parking/rentals: an invoice for the rented months, billed to the vehicle. With `idem`
 * (the route's Idempotency-Key) the stored answer is written in the invoice's own transaction, so a
 * retried request replays this invoice instead of billing a second rental.
 */
export async function rentSpace(ctx: Ctx, input: RentalInput, idem?: IdempotentCall): Promise<Invoice> {
  const plate = normalisePlate(input.plate);
  const start = parseBizDate(input.startDate, 'startDate');
  const today = businessDate(ctx.now());
  // A rental is paid ahead; back-dating beyond a month would sell parking that was already used.
  if (start < addMonths(today, -1)) {
    throw ValidationError.of(
      'startDate',
      'START_DATE_TOO_EARLY',
      `a rental may start at most one month back (${addMonths(today, -1)})`,
    );
  }
  if (start > addYears(today, 1)) {
    throw ValidationError.of(
      'startDate',
      'START_DATE_TOO_LATE',
      `a rental may start at most one year ahead (${addYears(today, 1)})`,
    );
  }
  const period: Period = { start, end: addMonths(start, input.months) };
  const tariffs = await listTariffs(ctx, input.estateId);
  if (tariffs.length === 0)
    throw new NotFoundError('ESTATE_NOT_FOUND', `estate ${input.estateId} does not exist`);
  // Priced with the version in effect on the period's start, like every billing period (SPEC.md §3).
  const line = parkingRental({
    rentalKind: input.rentalKind,
    months: input.months,
    tariff: tariffOn(tariffs, start),
    period,
  });

  for (let round = 0; round < MAX_ROUNDS; round++) {
    // The lock first, then the claims: read in parallel, a rental committing between the two reads
    // could show its lock version but not yet its claim, and ours would pass both checks.
    const lock = await ctx.db.get(key.rentalLock(input.estateId, plate));
    const claims = await rentalClaims(ctx, input.estateId, plate);
    const clashes = claims.filter((c) => c.state !== 'RELEASED' && overlaps(c.period, period));
    if (clashes.length > 0) {
      throw new ConflictError(
        'RENTAL_OVERLAP',
        `${plate} already has a rental for ${clashes.map((c) => `${c.period.start}..${c.period.end} (${c.invoiceNo})`).join(', ')}`,
        clashes.map((c) => ({ invoiceNo: c.invoiceNo, period: c.period, state: c.state })),
      );
    }
    const version = lock ? (parseRecord(rentalLockRecordSchema, lock, 'rental lock').version ?? 0) : 0;
    try {
      return await commitInvoice(
        ctx,
        {
          estateId: input.estateId,
          billedTo: claimOwner.vehicle(input.estateId, plate),
          plate,
          rentalKind: input.rentalKind,
          lines: [line],
          dueDate: dueDate(period, today),
          action: 'RENTAL_INVOICE_ISSUED',
          extraItems: () => [rentalLockItem(input.estateId, plate, version)],
        },
        idem,
      );
    } catch (e) {
      // Another rental of this plate committed since our read (its lock, or the same start date's
      // claim, failed ours): read again, and the overlap check names the rental that won.
      const raced =
        e instanceof TransactionCancelled ||
        (e instanceof ConflictError && e.code === 'PERIOD_ALREADY_BILLED');
      if (!raced) throw e;
    }
  }
  throw new UnavailableError('rentals for this plate are being issued concurrently; please retry');
}
