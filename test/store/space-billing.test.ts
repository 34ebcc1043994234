/**
 * Issue #17 item 3 (SPEC.md §4.1): a space is billed from its own start, the start of the unit's
 * period in which it is registered (or of the next, if that one is paid); never before it, and
 * never for a unit without a space. Voiding or crediting an invoice leaves its space years billable.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { creditInvoice } from '../../lib/billing/credit-notes.js';
import { createEstate } from '../../lib/billing/estates.js';
import { getInvoice, issueInvoice, voidInvoice } from '../../lib/billing/invoices.js';
import { payInvoice } from '../../lib/billing/payments.js';
import { runRenewals } from '../../lib/billing/renewals.js';
import { createUnit, getUnit, listSpaces, registerSpace } from '../../lib/billing/units.js';
import { formatFen } from '../../lib/money.js';
import { key } from '../../lib/store/keys.js';
import { billingHarness, type Harness } from '../support/billing.js';

let h: Harness;
let rooms = 0;

beforeAll(async () => {
  h = await billingHarness();
  await createEstate(h.ctx('admin'), { estateId: 'DEMO', name: '示范小区' });
});

beforeEach(() => h.clock.set('2025-03-01T10:00:00+08:00'));

const cashier = () => h.ctx('cashier');

async function newUnit(deliveryDate: string) {
  return createUnit(h.ctx('admin'), 'DEMO', {
    building: '2栋',
    room: String(++rooms),
    unitType: 'HIGH_RISE',
    area: '89.56',
    deliveryDate,
    ownerIds: [],
  });
}

const space = (unitId: string, spaceNo: string) =>
  registerSpace(h.ctx('admin'), unitId, { spaceNo, kind: 'OWNED', plates: [] });

/** [fee, period start, amount] of each line. */
const lines = (inv: { lines: { type: string; period?: { start: string }; amount: bigint }[] }) =>
  inv.lines.map((l) => [l.type, l.period?.start, formatFen(l.amount)]);

describe('a unit without a registered space', () => {
  it('is never billed a space fee, not even with an explicit count', async () => {
    const unit = await newUnit('2025-02-15');
    for (const item of [
      { type: 'PARKING_SPACE_FEE' as const, spaces: 1 },
      { type: 'PARKING_SPACE_FEE' as const },
    ]) {
      await expect(
        issueInvoice(cashier(), { unitId: unit.unitId, items: [{ type: 'PROPERTY_FEE' }, item] }),
      ).rejects.toMatchObject({ problems: [{ field: 'items[1].spaces', code: 'NO_SPACES' }] });
    }
  });

  it('is refused a count other than the spaces it has', async () => {
    const unit = await newUnit('2025-02-15');
    await space(unit.unitId, 'S-2-1');
    await expect(
      issueInvoice(cashier(), { unitId: unit.unitId, items: [{ type: 'PARKING_SPACE_FEE', spaces: 2 }] }),
    ).rejects.toMatchObject({ problems: [{ field: 'items[0].spaces', code: 'SPACES_MISMATCH' }] });
  });
});

describe('a space registered years after delivery', () => {
  it('is billed from the period in which it was registered, not from delivery', async () => {
    const unit = await newUnit('2022-06-01');
    // 2025-03-01 lies in the period 2024-06-01..2025-06-01, unpaid.
    expect((await space(unit.unitId, 'S-3-1')).billFrom).toBe('2024-06-01');
    const inv = await issueInvoice(cashier(), {
      unitId: unit.unitId,
      items: [{ type: 'PROPERTY_FEE' }, { type: 'PARKING_SPACE_FEE' }],
    });
    expect(lines(inv)).toEqual([
      ['PROPERTY_FEE', '2022-06-01', '1934.50'],
      ['PROPERTY_FEE', '2023-06-01', '1934.50'],
      ['PROPERTY_FEE', '2024-06-01', '1934.50'],
      ['PARKING_SPACE_FEE', '2024-06-01', '360.00'],
    ]);
  });

  it('in a paid period is billed from the next one, alone or with the renewal', async () => {
    const unit = await newUnit('2025-02-15');
    const first = await issueInvoice(cashier(), { unitId: unit.unitId, items: [{ type: 'PROPERTY_FEE' }] });
    await payInvoice(cashier(), first.invoiceNo, { channel: 'CASH', amount: '1934.50' });
    h.clock.set('2025-05-01T10:00:00+08:00');
    expect((await space(unit.unitId, 'S-4-1')).billFrom).toBe('2026-02-15');
    // The paid period cannot be billed for it: asked alone, the space fee starts at its own start.
    const alone = await issueInvoice(cashier(), {
      unitId: unit.unitId,
      items: [{ type: 'PARKING_SPACE_FEE', periods: 1 }],
    });
    expect(lines(alone)).toEqual([['PARKING_SPACE_FEE', '2026-02-15', '360.00']]);
    await voidInvoice(cashier(), alone.invoiceNo, '随续费一起开');

    h.clock.set('2026-01-20T10:00:00+08:00');
    const run = await runRenewals(h.ctx('scheduler'), 'DEMO', '2026-01-20');
    expect(run.failed).toEqual([]);
    const renewals = await Promise.all(run.issued.map((no) => getInvoice(cashier(), no)));
    const renewal = renewals.find((i) => i.unitId === unit.unitId);
    expect(renewal && lines(renewal)).toEqual([
      ['PROPERTY_FEE', '2026-02-15', '1934.50'],
      ['PARKING_SPACE_FEE', '2026-02-15', '360.00'],
    ]);
  });

  it('is refused with the property fee of a period before its start, naming when it starts', async () => {
    const unit = await newUnit('2025-02-15');
    const first = await issueInvoice(cashier(), { unitId: unit.unitId, items: [{ type: 'PROPERTY_FEE' }] });
    await payInvoice(cashier(), first.invoiceNo, { channel: 'CASH', amount: '1934.50' });
    await space(unit.unitId, 'S-5-1');
    // Credited, period 2025 is billable again; the space registered while it was paid is not.
    await creditInvoice(cashier(), first.invoiceNo, '面积有误');
    const p = issueInvoice(cashier(), {
      unitId: unit.unitId,
      items: [{ type: 'PROPERTY_FEE', periods: 1 }, { type: 'PARKING_SPACE_FEE' }],
    });
    await expect(p).rejects.toMatchObject({
      problems: [
        {
          field: 'items[1].spaces',
          code: 'NO_BILLABLE_SPACE',
          message: expect.stringContaining('2026-02-15'),
        },
      ],
    });
    // Billed over two periods, only the second carries the space.
    const two = await issueInvoice(cashier(), {
      unitId: unit.unitId,
      items: [{ type: 'PROPERTY_FEE', periods: 2 }, { type: 'PARKING_SPACE_FEE' }],
    });
    expect(lines(two)).toEqual([
      ['PROPERTY_FEE', '2025-02-15', '1934.50'],
      ['PROPERTY_FEE', '2026-02-15', '1934.50'],
      ['PARKING_SPACE_FEE', '2026-02-15', '360.00'],
    ]);
  });

  it('counts per period: two spaces registered in different periods', async () => {
    const unit = await newUnit('2023-02-15');
    h.clock.set('2023-03-01T10:00:00+08:00');
    await space(unit.unitId, 'S-6-1');
    h.clock.set('2025-03-01T10:00:00+08:00');
    await space(unit.unitId, 'S-6-2');
    const inv = await issueInvoice(cashier(), {
      unitId: unit.unitId,
      items: [{ type: 'PROPERTY_FEE' }, { type: 'PARKING_SPACE_FEE' }],
    });
    expect(lines(inv).filter(([t]) => t === 'PARKING_SPACE_FEE')).toEqual([
      ['PARKING_SPACE_FEE', '2023-02-15', '360.00'],
      ['PARKING_SPACE_FEE', '2024-02-15', '360.00'],
      ['PARKING_SPACE_FEE', '2025-02-15', '720.00'],
    ]);
  });
});

describe('voided and credited space years', () => {
  it('are billable again, with the space, after a void and after a credit note', async () => {
    const unit = await newUnit('2024-02-15');
    h.clock.set('2024-03-01T10:00:00+08:00');
    await space(unit.unitId, 'S-7-1');
    h.clock.set('2025-03-01T10:00:00+08:00');
    const items = [{ type: 'PROPERTY_FEE' as const }, { type: 'PARKING_SPACE_FEE' as const }];
    const first = await issueInvoice(cashier(), { unitId: unit.unitId, items });
    const years = lines(first);
    expect(years.filter(([t]) => t === 'PARKING_SPACE_FEE')).toEqual([
      ['PARKING_SPACE_FEE', '2024-02-15', '360.00'],
      ['PARKING_SPACE_FEE', '2025-02-15', '360.00'],
    ]);
    await voidInvoice(cashier(), first.invoiceNo, '重开');
    const second = await issueInvoice(cashier(), { unitId: unit.unitId, items });
    expect(lines(second)).toEqual(years);
    await payInvoice(cashier(), second.invoiceNo, { channel: 'CASH', amount: formatFen(second.total) });
    expect((await getUnit(cashier(), unit.unitId)).paidThrough).toBe('2026-02-15');
    await creditInvoice(cashier(), second.invoiceNo, '红冲重开');
    expect((await getUnit(cashier(), unit.unitId)).paidThrough).toBeUndefined();
    const third = await issueInvoice(cashier(), { unitId: unit.unitId, items });
    expect(lines(third)).toEqual(years);
  });
});

describe('records written before this change', () => {
  it('a space without billFrom is billed from delivery, as it always was', async () => {
    const unit = await newUnit('2023-02-15');
    await h.db.put({
      ...key.space(unit.unitId, 'OLD-1'),
      type: 'SPACE',
      unitId: unit.unitId,
      estateId: 'DEMO',
      spaceNo: 'OLD-1',
      kind: 'USE_RIGHT',
      plates: [],
    });
    expect((await listSpaces(cashier(), unit.unitId))[0]!.billFrom).toBeUndefined();
    const inv = await issueInvoice(cashier(), {
      unitId: unit.unitId,
      items: [{ type: 'PARKING_SPACE_FEE' }],
    });
    expect(lines(inv).map(([, start]) => start)).toEqual(['2023-02-15', '2024-02-15', '2025-02-15']);
  });

  it('a unit without a billing version gets one from its claims at its first billing write', async () => {
    const unit = await newUnit('2024-02-15');
    const first = await issueInvoice(cashier(), {
      unitId: unit.unitId,
      items: [{ type: 'PROPERTY_FEE', periods: 1 }],
    });
    // As an older unit: no version, no mirror of its claims.
    await h.db.update({
      Key: key.unit(unit.unitId),
      UpdateExpression: 'REMOVE #v, propertyPeriods',
      ExpressionAttributeNames: { '#v': 'version' },
    });
    await payInvoice(cashier(), first.invoiceNo, { channel: 'CASH', amount: '1934.50' });
    const after = await getUnit(cashier(), unit.unitId);
    expect(after).toMatchObject({
      paidThrough: '2025-02-15',
      version: 1,
      propertyPeriods: { '2024-02-15': 'PAID' },
    });
  });
});
