/**
 * Issue #23: POST /v1/parking/rentals takes an Idempotency-Key like invoices and payments do. A
 * double click or a lost answer at the counter replays the first invoice; it never bills the plate
 * a second rental, and a key reused for another rental is refused (422), not silently replayed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEstate } from '../../lib/billing/estates.js';
import { type ApiHarness, isErrorBody } from '../support/api.js';
import { paymentHarness } from '../support/payments.js';

let h: ApiHarness;
let cashier = '';
const E = 'DEMO';

beforeAll(async () => {
  h = (await paymentHarness()).h;
  await createEstate(h.ctx('admin'), { estateId: E, name: '示范花园' });
  cashier = await h.token('cashier');
});

afterAll(() => h?.close());

function expectError(res: { status: number; json: unknown }, status: number, code: string, field?: string) {
  expect(res.status, JSON.stringify(res.json)).toBe(status);
  expect(isErrorBody(res.json)).toBe(true);
  const error = (res.json as { error: { code: string; details: { field?: string; code: string }[] } }).error;
  if (field) expect(error.details[0]).toMatchObject({ field, code });
  else expect(error.code).toBe(code);
}

const rent = (body: Record<string, unknown>, key?: string) =>
  h.call('POST', '/v1/parking/rentals', {
    token: cashier,
    ...(key ? { headers: { 'idempotency-key': key } } : {}),
    body: { estateId: E, rentalKind: 'SHARED', startDate: '2025-03-01', months: 1, ...body },
  });

/** The invoices in the table (one item per invoice number). */
async function invoiceCount(): Promise<number> {
  const items = await h.scan();
  return items.filter((i) => i['PK']?.S?.startsWith('INVOICE#') && i['SK']?.S === 'META').length;
}

describe('rentals under an Idempotency-Key', () => {
  it('no key: 400 naming the header, nothing written', async () => {
    h.clock.now = Date.parse('2025-03-01T09:00:00+08:00');
    const before = await h.scan();
    expectError(await rent({ plate: '粤B12121' }), 400, 'IDEMPOTENCY_KEY_REQUIRED', 'Idempotency-Key');
    expect(await h.scan()).toEqual(before);
  });

  it('same key and body: the same invoice replayed, one rental; same key, other body: 422; new key: 409 overlap', async () => {
    h.clock.now = Date.parse('2025-03-01T09:00:00+08:00');
    const invoicesBefore = await invoiceCount();
    const first = await rent({ plate: '粤B 1313-1' }, 'desk-rental-1');
    expect(first.status, JSON.stringify(first.json)).toBe(201);
    expect(first.json).toMatchObject({ plate: '粤B13131', total: '200.00' });

    const again = await rent({ plate: '粤B 1313-1' }, 'desk-rental-1');
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json).toEqual(first.json);
    expect(await invoiceCount()).toBe(invoicesBefore + 1);

    // The same key for another rental (two months instead of one): refused, nothing billed.
    expectError(
      await rent({ plate: '粤B 1313-1', months: 2 }, 'desk-rental-1'),
      422,
      'IDEMPOTENCY_KEY_REUSED',
    );
    expect(await invoiceCount()).toBe(invoicesBefore + 1);

    // A new key is a new rental: the plate already has these months.
    expectError(await rent({ plate: '粤B 1313-1' }, 'desk-rental-2'), 409, 'RENTAL_OVERLAP');
    expect(await invoiceCount()).toBe(invoicesBefore + 1);
  });

  it('a refused rental is replayed as refused under its key (the key is not spent on a success later)', async () => {
    h.clock.now = Date.parse('2025-03-01T09:00:00+08:00');
    const tooEarly = { plate: '粤B14141', startDate: '2024-12-01' };
    expectError(await rent(tooEarly, 'desk-rental-3'), 400, 'START_DATE_TOO_EARLY', 'startDate');
    const replay = await rent(tooEarly, 'desk-rental-3');
    expect(replay.status).toBe(400);
  });
});
