/**
 * The scheduled renewal run (functions/scheduler.ts) against DynamoDB Local: it finds every estate
 * with a unit waiting for renewal through the renewal index, renews each as of the run's business
 * date, is idempotent, and one failing estate neither stops the others nor goes unreported.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { handler, logger, RenewalRunFailed, renewEveryEstate } from '../../functions/scheduler.js';
import { createEstate } from '../../lib/billing/estates.js';
import { estateOfRenewalKey, estatesAwaitingRenewal } from '../../lib/billing/estates-list.js';
import { issueInvoice } from '../../lib/billing/invoices.js';
import { payInvoice } from '../../lib/billing/payments.js';
import { createUnit } from '../../lib/billing/units.js';
import { formatFen } from '../../lib/money.js';
import { gsi2 } from '../../lib/store/keys.js';
import { billingHarness, type Harness } from '../support/billing.js';
import { testEndpoint } from '../support/dynamo.js';

let h: Harness;
const silent = { info: () => {}, error: () => {} };
const deps = () => ({ db: h.db, now: () => h.clock.now });

/** A unit delivered on `delivery` whose first year is issued and paid. */
async function paidUnit(estateId: string, room: string, delivery: string) {
  const admin = h.ctx('admin', { estates: [estateId] });
  const cashier = h.ctx('cashier', { estates: [estateId] });
  const unit = await createUnit(admin, estateId, {
    building: '1栋',
    room,
    unitType: 'HIGH_RISE',
    area: '89.56',
    deliveryDate: delivery,
    ownerIds: ['owner-1'],
  });
  const inv = await issueInvoice(cashier, { unitId: unit.unitId, items: [{ type: 'PROPERTY_FEE' }] });
  await payInvoice(cashier, inv.invoiceNo, {
    channel: 'TRANSFER',
    amount: formatFen(inv.total),
    reference: 'T1',
  });
  return unit;
}

beforeAll(async () => {
  h = await billingHarness();
  h.clock.set('2024-03-20T10:00:00+08:00');
  for (const estateId of ['EAST', 'WEST', 'QUIET']) {
    await createEstate(h.ctx('admin', { estates: [estateId] }), { estateId, name: estateId });
  }
  // Paid through 2025-03-15, 04-10 and 04-20: renewals issuable from 2025-02-15, 03-10 and 03-20.
  await paidUnit('EAST', '101', '2024-03-15');
  await paidUnit('WEST', '201', '2024-03-15');
  await paidUnit('WEST', '202', '2024-04-10');
  await paidUnit('WEST', '203', '2024-04-20');
  // QUIET has a unit, but its first year is not even issued: nothing to renew.
  await createUnit(h.ctx('admin', { estates: ['QUIET'] }), 'QUIET', {
    building: '9栋',
    room: '901',
    unitType: 'APARTMENT',
    area: '45.33',
    deliveryDate: '2024-03-01',
    ownerIds: ['owner-9'],
  });
});

describe('estates awaiting renewal', () => {
  it('are read from the renewal index: estates with a paid unit, not every estate', async () => {
    expect(await estatesAwaitingRenewal(h.db)).toEqual(['EAST', 'WEST']);
  });

  it('are told apart from the other entries of that index', () => {
    expect(estateOfRenewalKey(gsi2.renewalDue('EAST'))).toBe('EAST');
    expect(estateOfRenewalKey(gsi2.openSessions('EAST'))).toBeUndefined();
    expect(estateOfRenewalKey(gsi2.renovationDue('EAST'))).toBeUndefined();
    expect(estateOfRenewalKey('ESTATE##RENEWAL')).toBeUndefined();
    expect(estateOfRenewalKey(42)).toBeUndefined();
  });
});

describe('the daily run', () => {
  it('renews what is due as of its business date, in every estate, once', async () => {
    // 2025-02-28 18:00 UTC is 02:00 on 1 March in Shanghai: the schedule's moment.
    h.clock.set('2025-02-28T18:00:00Z');
    const first = await renewEveryEstate(deps(), silent);
    expect(first.asOf).toBe('2025-03-01');
    expect(first.failed).toEqual([]);
    // EAST's unit is due (from 02-15); WEST's 201 too, 202 only from 03-10.
    expect(first.renewed).toEqual([
      { estateId: 'EAST', issued: 1, skipped: 0 },
      { estateId: 'WEST', issued: 1, skipped: 0 },
    ]);

    // An issued renewal takes its unit out of the index until it is paid: EAST has nothing left.
    const again = await renewEveryEstate(deps(), silent);
    expect(again.renewed).toEqual([{ estateId: 'WEST', issued: 0, skipped: 0 }]);

    h.clock.set('2025-03-10T02:00:00+08:00');
    const later = await renewEveryEstate(deps(), silent);
    expect(later.renewed).toEqual([{ estateId: 'WEST', issued: 1, skipped: 0 }]);
  });

  it('carries on past a failing estate, then fails the run so that the alarm fires and Lambda retries', async () => {
    // A renewal-index entry whose estate does not exist: runRenewals refuses it.
    await h.db.put({
      PK: 'UNIT#GHOST-U0001',
      SK: 'META',
      unitId: 'GHOST-U0001',
      paidThrough: '2025-03-15',
      GSI2PK: gsi2.renewalDue('GHOST'),
      GSI2SK: '2025-02-15#GHOST-U0001',
    });
    h.clock.set('2025-03-21T02:00:00+08:00');
    const errors: unknown[] = [];
    const summary = await renewEveryEstate(deps(), {
      info: () => {},
      error: (...a: unknown[]) => errors.push(a),
    });
    // GHOST comes first and fails; WEST (unit 203, due from 03-20) is still renewed after it.
    expect(summary.failed).toEqual([{ estateId: 'GHOST', error: expect.stringContaining('GHOST') }]);
    expect(summary.renewed).toEqual([{ estateId: 'WEST', issued: 1, skipped: 0 }]);
    expect(errors).toHaveLength(1);

    // The Lambda entry point itself, wired from the environment as in AWS (on the real clock).
    process.env['TABLE_NAME'] = h.table;
    process.env['DYNAMO_ENDPOINT'] = testEndpoint();
    logger.setLogLevel('SILENT');
    await expect(handler()).rejects.toBeInstanceOf(RenewalRunFailed);
  });
});
