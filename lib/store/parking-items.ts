/**
 * How parking sessions and the per-plate guard are written (see items.ts for the documents a
 * payment posts). The entry and exit rules are the domain's (parking/parking.ts); the conditions
 * that make them hold under concurrency are here.
 */
import type { TxItem } from './db.js';
import { putNew } from './items.js';
import { gsi2, key } from './keys.js';

export interface NewParkingSession {
  sessionId: string;
  estateId: string;
  plate: string;
  entryMs: number;
  entryAt: string;
  entryDate: string;
  entryGateId: string;
  tariffVersion: string;
  tempParkingBands: { upToMinutes: number; amount: string }[];
}

/**
 * An entry: the plate's guard moves to INSIDE (a plate inside stays with its session; an entry older
 * than the plate's last exit is out of order), and the open session is created in the open-sessions
 * index.
 */
export function sessionEntryItems(s: NewParkingSession): TxItem[] {
  return [
    {
      Update: {
        Key: key.insideGuard(s.estateId, s.plate),
        UpdateExpression:
          'SET #type = :type, plate = :plate, sessionId = :sid, #state = :inside, entryMs = :entryMs',
        ConditionExpression: 'attribute_not_exists(PK) OR (#state = :left AND lastExitMs <= :entryMs)',
        ExpressionAttributeNames: { '#type': 'type', '#state': 'state' },
        ExpressionAttributeValues: {
          ':type': 'INSIDE',
          ':plate': s.plate,
          ':sid': s.sessionId,
          ':inside': 'INSIDE',
          ':left': 'LEFT',
          ':entryMs': s.entryMs,
        },
      },
    },
    putNew({
      ...key.parkingSession(s.sessionId),
      type: 'PARKING_SESSION',
      ...s,
      status: 'OPEN',
      paidFen: 0n,
      payVersion: 0,
      receipts: [],
      GSI2PK: gsi2.openSessions(s.estateId),
      GSI2SK: `${s.plate}#${String(s.entryMs).padStart(13, '0')}`,
    }),
  ];
}

/**
 * An exit: closes the session under the payment version read (a payment committed since changes the
 * answer: the exit re-reads and decides again) and marks the plate's guard LEFT.
 */
export function sessionExitItems(
  s: { sessionId: string; estateId: string; plate: string; payVersion: number },
  exit: { exitMs: number; exitAt: string; gateId: string; feeFen: bigint; reason: string },
): TxItem[] {
  return [
    {
      Update: {
        Key: key.parkingSession(s.sessionId),
        UpdateExpression:
          'SET #status = :closed, exitMs = :exitMs, exitAt = :exitAt, exitGateId = :gate, feeFen = :fee, exitReason = :reason REMOVE GSI2PK, GSI2SK',
        ConditionExpression: '#status = :open AND payVersion = :v',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':closed': 'CLOSED',
          ':open': 'OPEN',
          ':v': s.payVersion,
          ':exitMs': exit.exitMs,
          ':exitAt': exit.exitAt,
          ':gate': exit.gateId,
          ':fee': exit.feeFen,
          ':reason': exit.reason,
        },
      },
    },
    {
      Update: {
        Key: key.insideGuard(s.estateId, s.plate),
        UpdateExpression: 'SET #state = :left, lastExitMs = :exitMs',
        ConditionExpression: 'sessionId = :sid AND #state = :inside',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':left': 'LEFT',
          ':inside': 'INSIDE',
          ':sid': s.sessionId,
          ':exitMs': exit.exitMs,
        },
      },
    },
  ];
}

// ---- parking ---------------------------------------------------------------------------------

/** Records a payment on an open session, under the payment version read (two kiosks pay once). */
export function sessionPaymentItem(
  sessionId: string,
  args: {
    payVersion: number;
    paidFen: bigint;
    exitByMs: number;
    exitBy: string;
    paidAt: string;
    receiptNo: string;
  },
): TxItem {
  return {
    Update: {
      Key: key.parkingSession(sessionId),
      UpdateExpression:
        'SET paidFen = :paid, payVersion = :next, exitByMs = :exitByMs, exitBy = :exitBy, lastPaidAt = :paidAt, ' +
        'receipts = list_append(if_not_exists(receipts, :none), :receipt)',
      ConditionExpression: '#status = :open AND payVersion = :v',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':paid': args.paidFen,
        ':next': args.payVersion + 1,
        ':v': args.payVersion,
        ':open': 'OPEN',
        ':exitByMs': args.exitByMs,
        ':exitBy': args.exitBy,
        ':paidAt': args.paidAt,
        ':none': [],
        ':receipt': [args.receiptNo],
      },
    },
  };
}

/** A plate's rental lock: its version moves on with every rental, so two overlapping rentals cannot both commit. */
export function rentalLockItem(estateId: string, plate: string, version: number): TxItem {
  return {
    Update: {
      Key: key.rentalLock(estateId, plate),
      UpdateExpression: 'SET #type = :type, version = :next',
      ConditionExpression: version === 0 ? 'attribute_not_exists(PK)' : 'version = :v',
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: {
        ':type': 'RENTAL_LOCK',
        ':next': version + 1,
        ...(version === 0 ? {} : { ':v': version }),
      },
    },
  };
}
