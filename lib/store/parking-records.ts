/** The stored records of parking (lib/parking): sessions, the per-plate guard, the rental lock. */
import * as z from 'zod/mini';
import { count, fen, opt, str } from './record-parts.js';
import { tempParkingBandSchema } from './records.js';

export const parkingSessionRecordSchema = z.lazy(() =>
  z.object({
    sessionId: str,
    estateId: str,
    plate: str,
    status: z.enum(['OPEN', 'CLOSED']),
    entryMs: count,
    entryAt: str,
    entryGateId: str,
    tariffVersion: str,
    tempParkingBands: z.array(tempParkingBandSchema),
    paidFen: opt(fen),
    payVersion: opt(count),
    receipts: opt(z.array(str)),
    exitByMs: opt(count),
    exitMs: opt(count),
    exitGateId: opt(str),
    feeFen: opt(fen),
    exitReason: opt(str),
  }),
);

/** The per-plate guard of an estate: at most one open session per plate. */
export const insideGuardRecordSchema = z.lazy(() =>
  z.object({
    state: z.enum(['INSIDE', 'LEFT']),
    sessionId: str,
    lastExitMs: opt(count),
  }),
);

/** A plate's rental lock: its version moves on with every rental. */
export const rentalLockRecordSchema = z.lazy(() => z.object({ version: opt(count) }));

export type ParkingSessionRecord = z.output<typeof parkingSessionRecordSchema>;
