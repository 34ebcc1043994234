/**
 * Pricing a temporary stay (SPEC.md §4.2), pure but for the free-parking read: what leaving at a
 * given instant costs, the gate's `at` rules, and the kiosk's quote. Sessions, entries and exits
 * are parking.ts's; payments parking-payments.ts's.
 */
import type { Ctx } from '../billing/context.js';
import { ConflictError, ValidationError } from '../errors.js';
import {
  MAX_STAY_MINUTES,
  type StayPart,
  splitStayCharge,
  stayMinutes,
  type TempParkingCharge,
  tempParkingCharge,
} from '../fees/temp-parking.js';
import type { Fen } from '../money.js';
import type { TariffVersion } from '../tariffs/catalog.js';
import { formatInstant, parseInstant } from '../time.js';
import type { ExitReason, ParkingSession } from './parking.js';
import { type FreeParking, freeParking } from './parking-free.js';

export const MINUTE_MS = 60_000;
/** A gate, kiosk or terminal clock may run this far ahead of the server's before `at` is refused. */
export const FUTURE_TOLERANCE_MS = 5 * MINUTE_MS;
/** An exit this little before its entry is a gate clock out of step, not a car leaving before it came. */
export const CLOCK_SKEW_MS = 5 * MINUTE_MS;
/** A payment prices the stay at `at`, which may lie at most this far back (the quote on the kiosk's screen). */
export const QUOTE_VALID_MS = 10 * MINUTE_MS;
const MAX_STAY_MS = MAX_STAY_MINUTES * MINUTE_MS;

/** The temp-parking calculator reads only the version id and the bands, which the session keeps. */
function sessionTariff(s: ParkingSession): TariffVersion {
  return { versionId: s.tariffVersion, tempParkingBands: s.tempParkingBands } as TariffVersion;
}

export interface StayAssessment {
  /** The whole stay in minutes, seconds dropped. */
  minutes: number;
  /** The stay priced in one piece; undefined when a free space or a rental took part or all of it. */
  charge?: TempParkingCharge;
  /** The stay cut at a paid rental's edges: each uncovered part priced as a stay of its own. */
  parts?: StayPart[];
  fee: Fen;
  paid: Fen;
  amountDue: Fen;
  allowed: boolean;
  reason: ExitReason | 'PAYMENT_DUE';
}

/** Refuses an instant before the entry: a few minutes is a gate clock out of step, more is a wrong exit. */
function checkAfterEntry(entryMs: number, atMs: number, field: string): void {
  if (atMs >= entryMs) return;
  if (entryMs - atMs <= CLOCK_SKEW_MS) {
    throw ValidationError.of(
      field,
      'GATE_CLOCK_SKEW',
      `${field} ${formatInstant(atMs)} is ${Math.ceil((entryMs - atMs) / 1000)} s before the recorded entry ` +
        `${formatInstant(entryMs)}: the gate clocks disagree; check the exit gate's clock and send the exit again`,
    );
  }
  throw ValidationError.of(
    field,
    'EXIT_BEFORE_ENTRY',
    `${field} ${formatInstant(atMs)} is before the recorded entry ${formatInstant(entryMs)}`,
  );
}

/**
 * What leaving at `atMs` costs (SPEC.md §4.2): free stays leave; a paid car leaves until its exit
 * deadline; after that it owes fee(total stay) − paid, never negative. `free` is the plate's free
 * parking when it was read: a registered space makes the whole stay free; a paid rental the part
 * of the stay its months cover, the rest charged by the bands (splitStayCharge).
 */
export function assessStay(s: ParkingSession, atMs: number, free?: FreeParking): StayAssessment {
  checkAfterEntry(s.entryMs, atMs, 'at');
  const paid = s.paidFen;
  const wholeMinutes = Math.floor((atMs - s.entryMs) / MINUTE_MS);
  if (free?.ownedSpace) {
    return { minutes: wholeMinutes, fee: 0n, paid, amountDue: 0n, allowed: true, reason: 'OWNED_SPACE' };
  }
  const rentals = (free?.rentalSpans ?? []).filter((x) => x.fromMs < atMs && s.entryMs < x.toMs);
  let base: Pick<StayAssessment, 'minutes' | 'charge' | 'parts' | 'fee' | 'paid'>;
  if (rentals.length > 0) {
    const split = splitStayCharge(s.entryMs, atMs, rentals, sessionTariff(s), 'at');
    base = { minutes: wholeMinutes, parts: split.parts, fee: split.amount, paid };
    if (split.amount === 0n) return { ...base, amountDue: 0n, allowed: true, reason: 'RENTAL' };
  } else {
    const minutes = stayMinutes(s.entryMs, atMs, 'at');
    const charge = tempParkingCharge(minutes, sessionTariff(s));
    base = { minutes, charge, fee: charge.amount, paid };
    if (charge.amount === 0n) return { ...base, amountDue: 0n, allowed: true, reason: 'FREE_STAY' };
  }
  if (paid > 0n && s.exitByMs !== undefined && atMs <= s.exitByMs) {
    return { ...base, amountDue: 0n, allowed: true, reason: 'PAID' };
  }
  const due = base.fee > paid ? base.fee - paid : 0n;
  return { ...base, amountDue: due, allowed: due === 0n, reason: due === 0n ? 'PAID' : 'PAYMENT_DUE' };
}

/**
 * Assesses the stay, looking up free parking only when it matters (the stay costs something, or is
 * too long for a temporary stay): most stays are short, and the gate should not pay two reads for
 * them. A rental never makes a stay dearer, so a stay allowed without looking stays allowed.
 */
export async function assessWithFreeParking(
  ctx: Pick<Ctx, 'db'>,
  s: ParkingSession,
  atMs: number,
): Promise<StayAssessment> {
  try {
    const plain = assessStay(s, atMs);
    if (plain.allowed) return plain;
  } catch (e) {
    const tooLong = e instanceof ValidationError && e.code === 'STAY_TOO_LONG';
    if (!tooLong) throw e;
  }
  return assessStay(s, atMs, await freeParking(ctx, s.estateId, s.plate));
}

/** A gate's or terminal's `at`: an instant with an offset, not in the future, not older than a temporary stay can be. */
export function gateInstant(value: string, now: number, field = 'at'): number {
  const ms = parseInstant(value, field);
  if (ms > now + FUTURE_TOLERANCE_MS) {
    throw ValidationError.of(
      field,
      'AT_IN_FUTURE',
      `${field} ${value} is in the future (server time ${formatInstant(now)})`,
    );
  }
  if (ms < now - MAX_STAY_MS) {
    throw ValidationError.of(field, 'AT_TOO_OLD', `${field} ${value} is more than 90 days ago`);
  }
  return ms;
}

export interface SessionQuote {
  session: ParkingSession;
  atMs: number;
  assessment: StayAssessment;
}

/** GET /v1/parking/sessions/{sessionId}/quote: what leaving at `at` (default now) costs. */
export async function quoteSession(ctx: Ctx, session: ParkingSession, at?: string): Promise<SessionQuote> {
  if (session.status !== 'OPEN') {
    throw new ConflictError(
      'SESSION_CLOSED',
      `parking session ${session.sessionId} ended at ${formatInstant(session.exitMs ?? 0)}`,
    );
  }
  const now = ctx.now();
  const atMs = at === undefined ? now : gateInstant(at, now);
  return { session, atMs, assessment: await assessWithFreeParking(ctx, session, atMs) };
}
