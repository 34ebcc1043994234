/**
 * The renovation period (SPEC.md §4.3: "at most 90 days unless an extension is recorded; a case past
 * its period is flagged overdue in the case list, and an acceptance after the period without an
 * extension is refused") against DynamoDB Local: the day-90/day-91 boundary on the due list, the
 * refused and the extended acceptance, and the extension itself (validation, audit, repeats).
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEstate } from '../../lib/billing/estates.js';
import { payInvoice } from '../../lib/billing/payments.js';
import { createUnit } from '../../lib/billing/units.js';
import { ConflictError, ValidationError } from '../../lib/errors.js';
import { formatFen } from '../../lib/money.js';
import { getRenovation } from '../../lib/renovation/cases.js';
import { listDueRenovations } from '../../lib/renovation/due-list.js';
import { extendRenovation, recordAcceptance } from '../../lib/renovation/inspections.js';
import { registerRenovation } from '../../lib/renovation/registration.js';
import {
  checkExtensionEnd,
  checkWithinPeriod,
  isPastPeriod,
  periodLastDay,
} from '../../lib/renovation/rules.js';
import { auditPk } from '../../lib/store/keys.js';
import { addDays, businessDate } from '../../lib/time.js';
import { billingHarness, type Harness } from '../support/billing.js';

let h: Harness;
let rooms = 0;
let estates = 0;

beforeAll(async () => {
  h = await billingHarness();
});

// Every acceptance and extension below is dated before "today".
beforeEach(() => h.clock.set('2025-09-01T10:00:00+08:00'));

/** An estate of its own (so the due list holds only this test's cases) and its cashier. */
async function estate() {
  const estateId = `PER${++estates}`;
  await createEstate(h.ctx('admin', { estates: [estateId] }), { estateId, name: `${estateId}小区` });
  return { estateId, cashier: h.ctx('cashier', { estates: [estateId] }) };
}

/** Registered on `date` (day 1 of the period) and paid: the deposit is held. */
async function heldCase(estateId: string, date: string) {
  const admin = h.ctx('admin', { estates: [estateId] });
  const cashier = h.ctx('cashier', { estates: [estateId] });
  const unit = await createUnit(admin, estateId, {
    building: '9栋',
    room: String(++rooms),
    unitType: 'HIGH_RISE',
    area: '89.56',
    deliveryDate: '2024-06-01',
    ownerIds: ['owner-1'],
  });
  const { renovation, invoice } = await registerRenovation(cashier, { unitId: unit.unitId, cards: 1, date });
  await payInvoice(cashier, invoice.invoiceNo, { channel: 'CASH', amount: formatFen(invoice.total) });
  return renovation;
}

const dueOn = async (estateId: string, asOf: string) =>
  (
    await listDueRenovations(h.ctx('cashier', { estates: [estateId] }), estateId, { asOf, limit: 100 })
  ).items.map((d) => [d.renovation.caseId, d.due.kind, d.due.date, d.due.overdue]);

async function auditOf(estateId: string, caseId: string) {
  const rows = await h.db.queryAll<Record<string, unknown>>({
    KeyConditionExpression: 'PK = :pk',
    ExpressionAttributeValues: { ':pk': auditPk(estateId, businessDate(h.clock.now)) },
  });
  return rows.filter((r) => r['document'] === caseId);
}

describe('the period (pure rules)', () => {
  // Registered 2025-03-01 = day 1: period [2025-03-01, 2025-05-30), day 90 = 2025-05-29.
  const period = { start: '2025-03-01', end: '2025-05-30' };

  it('counts the registration date as day 1: day 90 is inside, day 91 is past', () => {
    expect(periodLastDay(period)).toBe('2025-05-29');
    expect(isPastPeriod(period, '2025-05-29')).toBe(false);
    expect(isPastPeriod(period, '2025-05-30')).toBe(true);
    expect(() => checkWithinPeriod({ caseId: 'X', period, extensions: [] }, '2025-05-29')).not.toThrow();
    expect(() => checkWithinPeriod({ caseId: 'X', period, extensions: [] }, '2025-05-30')).toThrow(
      ConflictError,
    );
  });

  it('wants an extension strictly after the current (exclusive) end, at most 365 days on', () => {
    expect(checkExtensionEnd(period, '2025-05-31')).toBe('2025-05-31');
    for (const until of ['2025-05-30', '2025-05-29', '2026-05-31']) {
      expect(() => checkExtensionEnd(period, until), until).toThrow(ValidationError);
      try {
        checkExtensionEnd(period, until);
      } catch (e) {
        expect((e as ValidationError).field).toBe('until');
      }
    }
  });
});

describe('overdue on the due list', () => {
  it('lists a case on day 90 as due, and from day 91 as overdue; an extension moves both days', async () => {
    const { estateId, cashier } = await estate();
    const c = await heldCase(estateId, '2025-03-01');
    expect(c.period).toEqual({ start: '2025-03-01', end: '2025-05-30' });

    expect(await dueOn(estateId, '2025-05-28')).toEqual([]);
    expect(await dueOn(estateId, '2025-05-29')).toEqual([[c.caseId, 'ACCEPTANCE', '2025-05-29', false]]);
    expect(await dueOn(estateId, '2025-05-30')).toEqual([[c.caseId, 'ACCEPTANCE', '2025-05-29', true]]);

    await extendRenovation(cashier, c.caseId, { until: '2025-06-30', reason: '业主申请延期' });
    expect(await dueOn(estateId, '2025-05-30')).toEqual([]);
    expect(await dueOn(estateId, '2025-06-29')).toEqual([[c.caseId, 'ACCEPTANCE', '2025-06-29', false]]);
    expect(await dueOn(estateId, '2025-06-30')).toEqual([[c.caseId, 'ACCEPTANCE', '2025-06-29', true]]);

    // A failed acceptance leaves the acceptance due; a pass replaces it by the re-inspection.
    await recordAcceptance(cashier, c.caseId, { date: '2025-06-10', passed: false });
    expect(await dueOn(estateId, '2025-07-01')).toEqual([[c.caseId, 'ACCEPTANCE', '2025-06-29', true]]);
    await recordAcceptance(cashier, c.caseId, { date: '2025-06-20', passed: true });
    expect(await dueOn(estateId, '2025-08-20')).toEqual([[c.caseId, 'REINSPECTION', '2025-08-20', false]]);
  });

  it('flags unpaid cases too, oldest first, and filters by kind', async () => {
    const { estateId, cashier } = await estate();
    const unit = await createUnit(h.ctx('admin', { estates: [estateId] }), estateId, {
      building: '9栋',
      room: String(++rooms),
      unitType: 'HIGH_RISE',
      area: '60.00',
      deliveryDate: '2024-06-01',
      ownerIds: ['owner-2'],
    });
    const unpaid = (await registerRenovation(cashier, { unitId: unit.unitId, cards: 1, date: '2025-02-01' }))
      .renovation;
    const held = await heldCase(estateId, '2025-03-01');
    const list = await listDueRenovations(cashier, estateId, {
      asOf: '2025-06-01',
      due: 'ACCEPTANCE',
      limit: 100,
    });
    expect(
      list.items.map((d) => [d.renovation.caseId, d.renovation.state, d.due.date, d.due.overdue]),
    ).toEqual([
      [unpaid.caseId, 'REGISTERED', '2025-05-01', true],
      [held.caseId, 'HELD', '2025-05-29', true],
    ]);
    const other = await listDueRenovations(cashier, estateId, {
      asOf: '2025-06-01',
      due: 'REFUND',
      limit: 100,
    });
    expect(other.items).toEqual([]);
  });
});

describe('acceptance and the period', () => {
  it('accepts on day 90 and refuses on day 91 with 409 RENOVATION_PERIOD_EXPIRED naming date, writing nothing', async () => {
    const { estateId, cashier } = await estate();
    const onTime = await heldCase(estateId, '2025-03-01');
    expect((await recordAcceptance(cashier, onTime.caseId, { date: '2025-05-29', passed: true })).state).toBe(
      'ACCEPTED',
    );

    const late = await heldCase(estateId, '2025-03-01');
    const before = await getRenovation(cashier, late.caseId);
    for (const passed of [true, false]) {
      const refused = recordAcceptance(cashier, late.caseId, { date: '2025-05-30', passed });
      await expect(refused).rejects.toBeInstanceOf(ConflictError);
      await expect(refused).rejects.toMatchObject({
        code: 'RENOVATION_PERIOD_EXPIRED',
        details: [{ field: 'date', date: '2025-05-30', lastDay: '2025-05-29', extensions: 0 }],
      });
    }
    expect(await getRenovation(cashier, late.caseId)).toEqual(before);
  });

  it('accepts after the original period once an extension is recorded, and only within it', async () => {
    const { estateId, cashier } = await estate();
    const c = await heldCase(estateId, '2025-03-01');
    // Recorded after the period ran out: the way to let a late acceptance through.
    await extendRenovation(cashier, c.caseId, { until: '2025-06-15', reason: '工期延误' });
    await expect(
      recordAcceptance(cashier, c.caseId, { date: '2025-06-15', passed: true }),
    ).rejects.toMatchObject({ code: 'RENOVATION_PERIOD_EXPIRED', details: [{ extensions: 1 }] });
    const accepted = await recordAcceptance(cashier, c.caseId, { date: '2025-06-14', passed: true });
    expect(accepted).toMatchObject({
      state: 'ACCEPTED',
      acceptedOn: '2025-06-14',
      reinspectionDue: '2025-08-14',
    });
  });
});

describe('the extension', () => {
  it('refuses an until not after the current end, or not a date, naming until', async () => {
    const { estateId, cashier } = await estate();
    const c = await heldCase(estateId, '2025-03-01');
    for (const until of ['2025-05-30', '2025-05-01', '2025-02-30', '30/06/2025']) {
      const attempt = extendRenovation(cashier, c.caseId, { until, reason: '延期' });
      await expect(attempt, until).rejects.toBeInstanceOf(ValidationError);
      await expect(attempt, until).rejects.toMatchObject({ field: 'until' });
    }
    expect((await getRenovation(cashier, c.caseId)).extensions).toEqual([]);
  });

  it('is audited in its transaction; an identical repeat (also racing) writes nothing more', async () => {
    const { estateId, cashier } = await estate();
    const c = await heldCase(estateId, '2025-03-01');
    const input = { until: '2025-07-01', reason: '业主出国，工期顺延' };
    const [a, b] = await Promise.all([
      extendRenovation(cashier, c.caseId, input),
      extendRenovation(h.ctx('cashier', { estates: [estateId], sub: 'cashier-2' }), c.caseId, input),
    ]);
    const again = await extendRenovation(cashier, c.caseId, input);
    for (const v of [a, b, again]) {
      expect(v.period).toEqual({ start: '2025-03-01', end: '2025-07-01' });
      expect(v.extensions).toHaveLength(1);
    }
    const stored = await getRenovation(cashier, c.caseId);
    expect(stored.extensions).toMatchObject([
      { previousEnd: '2025-05-30', end: '2025-07-01', reason: input.reason },
    ]);
    expect(stored.version).toBe(c.version + 1);

    const audit = (await auditOf(estateId, c.caseId)).filter((r) => r['action'] === 'RENOVATION_EXTENDED');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ reason: input.reason, actor: stored.extensions[0]!.recordedBy });
    expect(JSON.parse(audit[0]!['details'] as string)).toMatchObject({
      previousEnd: '2025-05-30',
      end: '2025-07-01',
      until: '2025-07-01',
    });

    // The same date with another reason is a new request: refused, as the end is no longer later.
    await expect(
      extendRenovation(cashier, c.caseId, { until: '2025-07-01', reason: '另一个理由' }),
    ).rejects.toMatchObject({ field: 'until', code: 'NOT_AFTER_PERIOD_END' });
    const next = await extendRenovation(cashier, c.caseId, {
      until: addDays('2025-07-01', 10),
      reason: '再延',
    });
    expect(next.extensions.map((e) => e.previousEnd)).toEqual(['2025-05-30', '2025-07-01']);
  });
});
