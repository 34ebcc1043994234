/**
 * Issue #17 item 9: payments, credit notes, voids and the renewal job of one unit, interleaved so
 * that each reads before the others commit. Every request runs on a Db of its own whose first
 * transaction is held until the test releases it; the test releases them in a chosen order. Then
 * the unit's paid-through date must be the end of the contiguous run of paid periods, and its
 * renewal entry must follow from it.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Ctx } from '../../lib/billing/context.js';
import { creditInvoice } from '../../lib/billing/credit-notes.js';
import { createEstate } from '../../lib/billing/estates.js';
import { getInvoice, issueInvoice, liveClaims, voidInvoice } from '../../lib/billing/invoices.js';
import { payInvoice } from '../../lib/billing/payments.js';
import { runRenewals } from '../../lib/billing/renewals.js';
import { createUnit, getUnit } from '../../lib/billing/units.js';
import { ConflictError, ValidationError } from '../../lib/errors.js';
import { annualPeriod, renewalIssueFrom } from '../../lib/fees/periods.js';
import { formatFen } from '../../lib/money.js';
import { Db } from '../../lib/store/db.js';
import { claimOwner, key } from '../../lib/store/keys.js';
import { billingHarness, type Harness } from '../support/billing.js';
import { testDocumentClient } from '../support/dynamo.js';
import { holdFirstTransact } from '../support/store-middleware.js';

let h: Harness;
let estates = 0;

beforeAll(async () => {
  h = await billingHarness();
});

const DELIVERY = '2024-03-20';
const period = (k: number) => annualPeriod(DELIVERY, k);

/** A unit of its own estate (the renewal job reads a whole estate), with its k-th period invoices. */
async function unitWithInvoices(n: number) {
  const estateId = `R${++estates}`;
  await createEstate(h.ctx('admin', { estates: [estateId] }), { estateId, name: 'races' });
  const ctx = h.ctx('cashier', { estates: [estateId] });
  const unit = await createUnit(h.ctx('admin', { estates: [estateId] }), estateId, {
    building: 'A',
    room: '1',
    unitType: 'APARTMENT',
    area: '45.33',
    deliveryDate: DELIVERY,
    ownerIds: [],
  });
  const invoices: string[] = [];
  for (let k = 0; k < n; k++) {
    const inv = await issueInvoice(ctx, {
      unitId: unit.unitId,
      items: [{ type: 'PROPERTY_FEE', periods: 1 }],
    });
    expect(inv.lines[0]!.period).toEqual(period(k));
    invoices.push(inv.invoiceNo);
  }
  return { estateId, unitId: unit.unitId, invoices };
}

type Op = { kind: 'pay' | 'credit' | 'void'; k: number } | { kind: 'renewal' } | { kind: 'issue' };

/** Runs `op` as its own "process"; what it read is held stale until the test releases it. */
function start(estateId: string, unitId: string, invoices: string[], op: Op) {
  const doc = testDocumentClient();
  const gate = holdFirstTransact(doc);
  const ctx: Ctx = {
    ...h.ctx(op.kind === 'renewal' ? 'scheduler' : 'cashier', { estates: [estateId] }),
    db: new Db(doc, h.table),
  };
  const run = async (): Promise<unknown> => {
    switch (op.kind) {
      case 'pay': {
        const inv = await getInvoice(ctx, invoices[op.k]!);
        return payInvoice(ctx, inv.invoiceNo, { channel: 'CASH', amount: formatFen(inv.total) });
      }
      case 'credit':
        return creditInvoice(ctx, invoices[op.k]!, '红冲');
      case 'void':
        return voidInvoice(ctx, invoices[op.k]!, '作废');
      case 'renewal': {
        const run = await runRenewals(ctx, estateId, '2025-03-01');
        expect(run.failed).toEqual([]);
        return run;
      }
      case 'issue':
        return issueInvoice(ctx, { unitId, items: [{ type: 'PROPERTY_FEE', periods: 1 }] });
    }
  };
  const done = run();
  // Ready once its first transaction waits, or once it ended without one (a refusal).
  const ready = Promise.race([
    gate.arrived,
    done.then(
      () => undefined,
      () => undefined,
    ),
  ]);
  return { op, done, ready, release: gate.release };
}

/** Starts the ops together, lets each read, then commits them one by one in `order`. */
async function interleave(estateId: string, unitId: string, invoices: string[], ops: Op[], order: number[]) {
  const started = ops.map((op) => start(estateId, unitId, invoices, op));
  await Promise.all(started.map((s) => s.ready));
  const outcomes: PromiseSettledResult<unknown>[] = [];
  for (const i of order) {
    started[i]!.release();
    outcomes[i] = (await Promise.allSettled([started[i]!.done]))[0]!;
  }
  for (const [i, o] of outcomes.entries()) {
    // Only a domain refusal (paying a voided invoice, crediting an unpaid one) may fail an op.
    if (o.status === 'rejected') {
      expect(o.reason, `${JSON.stringify(ops[i])}: ${String(o.reason)}`).toSatisfy(
        (e: unknown) => e instanceof ConflictError || e instanceof ValidationError,
      );
    }
  }
  return outcomes;
}

/** The unit's paid-through date and renewal entry, against what its claims say they must be. */
async function expectConsistent(unitId: string) {
  const ctx = h.ctx('cashier');
  const [unit, item, claims] = await Promise.all([
    getUnit(ctx, unitId),
    h.db.get(key.unit(unitId)),
    liveClaims(h.db, claimOwner.unit(unitId), 'PROPERTY_FEE'),
  ]);
  let expected: string | undefined;
  for (let k = 0; claims.get(period(k).start) === 'PAID'; k++) expected = period(k).end;
  expect(unit.paidThrough, `claims ${JSON.stringify([...claims])}`).toBe(expected);
  const due = expected && !claims.has(expected) ? `${renewalIssueFrom(expected)}#${unitId}` : undefined;
  expect(item?.['GSI2SK'], 'renewal index').toBe(due);
  expect(unit.propertyPeriods).toEqual(Object.fromEntries(claims));
}

describe('paid-through under interleaved writes', () => {
  // Two payments, or two credit notes, of one estate also race for the same number series, whose
  // counter alone serialises them; the pairs below use different series, or none.
  it('a credit note and a payment of the neighbouring period', async () => {
    const { estateId, unitId, invoices } = await unitWithInvoices(2);
    const ctx = h.ctx('cashier', { estates: [estateId] });
    await payInvoice(ctx, invoices[1]!, { channel: 'CASH', amount: '1196.71' });
    // Period 1 paid ahead of period 0: nothing is paid through yet. Crediting period 1 changes
    // nothing either, but the payment of period 0 read period 1 as paid.
    await interleave(
      estateId,
      unitId,
      invoices,
      [
        { kind: 'pay', k: 0 },
        { kind: 'credit', k: 1 },
      ],
      [0, 1],
    );
    expect((await getUnit(ctx, unitId)).paidThrough).toBe(period(0).end);
    await expectConsistent(unitId);
  });

  it('a void and a payment: the renewal entry follows the paid-through date the payment made', async () => {
    const { estateId, unitId, invoices } = await unitWithInvoices(3);
    const ctx = h.ctx('cashier', { estates: [estateId] });
    await payInvoice(ctx, invoices[0]!, { channel: 'CASH', amount: '1196.71' });
    // The void read paid-through 2025-03-20; the payment of period 1 moved it to 2026-03-20 first.
    await interleave(
      estateId,
      unitId,
      invoices,
      [
        { kind: 'void', k: 2 },
        { kind: 'pay', k: 1 },
      ],
      [1, 0],
    );
    expect((await getUnit(ctx, unitId)).paidThrough).toBe(period(1).end);
    await expectConsistent(unitId);
    // So the renewal job as of the old entry's date finds nothing due: no invoice a year ahead.
    const run = await runRenewals(h.ctx('scheduler', { estates: [estateId] }), estateId, '2025-03-01');
    expect(run.issued).toEqual([]);
  });

  it('property: any interleaving of pay, credit note, void, renewal and issue keeps paid-through right', async () => {
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constantFrom('pay' as const, 'credit' as const, 'void' as const), k: fc.nat(2) }),
      fc.constant({ kind: 'renewal' as const }),
      fc.constant({ kind: 'issue' as const }),
    );
    const scenario = fc
      .record({
        paid: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
        ops: fc.array(op, { minLength: 2, maxLength: 4 }),
      })
      .chain((s) =>
        fc
          .shuffledSubarray(
            s.ops.map((_, i) => i),
            { minLength: s.ops.length, maxLength: s.ops.length },
          )
          .map((order) => ({ ...s, order })),
      );
    await fc.assert(
      fc.asyncProperty(scenario, async ({ paid, ops, order }) => {
        const { estateId, unitId, invoices } = await unitWithInvoices(3);
        const ctx = h.ctx('cashier', { estates: [estateId] });
        for (const [k, isPaid] of paid.entries()) {
          if (isPaid) await payInvoice(ctx, invoices[k]!, { channel: 'CASH', amount: '1196.71' });
        }
        await expectConsistent(unitId);
        await interleave(estateId, unitId, invoices, ops, order);
        await expectConsistent(unitId);
      }),
      { numRuns: 20 },
    );
  }, 300_000);
});
