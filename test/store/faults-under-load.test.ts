/**
 * Issue #9's reliability audit at small scale: 16 clients pay invoices through the real dispatcher
 * while the store throttles, cancels transactions and loses answers after committing. Clients see
 * only 201, 409 or 503; afterwards every invoice is paid exactly once, every series is gapless and
 * the ledger equals the documents.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../lib/api/dispatch.js';
import { router } from '../../lib/api/routes.js';
import { createEstate } from '../../lib/billing/estates.js';
import { issueInvoice } from '../../lib/billing/invoices.js';
import { createUnit } from '../../lib/billing/units.js';
import { billingHarness, type Harness } from '../support/billing.js';
import { auditStore } from '../support/store-audit.js';
import type { FaultInjector } from '../support/store-middleware.js';

let h: Harness;
const INVOICES = 32;
let invoiceNos: string[] = [];

/** A small seeded PRNG so a failing run can be replayed. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function faults(seed: number): { inject: FaultInjector; seen: Record<string, number> } {
  const rnd = prng(seed);
  const seen: Record<string, number> = { throttle: 0, conflict: 0, lostAnswer: 0 };
  const fail = (name: string, extra: Record<string, unknown> = {}) =>
    Object.assign(new Error(name), { name, ...extra });
  return {
    seen,
    inject(op, phase) {
      const r = rnd();
      // Each kind also strikes at its first chance, so a run never goes without one of them.
      if (phase === 'before' && (r < 0.12 || seen['throttle'] === 0)) {
        seen['throttle']!++;
        throw fail('ThrottlingException');
      }
      if (op === 'transact' && phase === 'before' && (r < 0.22 || seen['conflict'] === 0)) {
        seen['conflict']!++;
        throw fail('TransactionCanceledException', {
          CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }],
        });
      }
      if (op === 'transact' && phase === 'after' && (r < 0.08 || seen['lostAnswer'] === 0)) {
        seen['lostAnswer']!++;
        throw fail('TimeoutError');
      }
    },
  };
}

function payEvent(invoiceNo: string, key: string): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    rawPath: `/v1/invoices/${invoiceNo}/payments`,
    headers: { 'idempotency-key': key, 'content-type': 'application/json' },
    requestContext: {
      http: { method: 'POST', path: `/v1/invoices/${invoiceNo}/payments` },
      authorizer: {
        jwt: { claims: { sub: 'cashier-1', 'cognito:groups': '[cashier]', 'custom:estates': 'LOAD' } },
      },
    },
    body: JSON.stringify({ channel: 'CASH', amount: '226.65', tendered: '300.00' }),
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
}

beforeAll(async () => {
  h = await billingHarness();
  await createEstate(h.ctx('admin', { estates: ['LOAD'] }), { estateId: 'LOAD', name: 'load' });
  const unit = await createUnit(h.ctx('admin', { estates: ['LOAD'] }), 'LOAD', {
    building: 'A',
    room: '1',
    unitType: 'APARTMENT',
    area: '45.33',
    deliveryDate: '2025-01-01',
    ownerIds: [],
  });
  const ctx = h.ctx('cashier', { estates: ['LOAD'] });
  invoiceNos = [];
  for (let i = 0; i < INVOICES; i++) {
    invoiceNos.push(
      (await issueInvoice(ctx, { unitId: unit.unitId, items: [{ type: 'RENOVATION_WASTE' }] })).invoiceNo,
    );
  }
});

describe('payments under injected store faults', () => {
  it('answer only 201, 409 or 503, and leave every invoice paid once with gapless receipts', async () => {
    const { inject, seen } = faults(20251122);
    // Four "processes" (Db instances) sharing the fault stream, with a short retry budget. Which
    // requests exhaust it depends on how the clients interleave, so client 0 has a process of its
    // own whose first three lock puts (the attempts of its first lock; the payment's reads overlap
    // them) are throttled: at least one request certainly answers 503, before it has taken anything.
    let forced = 3;
    const dbs = Array.from({ length: 4 }, (_, i) =>
      h.dbWith({
        maxAttempts: 3,
        faults:
          i > 0
            ? inject
            : (op, phase) => {
                if (forced > 0 && phase === 'before' && op === 'put') {
                  forced--;
                  seen['throttle']!++;
                  throw Object.assign(new Error('ThrottlingException'), { name: 'ThrottlingException' });
                }
                inject(op, phase);
              },
      }),
    );
    const statuses: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async (_, client) => {
        while (next < INVOICES * 2) {
          // Every invoice is paid by two clients with different keys (a double submission).
          const n = next++;
          const invoiceNo = invoiceNos[n % INVOICES]!;
          const key = `c${n}-${invoiceNo}`;
          for (let attempt = 0; attempt < 12; attempt++) {
            const { response } = await dispatch(router, payEvent(invoiceNo, key), {
              db: dbs[client === 0 ? 0 : 1 + (client % 3)]!,
              now: () => h.clock.now,
            });
            statuses.push(response.statusCode!);
            if (
              response.statusCode !== 503 &&
              JSON.parse(response.body!).error?.code !== 'REQUEST_IN_PROGRESS'
            )
              break;
            await new Promise((r) => setTimeout(r, 5));
          }
        }
      }),
    );

    expect(statuses.filter((s) => ![201, 409, 503].includes(s))).toEqual([]);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(INVOICES);
    expect(statuses).toContain(503);
    expect(seen['throttle']).toBeGreaterThan(0);
    expect(seen['conflict']).toBeGreaterThan(0);
    expect(seen['lostAnswer']).toBeGreaterThan(0);

    const report = await auditStore(h.db);
    expect(report.problems).toEqual([]);
    expect(report.counts.receipts).toBe(INVOICES);
  }, 120_000);

  it('the audit notices a broken store (it can fail)', async () => {
    const other = await billingHarness();
    await createEstate(other.ctx('admin', { estates: ['BAD'] }), { estateId: 'BAD', name: 'bad' });
    const unit = await createUnit(other.ctx('admin', { estates: ['BAD'] }), 'BAD', {
      building: 'A',
      room: '1',
      unitType: 'APARTMENT',
      area: '45.33',
      deliveryDate: '2025-01-01',
      ownerIds: [],
    });
    const inv = await issueInvoice(other.ctx('cashier', { estates: ['BAD'] }), {
      unitId: unit.unitId,
      items: [{ type: 'RENOVATION_WASTE' }],
    });
    expect((await auditStore(other.db)).problems).toEqual([]);
    // A receipt written outside the services: a second payment and a gap in the series.
    await other.db.put({
      PK: 'RECEIPT#BAD-R2025-000002',
      SK: 'META',
      type: 'RECEIPT',
      receiptNo: 'BAD-R2025-000002',
      invoiceNo: inv.invoiceNo,
      amount: inv.total,
    });
    await other.db.put({ PK: 'ESTATE#BAD', SK: 'SEQ#RCP#2025', last: 2 });
    const problems = (await auditStore(other.db)).problems.join('\n');
    expect(problems).toMatch(/is OPEN with 1 receipts/);
    expect(problems).toMatch(/series RCP BAD 2025/);
    expect(problems).toMatch(/ledger: receipts of BAD-R2025-000002/);
  });
});
