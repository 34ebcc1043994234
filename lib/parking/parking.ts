/**
 * 临时停车 sessions (SPEC.md §4.2): gate entries and exits, kiosk and counter quotes and payments.
 *
 * - A session is priced with the tariff in effect on its entry's business date. The session keeps
 *   that version's id and its bands, so a later tariff never re-prices a car already inside and the
 *   gate needs no tariff read at exit.
 * - A per-plate guard (`INSIDE#{plate}` under the estate) is written in the entry transaction under
 *   a condition: a plate already inside gets its existing session back, never a second one. The
 *   exit transaction closes the session and marks the guard LEFT (it is reused, never deleted).
 * - A payment is a receipt in the estate's one receipt series, with ledger entries, an audit record
 *   and the idempotency record in the same transaction, under a condition on the session's payment
 *   version read before: two kiosks paying the same session at once make exactly one payment.
 */
import { randomBytes } from 'node:crypto';
import { auditItem, type Ctx } from '../billing/context.js';
import { listTariffs, tariffOn } from '../billing/estates.js';
import { normalisePlate } from '../billing/units.js';
import { ConflictError, NotFoundError, UnavailableError } from '../errors.js';
import { type Fen, formatFen } from '../money.js';
import { cursor, type Db, TransactionCancelled, type TxItem } from '../store/db.js';
import { gsi2, key } from '../store/keys.js';
import { sessionEntryItems, sessionExitItems } from '../store/parking-items.js';
import { insideGuardRecordSchema, parkingSessionRecordSchema } from '../store/parking-records.js';
import { compact, parseRecord } from '../store/records.js';
import type { TempParkingBand } from '../tariffs/catalog.js';
import { businessDate, formatInstant } from '../time.js';
import { type FreeReason, parksFree } from './parking-free.js';
import { assessWithFreeParking, gateInstant, MINUTE_MS, type StayAssessment } from './stay.js';

const MAX_ROUNDS = 8;

export type SessionStatus = 'OPEN' | 'CLOSED';
/** Why an exit was allowed; `PAYMENT_DUE` when it was not. */
export type ExitReason = 'FREE_STAY' | 'PAID' | FreeReason;
const EXIT_REASONS: readonly ExitReason[] = ['FREE_STAY', 'PAID', 'OWNED_SPACE', 'RENTAL'];

export interface ParkingSession {
  sessionId: string;
  estateId: string;
  plate: string;
  status: SessionStatus;
  entryMs: number;
  entryAt: string;
  entryGateId: string;
  tariffVersion: string;
  tempParkingBands: TempParkingBand[];
  /** Everything paid for this stay so far. */
  paidFen: Fen;
  /** Bumped by every payment; payments and exits are conditioned on the value they read. */
  payVersion: number;
  receipts: string[];
  exitByMs?: number;
  exitMs?: number;
  exitGateId?: string;
  /** What the stay cost in the end: what was paid (0 for a free stay or a plate that parks free). */
  feeFen?: Fen;
  exitReason?: ExitReason;
}

interface Guard {
  state: 'INSIDE' | 'LEFT';
  sessionId: string;
  lastExitMs?: number;
}

// ---- reading and writing items -------------------------------------------------------------

function sessionFromItem(item: unknown): ParkingSession {
  const r = parseRecord(parkingSessionRecordSchema, item, 'parking session');
  const exitReason = EXIT_REASONS.find((x) => x === r.exitReason);
  if (r.exitReason !== undefined && !exitReason) {
    throw new Error(`stored parking session ${r.sessionId} has unknown exit reason ${r.exitReason}`);
  }
  return compact({
    ...r,
    paidFen: r.paidFen ?? 0n,
    payVersion: r.payVersion ?? 0,
    receipts: r.receipts ?? [],
    exitReason,
  });
}

function guardFromItem(item: unknown): Guard | undefined {
  if (item === undefined) return undefined;
  const { lastExitMs, ...guard } = parseRecord(insideGuardRecordSchema, item, 'inside guard');
  return lastExitMs === undefined ? guard : { ...guard, lastExitMs };
}

export async function getSession(ctx: Pick<Ctx, 'db'>, sessionId: string): Promise<ParkingSession> {
  const item = await ctx.db.get(key.parkingSession(sessionId));
  if (!item) throw new NotFoundError('SESSION_NOT_FOUND', `parking session ${sessionId} does not exist`);
  return sessionFromItem(item);
}

async function getGuard(db: Db, estateId: string, plate: string): Promise<Guard | undefined> {
  return guardFromItem(await db.get(key.insideGuard(estateId, plate)));
}

/** Entry: the guard (conditional), the session, the audit record. Exported for the benchmark's raw baseline. */
export function entryItems(ctx: Ctx, s: ParkingSession): TxItem[] {
  return [
    ...sessionEntryItems({
      sessionId: s.sessionId,
      estateId: s.estateId,
      plate: s.plate,
      entryMs: s.entryMs,
      entryAt: s.entryAt,
      entryDate: businessDate(s.entryMs),
      entryGateId: s.entryGateId,
      tariffVersion: s.tariffVersion,
      tempParkingBands: s.tempParkingBands,
    }),
    auditItem(ctx, ctx.now(), {
      estateId: s.estateId,
      action: 'PARKING_ENTRY',
      document: s.sessionId,
      details: { plate: s.plate, gateId: s.entryGateId, at: s.entryAt },
    }),
  ];
}

/** Exit: closes the session (as read) and marks the guard LEFT. Exported for the benchmark's raw baseline. */
export function exitItems(
  ctx: Ctx,
  s: ParkingSession,
  exit: { exitMs: number; gateId: string; feeFen: Fen; reason: ExitReason },
): TxItem[] {
  return [
    ...sessionExitItems(s, { ...exit, exitAt: formatInstant(exit.exitMs) }),
    auditItem(ctx, ctx.now(), {
      estateId: s.estateId,
      action: 'PARKING_EXIT',
      document: s.sessionId,
      details: {
        plate: s.plate,
        gateId: exit.gateId,
        at: formatInstant(exit.exitMs),
        reason: exit.reason,
        fee: formatFen(exit.feeFen),
      },
    }),
  ];
}

function newSessionId(estateId: string, entryMs: number): string {
  return `${estateId}-P${entryMs.toString(36).toUpperCase()}-${randomBytes(4).toString('hex').toUpperCase()}`;
}

// ---- entry -----------------------------------------------------------------------------------

export interface GateEvent {
  estateId: string;
  plate: string;
  gateId: string;
  at: string;
}

export interface EntryResult {
  session: ParkingSession;
  /** The plate was already inside: this is its open session, and nothing was written. */
  alreadyInside: boolean;
}

/** POST /v1/parking/entries. */
export async function recordEntry(ctx: Ctx, input: GateEvent): Promise<EntryResult> {
  const plate = normalisePlate(input.plate);
  const entryMs = gateInstant(input.at, ctx.now());
  // An estate always has its seed tariff, so no versions means no estate: one query answers both.
  const tariffs = await listTariffs(ctx, input.estateId);
  if (tariffs.length === 0)
    throw new NotFoundError('ESTATE_NOT_FOUND', `estate ${input.estateId} does not exist`);
  const tariff = tariffOn(tariffs, businessDate(entryMs));
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const session: ParkingSession = {
      sessionId: newSessionId(input.estateId, entryMs),
      estateId: input.estateId,
      plate,
      status: 'OPEN',
      entryMs,
      entryAt: formatInstant(entryMs),
      entryGateId: input.gateId,
      tariffVersion: tariff.versionId,
      tempParkingBands: tariff.tempParkingBands,
      paidFen: 0n,
      payVersion: 0,
      receipts: [],
    };
    try {
      await ctx.db.transact(entryItems(ctx, session));
      return { session, alreadyInside: false };
    } catch (e) {
      if (!(e instanceof TransactionCancelled && e.failedAt(0))) throw e;
    }
    const guard = await getGuard(ctx.db, input.estateId, plate);
    if (guard?.state === 'INSIDE')
      return { session: await getSession(ctx, guard.sessionId), alreadyInside: true };
    if (guard?.lastExitMs !== undefined && guard.lastExitMs > entryMs) {
      throw new ConflictError(
        'ENTRY_BEFORE_LAST_EXIT',
        `${plate} left at ${formatInstant(guard.lastExitMs)}, after this entry time ${formatInstant(entryMs)}: ` +
          'the gate sent events out of order; check the entry gate clock',
      );
    }
    // The plate left between our write and our read: enter again.
  }
  throw new UnavailableError('the plate is entering and leaving too fast to record; please retry');
}

// ---- exit ------------------------------------------------------------------------------------

export interface ExitResult {
  allowed: boolean;
  /** Undefined only for a plate that parks free and has no recorded entry. */
  sessionId?: string;
  amountDue: Fen;
  reason: ExitReason | 'PAYMENT_DUE';
  minutes?: number;
  fee: Fen;
  paid: Fen;
  /** The answer to an exit already recorded (a gate retry); nothing was written. */
  replayed: boolean;
}

function exitAnswer(
  s: ParkingSession | undefined,
  a: StayAssessment | undefined,
  replayed: boolean,
): ExitResult {
  return {
    allowed: a?.allowed ?? true,
    ...(s ? { sessionId: s.sessionId } : {}),
    amountDue: a?.amountDue ?? 0n,
    reason: a?.reason ?? 'OWNED_SPACE',
    ...(a ? { minutes: a.minutes } : {}),
    fee: a?.fee ?? 0n,
    paid: a?.paid ?? 0n,
    replayed,
  };
}

/**
 * POST /v1/parking/exits. Allowed → the session closes and the plate is marked LEFT in one
 * transaction; refused → nothing is written, the car pays at a kiosk and exits again.
 */
export async function recordExit(ctx: Ctx, input: GateEvent): Promise<ExitResult> {
  const plate = normalisePlate(input.plate);
  const exitMs = gateInstant(input.at, ctx.now());
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const guard = await getGuard(ctx.db, input.estateId, plate);
    if (guard?.state !== 'INSIDE') {
      const last = guard ? await getSession(ctx, guard.sessionId) : undefined;
      if (last && last.status === 'CLOSED' && last.exitMs === exitMs) {
        // The gate sent the same exit again (a retry): same answer, nothing new written.
        return {
          ...exitAnswer(last, undefined, true),
          reason: last.exitReason ?? 'PAID',
          // Whole minutes, seconds dropped, as the first answer counted them (stay.ts).
          minutes: Math.floor((exitMs - last.entryMs) / MINUTE_MS),
          fee: last.feeFen ?? 0n,
          paid: last.paidFen,
        };
      }
      const free = await parksFree(ctx, input.estateId, plate, businessDate(exitMs));
      if (free) return { ...exitAnswer(undefined, undefined, false), reason: free };
      throw new ConflictError(
        'NO_ENTRY_RECORDED',
        `no entry is recorded for ${plate} in estate ${input.estateId}` +
          (last?.exitMs !== undefined ? ` (its last stay ended at ${formatInstant(last.exitMs)})` : '') +
          ': record the entry with the time from the ticket or the camera (POST /v1/parking/entries), then send the exit again',
      );
    }
    const session = await getSession(ctx, guard.sessionId);
    const a = await assessWithFreeParking(ctx, session, exitMs);
    if (!a.allowed) return exitAnswer(session, a, false);
    try {
      await ctx.db.transact(
        exitItems(ctx, session, {
          exitMs,
          gateId: input.gateId,
          // Leaving is allowed only when nothing more is due, so the stay cost exactly what was paid.
          feeFen: a.paid,
          reason: a.reason as ExitReason,
        }),
      );
      // The answer says what was stored: inside the grace a stay that crossed into a dearer band
      // since its payment still cost what was paid (a gate's retry answers the same).
      return { ...exitAnswer(session, a, false), fee: a.paid };
    } catch (e) {
      // A payment or another exit got there first: read again and decide again.
      if (!(e instanceof TransactionCancelled && (e.failedAt(0) || e.failedAt(1)))) throw e;
    }
  }
  throw new UnavailableError('the session kept changing while the exit was recorded; please retry');
}

// ---- listing ---------------------------------------------------------------------------------

/** GET /v1/parking/sessions: the open sessions of an estate, or the one of a plate. */
export async function listOpenSessions(
  ctx: Pick<Ctx, 'db'>,
  estateId: string,
  opts: { plate?: string; limit: number; cursor?: string },
): Promise<{ items: ParkingSession[]; nextCursor?: string }> {
  if (opts.plate !== undefined) {
    // The guard is read strongly consistent: a kiosk finds a car the moment it has entered.
    const guard = await getGuard(ctx.db, estateId, normalisePlate(opts.plate));
    return { items: guard?.state === 'INSIDE' ? [await getSession(ctx, guard.sessionId)] : [] };
  }
  const pk = gsi2.openSessions(estateId);
  const page = await ctx.db.query({
    IndexName: 'GSI2',
    KeyConditionExpression: 'GSI2PK = :pk',
    ExpressionAttributeValues: { ':pk': pk },
    Limit: opts.limit,
    ...(opts.cursor ? { ExclusiveStartKey: cursor.decode(opts.cursor, { GSI2PK: pk }) } : {}),
  });
  const next = cursor.encode(page.lastKey);
  return { items: page.items.map(sessionFromItem), ...(next ? { nextCursor: next } : {}) };
}

// Payments live in parking-payments.ts; re-exported so that callers keep one entry point.
export { type ParkingPayment, type ParkingPaymentInput, payParking } from './parking-payments.js';
