import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { presentReceipt } from '../../lib/api/present.js';
import { creditInvoice } from '../../lib/billing/credit-notes.js';
import { createEstate } from '../../lib/billing/estates.js';
import { type IdempotencyHandle, withIdempotency } from '../../lib/billing/idempotency.js';
import { getInvoice, issueInvoice, voidInvoice } from '../../lib/billing/invoices.js';
import { getReceipt, payInvoice } from '../../lib/billing/payments.js';
import { runRenewals } from '../../lib/billing/renewals.js';
import { createUnit, getUnit, registerSpace } from '../../lib/billing/units.js';
import { ConflictError, UnavailableError, UnprocessableError } from '../../lib/errors.js';
import { formatFen } from '../../lib/money.js';
import { billingHarness, type Harness } from '../support/billing.js';

let h: Harness;

beforeAll(async () => {
  h = await billingHarness();
  await createEstate(h.ctx('admin'), { estateId: 'DEMO', name: '示范小区' });
});

beforeEach(() => h.clock.set('2025-03-01T10:00:00+08:00'));

async function newUnit(room: string, deliveryDate = '2025-02-15', area = '89.56') {
  return createUnit(h.ctx('admin'), 'DEMO', {
    building: '1栋',
    room,
    unitType: 'HIGH_RISE',
    area,
    deliveryDate,
    ownerIds: ['owner-1'],
  });
}

/** A counter payment under an Idempotency-Key, as the payments route makes it; `db` to inject faults. */
function payWithKey(
  idemKey: string,
  invoiceNo: string,
  body: { channel: 'CASH'; amount: string; tendered?: string },
  db = h.db,
) {
  const ctx = h.ctx('cashier', { db });
  return withIdempotency(
    ctx.db,
    ctx.now,
    { actor: ctx.actor.sub, key: idemKey, fingerprint: JSON.stringify(['pay', invoiceNo, body]) },
    async (handle: IdempotencyHandle) => {
      const receipt = await payInvoice(ctx, invoiceNo, body, {
        handle,
        present: (r) => ({ status: 201, body: presentReceipt(r as never) }),
      });
      return { status: 201, body: presentReceipt(receipt) };
    },
    () => undefined,
  );
}

describe('move-in: issue, pay, read', () => {
  it('bills the first period with the owned space, pays in cash with change, extends paid-through', async () => {
    const unit = await newUnit('101');
    await registerSpace(h.ctx('admin'), unit.unitId, {
      spaceNo: 'B1-001',
      kind: 'OWNED',
      plates: ['粤B12345'],
    });
    const inv = await issueInvoice(h.ctx('cashier'), {
      unitId: unit.unitId,
      items: [{ type: 'PROPERTY_FEE' }, { type: 'PARKING_SPACE_FEE' }],
    });
    expect(inv.invoiceNo).toMatch(/^DEMO-2025-\d{6}$/);
    expect(inv.lines.map((l) => [l.type, formatFen(l.amount), l.period?.start, l.period?.end])).toEqual([
      ['PROPERTY_FEE', '1934.50', '2025-02-15', '2026-02-15'],
      ['PARKING_SPACE_FEE', '360.00', '2025-02-15', '2026-02-15'],
    ]);
    expect(formatFen(inv.total)).toBe('2294.50');
    // Billed on 2025-03-01 for a period that began 2025-02-15: due on issue.
    expect(inv.dueDate).toBe('2025-03-01');

    const receipt = await payInvoice(h.ctx('cashier'), inv.invoiceNo, {
      channel: 'CASH',
      amount: '2294.50',
      tendered: '3000.00',
    });
    expect(formatFen(receipt.change!)).toBe('705.50');
    expect(receipt.receiptNo).toMatch(/^DEMO-R2025-\d{6}$/);
    expect((await getReceipt(h.ctx('cashier'), receipt.receiptNo)).invoiceNo).toBe(inv.invoiceNo);
    expect((await getUnit(h.ctx('cashier'), unit.unitId)).paidThrough).toBe('2026-02-15');

    const again = payInvoice(h.ctx('cashier'), inv.invoiceNo, { channel: 'CASH', amount: '2294.50' });
    await expect(again).rejects.toMatchObject({ code: 'ALREADY_PAID' });
    await expect(
      issueInvoice(h.ctx('cashier'), { unitId: unit.unitId, items: [{ type: 'PROPERTY_FEE', periods: 1 }] }),
    ).resolves.toMatchObject({ lines: [{ period: { start: '2026-02-15' } }] });
  });

  it('refuses a payment that is not the invoice total, and cash tendered below it', async () => {
    const unit = await newUnit('102');
    const inv = await issueInvoice(h.ctx('cashier'), {
      unitId: unit.unitId,
      items: [{ type: 'PROPERTY_FEE' }],
    });
    await expect(
      payInvoice(h.ctx('cashier'), inv.invoiceNo, { channel: 'CASH', amount: '1934.49' }),
    ).rejects.toMatchObject({
      field: 'amount',
      code: 'AMOUNT_MISMATCH',
    });
    await expect(
      payInvoice(h.ctx('cashier'), inv.invoiceNo, {
        channel: 'CASH',
        amount: '1934.50',
        tendered: '1000.00',
      }),
    ).rejects.toMatchObject({ field: 'tendered' });
    expect((await getInvoice(h.ctx('cashier'), inv.invoiceNo)).status).toBe('OPEN');
  });

  it('bills every elapsed period of a late move-in as its own line', async () => {
    const unit = await newUnit('103', '2022-06-01');
    const inv = await issueInvoice(h.ctx('cashier'), {
      unitId: unit.unitId,
      items: [{ type: 'PROPERTY_FEE' }],
    });
    expect(inv.lines.map((l) => l.period!.start)).toEqual(['2022-06-01', '2023-06-01', '2024-06-01']);
    expect(formatFen(inv.total)).toBe('5803.50');
  });

  it('bills a period at most once while its invoice is live; a void releases it', async () => {
    const unit = await newUnit('104');
    const first = await issueInvoice(h.ctx('cashier'), {
      unitId: unit.unitId,
      items: [{ type: 'PROPERTY_FEE', periods: 1 }],
    });
    // Asking for the same period explicitly is not possible through "next unbilled", so race two issues.
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () =>
        issueInvoice(h.ctx('cashier'), {
          unitId: unit.unitId,
          items: [{ type: 'PROPERTY_FEE', periods: 1 }],
        }),
      ),
    );
    const starts = results.flatMap((r) =>
      r.status === 'fulfilled' ? [r.value.lines[0]!.period!.start] : [],
    );
    expect(new Set(starts).size).toBe(starts.length);
    expect(starts).not.toContain(first.lines[0]!.period!.start);

    const voided = await voidInvoice(h.ctx('cashier'), first.invoiceNo, '面积录入错误');
    expect(voided.status).toBe('VOID');
    expect((await getInvoice(h.ctx('cashier'), first.invoiceNo)).invoiceNo).toBe(first.invoiceNo);
    const reissued = await issueInvoice(h.ctx('cashier'), {
      unitId: unit.unitId,
      items: [{ type: 'PROPERTY_FEE', periods: 1 }],
    });
    expect(reissued.lines[0]!.period).toEqual(first.lines[0]!.period);
    expect(reissued.invoiceNo).not.toBe(first.invoiceNo);
    await expect(voidInvoice(h.ctx('cashier'), first.invoiceNo, 'again')).rejects.toMatchObject({
      code: 'ALREADY_VOID',
    });
  });
});

describe('credit notes', () => {
  it('refuses to void a paid invoice and reverses it with a credit note, leaving the invoice unchanged', async () => {
    const unit = await newUnit('201');
    const inv = await issueInvoice(h.ctx('cashier'), {
      unitId: unit.unitId,
      items: [{ type: 'PROPERTY_FEE' }],
    });
    await payInvoice(h.ctx('cashier'), inv.invoiceNo, { channel: 'TRANSFER', amount: '1934.50' });
    await expect(voidInvoice(h.ctx('cashier'), inv.invoiceNo, 'x')).rejects.toMatchObject({
      code: 'INVOICE_PAID',
    });
    const note = await creditInvoice(h.ctx('cashier'), inv.invoiceNo, '业主退房');
    expect(note.creditNoteNo).toMatch(/^DEMO-C2025-\d{6}$/);
    expect(formatFen(note.total)).toBe('-1934.50');
    const after = await getInvoice(h.ctx('cashier'), inv.invoiceNo);
    expect(after.lines).toEqual(inv.lines);
    expect(after.total).toBe(inv.total);
    expect(after).toMatchObject({ status: 'CREDITED', creditNoteNo: note.creditNoteNo });
    expect((await getUnit(h.ctx('cashier'), unit.unitId)).paidThrough).toBeUndefined();
    await expect(creditInvoice(h.ctx('cashier'), inv.invoiceNo, 'again')).rejects.toMatchObject({
      code: 'ALREADY_CREDITED',
    });
  });
});

describe('gapless numbers under concurrency', () => {
  it('200 invoices with 16 in flight from 4 processes are numbered 1..200, and their 200 receipts too', async () => {
    await createEstate(h.ctx('admin'), { estateId: 'GAP', name: 'gapless' });
    const unit = await createUnit(h.ctx('admin'), 'GAP', {
      building: '1',
      room: '1',
      unitType: 'APARTMENT',
      area: '45.33',
      deliveryDate: '2025-01-01',
      ownerIds: [],
    });
    // Four Db instances stand for four Lambda processes: within one, writers take turns; between
    // them only the conditional counter keeps the numbers apart.
    const processes = Array.from({ length: 4 }, () =>
      h.ctx('cashier', { estates: ['GAP'], db: h.dbWith({}) }),
    );
    const ctxFor = (i: number) => processes[i % processes.length]!;
    const invoiceNos = await inFlight(200, 16, (i) =>
      issueInvoice(ctxFor(i), { unitId: unit.unitId, items: [{ type: 'RENOVATION_WASTE' }] }).then(
        (i) => i.invoiceNo,
      ),
    );
    expect(invoiceNos.map((n) => Number(n.slice(-6))).sort((a, b) => a - b)).toEqual(range(200));
    const receiptNos = await inFlight(200, 16, (i) =>
      payInvoice(ctxFor(i), invoiceNos[i]!, { channel: 'CASH', amount: '226.65' }).then((r) => r.receiptNo),
    );
    expect(receiptNos.map((n) => Number(n.slice(-6))).sort((a, b) => a - b)).toEqual(range(200));
  }, 120_000);
});

describe('idempotency and double payment', () => {
  it('20 concurrent payments under 20 keys: exactly one succeeds, the rest conflict', async () => {
    const unit = await newUnit('301');
    const inv = await issueInvoice(h.ctx('cashier'), {
      unitId: unit.unitId,
      items: [{ type: 'PROPERTY_FEE' }],
    });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        payWithKey(`k-${i}-${inv.invoiceNo}`, inv.invoiceNo, { channel: 'CASH', amount: '1934.50' }),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    expect(ok).toHaveLength(1);
    for (const r of results.filter((x) => x.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    }
  });

  it('one key: one payment, identical replays, and a different body under the same key is refused', async () => {
    const unit = await newUnit('302');
    const inv = await issueInvoice(h.ctx('cashier'), {
      unitId: unit.unitId,
      items: [{ type: 'PROPERTY_FEE' }],
    });
    const body = { channel: 'CASH' as const, amount: '1934.50', tendered: '2000.00' };
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => payWithKey(`same-${inv.invoiceNo}`, inv.invoiceNo, body)),
    );
    const bodies = results.flatMap((r) => (r.status === 'fulfilled' ? [JSON.stringify(r.value.body)] : []));
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'REQUEST_IN_PROGRESS' });
    }
    const replay = await payWithKey(`same-${inv.invoiceNo}`, inv.invoiceNo, body);
    expect(replay.replayed).toBe(true);
    expect(new Set([...bodies, JSON.stringify(replay.body)]).size).toBe(1);
    expect((replay.body as { change: string }).change).toBe('65.50');

    const different = payWithKey(`same-${inv.invoiceNo}`, inv.invoiceNo, { ...body, tendered: '5000.00' });
    await expect(different).rejects.toBeInstanceOf(UnprocessableError);
    const after = await getInvoice(h.ctx('cashier'), inv.invoiceNo);
    expect(after.receiptNo).toBe((replay.body as { receiptNo: string }).receiptNo);
  });
});

describe('idempotency records', () => {
  it('remember the answer even when a service did not complete the key in its own transaction', async () => {
    let runs = 0;
    const call = () =>
      withIdempotency(
        h.db,
        () => h.clock.now,
        { actor: 'x', key: 'no-handle', fingerprint: 'f' },
        async () => {
          runs++;
          return { status: 201, body: { n: runs } };
        },
        () => undefined,
      );
    const first = await call();
    const second = await call();
    expect(runs).toBe(1);
    expect(second).toEqual({ ...first, replayed: true });
  });

  it('store a domain refusal as the answer, but release the key after a store failure', async () => {
    let runs = 0;
    const refuse = () =>
      withIdempotency(
        h.db,
        () => h.clock.now,
        { actor: 'x', key: 'refused', fingerprint: 'f' },
        async () => {
          runs++;
          throw new ConflictError('NOPE', 'no');
        },
        () => ({ status: 409, body: { error: 'NOPE' } }),
      );
    await expect(refuse()).rejects.toBeInstanceOf(ConflictError);
    expect(await refuse()).toEqual({ status: 409, body: { error: 'NOPE' }, replayed: true });
    expect(runs).toBe(1);

    let attempts = 0;
    const flaky = () =>
      withIdempotency(
        h.db,
        () => h.clock.now,
        { actor: 'x', key: 'flaky', fingerprint: 'f' },
        async () => {
          attempts++;
          if (attempts === 1) throw new UnavailableError('down');
          return { status: 201, body: { ok: true } };
        },
        () => undefined,
      );
    await expect(flaky()).rejects.toBeInstanceOf(UnavailableError);
    expect(await flaky()).toEqual({ status: 201, body: { ok: true }, replayed: false });
  });
});

describe('renewals', () => {
  it('a run twice, and twice at once, issues each due renewal once', async () => {
    await createEstate(h.ctx('admin'), { estateId: 'REN', name: 'renewals' });
    const ctx = h.ctx('cashier', { estates: ['REN'] });
    const units = [];
    for (const [room, delivery] of [
      ['1', '2024-03-20'],
      ['2', '2024-04-10'],
      ['3', '2024-05-20'],
    ] as const) {
      const u = await createUnit(h.ctx('admin'), 'REN', {
        building: 'A',
        room,
        unitType: 'APARTMENT',
        area: '45.33',
        deliveryDate: delivery,
        ownerIds: [],
      });
      h.clock.set(`${delivery}T09:00:00+08:00`);
      const inv = await issueInvoice(ctx, { unitId: u.unitId, items: [{ type: 'PROPERTY_FEE' }] });
      await payInvoice(ctx, inv.invoiceNo, { channel: 'CASH', amount: '1196.71' });
      units.push(u);
    }
    h.clock.set('2025-03-25T02:00:00+08:00');
    // Due from 2025-02-20 and 2025-03-10; the third (2025-04-20) is not yet due.
    const [a, b] = await Promise.all([
      runRenewals(ctx, 'REN', '2025-03-25'),
      runRenewals(ctx, 'REN', '2025-03-25'),
    ]);
    expect(a.issued.length + b.issued.length).toBe(2);
    const again = await runRenewals(ctx, 'REN', '2025-03-25');
    expect(again.issued).toEqual([]);
    const renewal = await getInvoice(ctx, [...a.issued, ...b.issued].sort()[0]!);
    expect(renewal.lines[0]!.period).toEqual({ start: '2025-03-20', end: '2026-03-20' });
    // Issued after its period began (the run is late), so due on the day it was issued.
    expect(renewal.dueDate).toBe('2025-03-25');
  });
});

describe('store faults', () => {
  it('an injected TransactionConflict is retried and the series stays gapless', async () => {
    await createEstate(h.ctx('admin'), { estateId: 'FLT', name: 'faults' });
    const unit = await createUnit(h.ctx('admin'), 'FLT', {
      building: 'A',
      room: '1',
      unitType: 'APARTMENT',
      area: '45.33',
      deliveryDate: '2025-01-01',
      ownerIds: [],
    });
    let injected = 0;
    const db = h.dbWith({
      faults: (op, phase) => {
        if (op === 'transact' && phase === 'before' && injected < 3) {
          injected++;
          throw Object.assign(new Error('conflict'), {
            name: 'TransactionCanceledException',
            CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }],
          });
        }
      },
    });
    const ctx = h.ctx('cashier', { db, estates: ['FLT'] });
    const nos = [];
    for (let i = 0; i < 3; i++)
      nos.push(
        (await issueInvoice(ctx, { unitId: unit.unitId, items: [{ type: 'RENOVATION_WASTE' }] })).invoiceNo,
      );
    expect(injected).toBe(3);
    expect(nos).toEqual(['FLT-2025-000001', 'FLT-2025-000002', 'FLT-2025-000003']);
  });

  it('a payment cancelled by the store leaves nothing; the retry with the same key pays once', async () => {
    const unit = await newUnit('401');
    const inv = await issueInvoice(h.ctx('cashier'), {
      unitId: unit.unitId,
      items: [{ type: 'PROPERTY_FEE' }],
    });
    const failing = h.dbWith({
      maxAttempts: 2,
      faults: (op, phase) => {
        if (op === 'transact' && phase === 'before')
          throw Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
      },
    });
    const body = { channel: 'CASH' as const, amount: '1934.50' };
    const attempt = payWithKey(`fault-${inv.invoiceNo}`, inv.invoiceNo, body, failing);
    await expect(attempt).rejects.toBeInstanceOf(UnavailableError);
    expect((await getInvoice(h.ctx('cashier'), inv.invoiceNo)).status).toBe('OPEN');

    const retry = await payWithKey(`fault-${inv.invoiceNo}`, inv.invoiceNo, body);
    expect(retry.status).toBe(201);
    expect((await getInvoice(h.ctx('cashier'), inv.invoiceNo)).receiptNo).toBe(
      (retry.body as { receiptNo: string }).receiptNo,
    );
  });

  it('a client timing out after DynamoDB committed: the payment stands once and the retry replays it', async () => {
    const unit = await newUnit('402');
    const inv = await issueInvoice(h.ctx('cashier'), {
      unitId: unit.unitId,
      items: [{ type: 'PROPERTY_FEE' }],
    });
    let committedThenLost = false;
    const flaky = h.dbWith({
      maxAttempts: 1,
      faults: (op, phase) => {
        if (op === 'transact' && phase === 'after' && !committedThenLost) {
          committedThenLost = true;
          throw Object.assign(new Error('socket timeout'), { name: 'TimeoutError' });
        }
      },
    });
    const run = (db: typeof flaky) =>
      payWithKey(`lost-${inv.invoiceNo}`, inv.invoiceNo, { channel: 'CASH', amount: '1934.50' }, db);
    const first = await run(flaky);
    expect(committedThenLost).toBe(true);
    // The idempotency layer noticed the commit behind the error and answered with the stored response.
    expect(first.replayed).toBe(true);
    const second = await run(h.db);
    expect(second.body).toEqual(first.body);
    const receiptNo = (first.body as { receiptNo: string }).receiptNo;
    expect((await getInvoice(h.ctx('cashier'), inv.invoiceNo)).receiptNo).toBe(receiptNo);
  });

  it('the idempotency lock taken but its answer lost: the retried put finds its own lock and the payment goes on', async () => {
    const unit = await newUnit('403');
    const inv = await issueInvoice(h.ctx('cashier'), {
      unitId: unit.unitId,
      items: [{ type: 'PROPERTY_FEE' }],
    });
    let lockAnswerLost = false;
    const flaky = h.dbWith({
      maxAttempts: 3,
      baseDelayMs: 1,
      faults: (op, phase) => {
        // The first put of the request is the idempotency lock: applied, then its answer lost.
        if (op === 'put' && phase === 'after' && !lockAnswerLost) {
          lockAnswerLost = true;
          throw Object.assign(new Error('socket timeout'), { name: 'TimeoutError' });
        }
      },
    });
    const result = await payWithKey(
      `lock-lost-${inv.invoiceNo}`,
      inv.invoiceNo,
      { channel: 'CASH', amount: '1934.50' },
      flaky,
    );
    expect(lockAnswerLost).toBe(true);
    expect(result).toMatchObject({ status: 201, replayed: false });
    expect((await getInvoice(h.ctx('cashier'), inv.invoiceNo)).receiptNo).toBe(
      (result.body as { receiptNo: string }).receiptNo,
    );
  });
});

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

async function inFlight<T>(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<T>,
): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        out[i] = await task(i);
      }
    }),
  );
  return out;
}
