import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { creditInvoice } from '../../lib/billing/credit-notes.js';
import { createEstate } from '../../lib/billing/estates.js';
import { voidInvoice } from '../../lib/billing/invoices.js';
import { getReceipt, payInvoice } from '../../lib/billing/payments.js';
import { createUnit, registerSpace } from '../../lib/billing/units.js';
import { ConflictError } from '../../lib/errors.js';
import { formatFen } from '../../lib/money.js';
import {
  getSession,
  listOpenSessions,
  type ParkingSession,
  payParking,
  recordEntry,
  recordExit,
} from '../../lib/parking/parking.js';
import { rentSpace } from '../../lib/parking/parking-rentals.js';
import { assessStay, quoteSession } from '../../lib/parking/stay.js';
import { ledgerPk } from '../../lib/store/keys.js';
import { SEED_TEMP_PARKING_BANDS } from '../../lib/tariffs/catalog.js';
import { billingHarness, type Harness } from '../support/billing.js';

let h: Harness;
const E = 'PK1';

beforeAll(async () => {
  h = await billingHarness();
  await createEstate(h.ctx('admin', { estates: [E] }), { estateId: E, name: '停车小区' });
});

beforeEach(() => h.clock.set('2025-03-01T10:00:00+08:00'));

const gate = () => h.ctx('gate', { estates: [E] });
const kiosk = (sub = 'kiosk-1', db = h.db) => h.ctx('kiosk', { estates: [E], sub, db });
const cashier = () => h.ctx('cashier', { estates: [E] });

/** Sets the clock to `iso` and returns it: the gate reports events as they happen. */
function at(iso: string): string {
  h.clock.set(iso);
  return iso;
}

async function enter(plate: string, iso: string) {
  return recordEntry(gate(), { estateId: E, plate, gateId: 'IN-1', at: at(iso) });
}

async function ledgerFor(receiptNo: string) {
  const items = await h.db.queryAll({
    KeyConditionExpression: 'PK = :pk',
    ExpressionAttributeValues: { ':pk': ledgerPk(E) },
  });
  return items.filter((i) => i['receiptNo'] === receiptNo);
}

describe('stay assessment (pure)', () => {
  const session = (over: Partial<ParkingSession> = {}): ParkingSession => ({
    sessionId: 'S',
    estateId: E,
    plate: '粤B12345',
    status: 'OPEN',
    entryMs: Date.parse('2025-03-01T06:05:00+08:00'),
    entryAt: '2025-03-01T06:05:00+08:00',
    entryGateId: 'IN-1',
    tariffVersion: `${E}@2000-01-01`,
    tempParkingBands: SEED_TEMP_PARKING_BANDS,
    paidFen: 0n,
    payVersion: 0,
    receipts: [],
    ...over,
  });
  const t = (iso: string) => Date.parse(iso);

  it('inside the exit deadline a paid car leaves even when the stay crossed a band; after it, it owes the difference', () => {
    const paid = session({ paidFen: 200n, payVersion: 1, exitByMs: t('2025-03-01T10:15:00+08:00') });
    expect(assessStay(paid, t('2025-03-01T10:14:00+08:00'))).toMatchObject({
      allowed: true,
      reason: 'PAID',
      amountDue: 0n,
    });
    // 4 h 10 min: still inside the deadline, although the fee is now 5.00.
    expect(assessStay(paid, t('2025-03-01T10:15:00+08:00'))).toMatchObject({
      allowed: true,
      fee: 500n,
      amountDue: 0n,
    });
    expect(assessStay(paid, t('2025-03-01T10:40:00+08:00'))).toMatchObject({
      allowed: false,
      fee: 500n,
      amountDue: 300n,
    });
  });

  it('never asks for a negative amount, and refuses exits before the entry with distinct codes', () => {
    const overpaid = session({ paidFen: 1000n, payVersion: 2, exitByMs: t('2025-03-01T07:00:00+08:00') });
    expect(assessStay(overpaid, t('2025-03-01T12:00:00+08:00'))).toMatchObject({
      allowed: true,
      amountDue: 0n,
      reason: 'PAID',
    });
    expect(() => assessStay(session(), t('2025-03-01T06:04:57+08:00'))).toThrow(
      expect.objectContaining({ code: 'GATE_CLOCK_SKEW' }),
    );
    expect(() => assessStay(session(), t('2025-03-01T05:00:00+08:00'))).toThrow(
      expect.objectContaining({ code: 'EXIT_BEFORE_ENTRY' }),
    );
    expect(() => assessStay(session(), t('2025-06-01T06:05:00+08:00'))).toThrow(
      expect.objectContaining({ code: 'STAY_TOO_LONG' }),
    );
    // A plate that parks free may stay longer than a temporary stay can.
    expect(
      assessStay(session(), t('2025-06-01T06:05:00+08:00'), { ownedSpace: true, rentalSpans: [] }),
    ).toMatchObject({
      allowed: true,
      amountDue: 0n,
      reason: 'OWNED_SPACE',
    });
  });
});

describe('stay assessment with a paid rental (pure)', () => {
  const t = (iso: string) => Date.parse(iso);
  const session = (entryAt: string, over: Partial<ParkingSession> = {}): ParkingSession => ({
    sessionId: 'S',
    estateId: E,
    plate: '粤B12345',
    status: 'OPEN',
    entryMs: t(entryAt),
    entryAt,
    entryGateId: 'IN-1',
    tariffVersion: `${E}@2000-01-01`,
    tempParkingBands: SEED_TEMP_PARKING_BANDS,
    paidFen: 0n,
    payVersion: 0,
    receipts: [],
    ...over,
  });
  // A rental of [2025-03-01, 2025-06-01): from 00:00 Asia/Shanghai to 00:00.
  const free = {
    ownedSpace: false,
    rentalSpans: [{ fromMs: t('2025-03-01T00:00:00+08:00'), toMs: t('2025-06-01T00:00:00+08:00') }],
  };

  it('charges what lies outside the rental, lets a car out free when that is free, and allows a long rented stay', () => {
    const early = session('2025-02-28T19:00:00+08:00');
    expect(assessStay(early, t('2025-03-01T09:00:00+08:00'), free)).toMatchObject({
      minutes: 840,
      fee: 500n,
      amountDue: 500n,
      allowed: false,
      reason: 'PAYMENT_DUE',
    });
    const late = session('2025-02-28T22:30:00+08:00');
    expect(assessStay(late, t('2025-03-01T09:00:00+08:00'), free)).toMatchObject({
      fee: 0n,
      allowed: true,
      reason: 'RENTAL',
    });
    // 92 days inside, 2 h 30 min of them after the rental ended: a temporary stay of 2.00.
    const long = session('2025-03-01T06:00:00+08:00');
    expect(assessStay(long, t('2025-06-01T02:30:00+08:00'), free)).toMatchObject({
      fee: 200n,
      amountDue: 200n,
      allowed: false,
    });
    // The 5.00 paid for the hours before the rental: days later, inside the rental, nothing more is due.
    const paid = session('2025-02-28T19:00:00+08:00', {
      paidFen: 500n,
      payVersion: 1,
      exitByMs: t('2025-03-01T09:15:00+08:00'),
    });
    expect(assessStay(paid, t('2025-03-05T09:00:00+08:00'), free)).toMatchObject({
      fee: 500n,
      amountDue: 0n,
      allowed: true,
      reason: 'PAID',
    });
  });
});

describe('entries', () => {
  it('a plate already inside gets its open session back, also when ten gates report it at once', async () => {
    h.clock.set('2025-03-01T08:00:05+08:00');
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        recordEntry(h.ctx('gate', { estates: [E], db: h.dbWith({}) }), {
          estateId: E,
          plate: i % 2 ? '粤b 1234-0' : '粤B12340',
          gateId: `IN-${i}`,
          at: '2025-03-01T08:00:00+08:00',
        }),
      ),
    );
    const ids = new Set(results.map((r) => r.session.sessionId));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => !r.alreadyInside)).toHaveLength(1);
    const open = await listOpenSessions(h.ctx('kiosk', { estates: [E] }), E, {
      plate: '粤B12340',
      limit: 10,
    });
    expect(open.items.map((s) => s.sessionId)).toEqual([...ids]);
    expect(open.items[0]).toMatchObject({
      plate: '粤B12340',
      tariffVersion: `${E}@2000-01-01`,
      status: 'OPEN',
    });
  });

  it('an entry older than the plate’s last exit is out of order (409), and a gate retrying an exit gets the same answer', async () => {
    await enter('粤B12341', '2025-03-01T08:00:00+08:00');
    const exit = { estateId: E, plate: '粤B12341', gateId: 'OUT-1', at: at('2025-03-01T09:00:00+08:00') };
    const first = await recordExit(gate(), exit);
    expect(first).toMatchObject({ allowed: true, reason: 'FREE_STAY', replayed: false });
    const again = await recordExit(gate(), exit);
    expect(again).toMatchObject({ allowed: true, sessionId: first.sessionId, replayed: true });
    await expect(recordExit(gate(), { ...exit, at: at('2025-03-01T09:05:00+08:00') })).rejects.toMatchObject({
      code: 'NO_ENTRY_RECORDED',
    });
    await expect(enter('粤B12341', '2025-03-01T08:30:00+08:00')).rejects.toMatchObject({
      code: 'ENTRY_BEFORE_LAST_EXIT',
    });
    const back = await enter('粤B12341', '2025-03-01T09:30:00+08:00');
    expect(back.alreadyInside).toBe(false);
    expect(back.session.sessionId).not.toBe(first.sessionId);
  });
});

describe('payments', () => {
  it('two kiosks paying the same session at once: exactly one payment, one receipt, one ledger entry', async () => {
    const { session } = await enter('粤B12342', '2025-03-01T07:00:00+08:00');
    h.clock.set('2025-03-01T10:00:00+08:00');
    // Eight terminals in four processes; all quoted 2.00 for 3 h.
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        payParking(kiosk(`kiosk-${i}`, h.dbWith({})), session.sessionId, {
          channel: 'KIOSK_WECHAT',
          amount: '2.00',
          reference: `wx-${i}`,
        }),
      ),
    );
    const ok = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(ok).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') {
        expect(r.reason).toBeInstanceOf(ConflictError);
        expect(r.reason.code).toBe('ALREADY_PAID');
      }
    }
    const paid = ok[0]!;
    expect(paid.receipt.receiptNo).toMatch(new RegExp(`^${E}-R2025-\\d{6}$`));
    const after = await getSession(h.ctx('kiosk', { estates: [E] }), session.sessionId);
    expect(after).toMatchObject({ paidFen: 200n, payVersion: 1, receipts: [paid.receipt.receiptNo] });
    expect(after.exitByMs).toBe(Date.parse('2025-03-01T10:15:00+08:00'));
    const receipt = await getReceipt(h.ctx('cashier', { estates: [E] }), paid.receipt.receiptNo);
    expect(receipt).toMatchObject({
      sessionId: session.sessionId,
      plate: '粤B12342',
      amount: 200n,
      reference: paid.receipt.reference,
    });
    const ledger = await ledgerFor(paid.receipt.receiptNo);
    expect(ledger.map((l) => [l['kind'], l['feeCode'], l['amount'], l['plate']])).toEqual([
      ['PAYMENT_RECEIVED', 'TEMP_PARKING', 200n, '粤B12342'],
    ]);
  });

  it('parking and invoice payments share one gapless receipt series', async () => {
    const { session } = await enter('粤B12343', '2025-03-01T07:00:00+08:00');
    h.clock.set('2025-03-01T10:00:00+08:00');
    const inv = await rentSpace(cashier(), {
      estateId: E,
      plate: '粤B12349',
      rentalKind: 'SHARED',
      startDate: '2025-03-01',
      months: 1,
    });
    const nos = [
      (await payInvoice(cashier(), inv.invoiceNo, { channel: 'CASH', amount: '200.00' })).receiptNo,
      (await payParking(cashier(), session.sessionId, { channel: 'CASH', amount: '2.00' })).receipt.receiptNo,
    ];
    const seq = nos.map((n) => Number(n.slice(-6)));
    expect(seq[1]).toBe(seq[0]! + 1);
  });

  it('cash at the counter records tendered and change; the exit grace runs from the payment, not from `at`', async () => {
    const { session } = await enter('粤B12348', '2025-03-01T05:00:00+08:00');
    h.clock.set('2025-03-01T10:08:00+08:00');
    // Quoted at 10:00 (5.00 for 5 h), paid at 10:08 with the quote's `at`.
    const paid = await payParking(cashier(), session.sessionId, {
      channel: 'CASH',
      amount: '5.00',
      tendered: '10.00',
      at: '2025-03-01T10:00:00+08:00',
    });
    expect(paid.exitByMs).toBe(Date.parse('2025-03-01T10:23:00+08:00'));
    expect(paid.receipt).toMatchObject({ amount: 500n, tendered: 1000n, change: 500n });
    const stored = await getSession(cashier(), session.sessionId);
    expect(stored.exitByMs).toBe(Date.parse('2025-03-01T10:23:00+08:00'));
    expect(await getReceipt(cashier(), paid.receipt.receiptNo)).toMatchObject({
      tendered: 1000n,
      change: 500n,
    });
  });

  it('refuses payments that do not match what is due, and payments when nothing is due', async () => {
    const { session } = await enter('粤B12344', '2025-03-01T08:30:00+08:00');
    h.clock.set('2025-03-01T10:00:00+08:00');
    await expect(
      payParking(kiosk(), session.sessionId, { channel: 'KIOSK_CARD', amount: '0.00', reference: 'x' }),
    ).rejects.toMatchObject({
      code: 'NOTHING_DUE',
    });
    // 4 h 05 min: 5.00 due now.
    h.clock.set('2025-03-01T12:35:00+08:00');
    await expect(
      payParking(kiosk(), session.sessionId, { channel: 'KIOSK_CARD', amount: '2.00', reference: 'x' }),
    ).rejects.toMatchObject({
      field: 'amount',
      code: 'AMOUNT_MISMATCH',
    });
    await expect(
      payParking(kiosk(), session.sessionId, { channel: 'KIOSK_CARD', amount: '5.00' }),
    ).rejects.toMatchObject({
      field: 'reference',
    });
    await expect(
      payParking(kiosk(), session.sessionId, { channel: 'CASH', amount: '5.00' }),
    ).rejects.toMatchObject({
      code: 'CHANNEL_NOT_ALLOWED',
    });
    // A quote 15 minutes old has expired; one 6 minutes old (3 h 59 min: 2.00) is honoured at its price.
    await expect(
      payParking(kiosk(), session.sessionId, {
        channel: 'KIOSK_CARD',
        amount: '2.00',
        at: '2025-03-01T12:20:00+08:00',
        reference: 'x',
      }),
    ).rejects.toMatchObject({ code: 'QUOTE_EXPIRED' });
    const p = await payParking(kiosk(), session.sessionId, {
      channel: 'KIOSK_CARD',
      amount: '2.00',
      at: '2025-03-01T12:29:00+08:00',
      reference: 'card-77',
    });
    expect(formatFen(p.receipt.amount)).toBe('2.00');
    expect((await getSession(kiosk(), session.sessionId)).paidFen).toBe(200n);
  });
});

describe('exits', () => {
  it('an exit that owes money writes nothing; after paying, the same car leaves', async () => {
    const { session } = await enter('粤B12345', '2025-03-01T06:00:00+08:00');
    const exit = { estateId: E, plate: '粤B12345', gateId: 'OUT-1', at: at('2025-03-01T10:30:00+08:00') };
    const refused = await recordExit(gate(), exit);
    expect(refused).toMatchObject({ allowed: false, amountDue: 500n, reason: 'PAYMENT_DUE' });
    expect((await getSession(gate(), session.sessionId)).status).toBe('OPEN');
    const q = await quoteSession(kiosk(), await getSession(gate(), session.sessionId));
    expect(q.assessment.amountDue).toBe(500n);
    await payParking(kiosk(), session.sessionId, {
      channel: 'KIOSK_ALIPAY',
      amount: '5.00',
      reference: 'ali-1',
    });
    h.clock.set('2025-03-01T10:33:00+08:00');
    const left = await recordExit(gate(), { ...exit, at: '2025-03-01T10:33:00+08:00' });
    expect(left).toMatchObject({ allowed: true, reason: 'PAID', amountDue: 0n });
    expect(await getSession(gate(), session.sessionId)).toMatchObject({
      status: 'CLOSED',
      feeFen: 500n,
      exitReason: 'PAID',
    });
    expect((await listOpenSessions(kiosk(), E, { plate: '粤B12345', limit: 5 })).items).toEqual([]);
  });

  it('a payment racing an exit: the payment stands, and the exit either saw it or was refused without writing', async () => {
    const { session } = await enter('粤B12346', '2025-03-01T06:00:00+08:00');
    h.clock.set('2025-03-01T09:00:00+08:00');
    const [paid, exit] = await Promise.allSettled([
      payParking(kiosk('k', h.dbWith({})), session.sessionId, {
        channel: 'KIOSK_CARD',
        amount: '2.00',
        reference: 'r',
      }),
      recordExit(h.ctx('gate', { estates: [E], db: h.dbWith({}) }), {
        estateId: E,
        plate: '粤B12346',
        gateId: 'OUT-2',
        at: '2025-03-01T09:00:00+08:00',
      }),
    ]);
    expect(paid.status).toBe('fulfilled');
    expect(exit.status).toBe('fulfilled');
    const answer = (exit as PromiseFulfilledResult<Awaited<ReturnType<typeof recordExit>>>).value;
    const after = await getSession(gate(), session.sessionId);
    expect(after.paidFen).toBe(200n);
    if (answer.allowed) {
      // The exit read the session after the payment.
      expect(after).toMatchObject({ status: 'CLOSED', exitReason: 'PAID', feeFen: 200n });
    } else {
      // The exit read it before: refused, nothing written, the session stays open and paid.
      expect(answer.amountDue).toBe(200n);
      expect(after.status).toBe('OPEN');
    }
  });
});

describe('free parking', () => {
  it('a registered owned-space plate leaves free, with or without a recorded entry', async () => {
    const unit = await createUnit(h.ctx('admin', { estates: [E] }), E, {
      building: '2',
      room: '201',
      unitType: 'HIGH_RISE',
      area: '89.56',
      deliveryDate: '2025-01-01',
      ownerIds: [],
    });
    await registerSpace(h.ctx('admin', { estates: [E] }), unit.unitId, {
      spaceNo: 'B1-001',
      kind: 'OWNED',
      plates: ['粤B6666D'],
    });
    await enter('粤B6666D', '2025-03-01T01:00:00+08:00');
    const left = await recordExit(gate(), {
      estateId: E,
      plate: '粤B6666D',
      gateId: 'OUT-1',
      at: at('2025-03-01T10:00:00+08:00'),
    });
    expect(left).toMatchObject({ allowed: true, amountDue: 0n, reason: 'OWNED_SPACE' });
    const noEntry = await recordExit(gate(), {
      estateId: E,
      plate: '粤B6666D',
      gateId: 'OUT-1',
      at: at('2025-03-01T11:00:00+08:00'),
    });
    expect(noEntry).toMatchObject({ allowed: true, reason: 'OWNED_SPACE' });
    expect(noEntry.sessionId).toBeUndefined();
  });

  it('rentals never overlap for one plate, also when issued at once; back-to-back is fine; a credited rental stops parking free', async () => {
    const plate = '粤B77777';
    const results = await Promise.allSettled(
      ['2025-02-20', '2025-02-25', '2025-03-01'].map((startDate) =>
        rentSpace(h.ctx('cashier', { estates: [E], db: h.dbWith({}) }), {
          estateId: E,
          plate,
          rentalKind: 'SMART_UNDERGROUND',
          startDate,
          months: 2,
        }),
      ),
    );
    const issued = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(issued).toHaveLength(1);
    for (const r of results)
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'RENTAL_OVERLAP' });
    const first = issued[0]!;
    expect(formatFen(first.total)).toBe('600.00');
    const end = first.lines[0]!.period!.end;
    const next = await rentSpace(cashier(), {
      estateId: E,
      plate,
      rentalKind: 'SMART_UNDERGROUND',
      startDate: end,
      months: 1,
    });
    expect(next.lines[0]!.period).toEqual({ start: end, end: next.lines[0]!.period!.end });

    // Unpaid, it is charged normally.
    await enter(plate, '2025-03-01T11:00:00+08:00');
    const exit = { estateId: E, plate, gateId: 'OUT-1', at: at('2025-03-01T14:00:00+08:00') };
    expect(await recordExit(gate(), exit)).toMatchObject({ allowed: false, amountDue: 200n });
    await payInvoice(cashier(), first.invoiceNo, { channel: 'TRANSFER', amount: '600.00' });
    expect(await recordExit(gate(), exit)).toMatchObject({ allowed: true, amountDue: 0n, reason: 'RENTAL' });

    await creditInvoice(cashier(), first.invoiceNo, '退租');
    await enter(plate, '2025-03-02T08:00:00+08:00');
    const later = await recordExit(gate(), { ...exit, at: at('2025-03-02T11:00:00+08:00') });
    expect(later).toMatchObject({ allowed: false, amountDue: 200n, reason: 'PAYMENT_DUE' });

    // The void of the second (unpaid) rental frees its months for a new rental.
    await voidInvoice(cashier(), next.invoiceNo, '录错');
    await expect(
      rentSpace(cashier(), { estateId: E, plate, rentalKind: 'SHARED', startDate: end, months: 1 }),
    ).resolves.toMatchObject({ status: 'OPEN' });
  });

  it('refuses rentals that start too far back or ahead', async () => {
    await expect(
      rentSpace(cashier(), {
        estateId: E,
        plate: '粤B70000',
        rentalKind: 'SHARED',
        startDate: '2025-01-15',
        months: 1,
      }),
    ).rejects.toMatchObject({ field: 'startDate', code: 'START_DATE_TOO_EARLY' });
    await expect(
      rentSpace(cashier(), {
        estateId: E,
        plate: '粤B70000',
        rentalKind: 'SHARED',
        startDate: '2026-04-01',
        months: 1,
      }),
    ).rejects.toMatchObject({ field: 'startDate', code: 'START_DATE_TOO_LATE' });
  });
});
