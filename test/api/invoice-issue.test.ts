/**
 * Issuing an invoice through the HTTP API (issue 17, items 1 and 2): `POST /v1/invoices` moves
 * money, so it runs once per Idempotency-Key (a double click on 开票 used to bill the next year
 * too), and it refuses the fees only a renovation case may bill.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEstate } from '../../lib/billing/estates.js';
import { createUnit } from '../../lib/billing/units.js';
import { type ApiHarness, apiHarness } from '../support/api.js';

let h: ApiHarness;
let cashier: string;
let rooms = 0;
let keys = 0;

beforeAll(async () => {
  h = await apiHarness();
  h.clock.set('2025-03-01T10:00:00+08:00');
  await createEstate(h.ctx('admin'), { estateId: 'DEMO', name: '示范花园' });
  cashier = await h.token('cashier');
});

afterAll(() => h?.close());

beforeEach(() => h.clock.set('2025-03-01T10:00:00+08:00'));

/** Delivered 2025-02-15: on 2025-03-01 one annual period (from 2025-02-15) is due. */
async function newUnit(): Promise<string> {
  const unit = await createUnit(h.ctx('admin'), 'DEMO', {
    building: '3栋',
    room: String(++rooms),
    unitType: 'HIGH_RISE',
    area: '89.56',
    deliveryDate: '2025-02-15',
    ownerIds: [],
  });
  return unit.unitId;
}

/** `key` null: no Idempotency-Key header at all. */
const issue = (body: unknown, key: string | null = `issue-${++keys}`) =>
  h.call('POST', '/v1/invoices', {
    token: cashier,
    body,
    ...(key === null ? {} : { headers: { 'Idempotency-Key': key } }),
  });

async function invoicesOf(
  unitId: string,
): Promise<{ invoiceNo: string; lines: { period?: { start: string } }[] }[]> {
  const list = await h.call('GET', `/v1/units/${unitId}/invoices`, { token: cashier });
  expect(list.status, list.text).toBe(200);
  return list.json.items;
}

/** Items the request wrote, apart from the key's own record (a retry replays the refusal from it). */
async function writtenBy(request: () => Promise<unknown>) {
  const before = await h.scan();
  await request();
  const after = await h.scan();
  return after
    .filter((i) => !before.some((b) => JSON.stringify(b) === JSON.stringify(i)))
    .filter((i) => i['type']?.S !== 'IDEMPOTENCY');
}

describe('POST /v1/invoices runs once per Idempotency-Key', () => {
  it('a second click with the same key replays the first invoice; the next period stays billable once', async () => {
    const unitId = await newUnit();
    const body = { unitId, items: [{ type: 'PROPERTY_FEE' }] };
    const first = await issue(body, 'click-1');
    expect(first.status, first.text).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await issue(body, 'click-1');
    expect(again.status, again.text).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json).toEqual(first.json);
    expect((await invoicesOf(unitId)).map((i) => i.invoiceNo)).toEqual([first.json.invoiceNo]);

    // A new key is a new invoice: the period after the first, not one a replay skipped.
    const next = await issue(body, 'click-2');
    expect(next.status, next.text).toBe(201);
    expect(first.json.lines[0].period.start).toBe('2025-02-15');
    expect(next.json.lines[0].period.start).toBe('2026-02-15');
    expect(await invoicesOf(unitId)).toHaveLength(2);
  });

  it('two clicks in flight at once with one key issue one invoice', async () => {
    const unitId = await newUnit();
    const body = { unitId, items: [{ type: 'PROPERTY_FEE' }] };
    const answers = await Promise.all([issue(body, 'twin'), issue(body, 'twin')]);
    // The second either waits for the replay or is told the first is still running.
    for (const a of answers) expect([201, 409], a.text).toContain(a.status);
    const issued = answers.filter((a) => a.status === 201).map((a) => a.json.invoiceNo);
    expect(issued.length).toBeGreaterThan(0);
    expect(new Set(issued).size).toBe(1);
    expect((await invoicesOf(unitId)).map((i) => i.invoiceNo)).toEqual([issued[0]]);
  });

  it('a different body under a used key is 422 and issues nothing', async () => {
    const unitId = await newUnit();
    const first = await issue({ unitId, items: [{ type: 'PROPERTY_FEE' }] }, 'reused');
    expect(first.status, first.text).toBe(201);
    const other = await issue({ unitId, items: [{ type: 'PROPERTY_FEE', periods: 2 }] }, 'reused');
    expect([other.status, other.json.error?.code], other.text).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    expect(await invoicesOf(unitId)).toHaveLength(1);
  });

  it('without the header it is 400 naming Idempotency-Key, and nothing is written', async () => {
    const unitId = await newUnit();
    let r: Awaited<ReturnType<typeof issue>> | undefined;
    const written = await writtenBy(async () => {
      r = await issue({ unitId, items: [{ type: 'PROPERTY_FEE' }] }, null);
    });
    expect(r!.status, r!.text).toBe(400);
    expect(r!.json.error.details).toEqual([
      expect.objectContaining({ field: 'Idempotency-Key', code: 'IDEMPOTENCY_KEY_REQUIRED' }),
    ]);
    expect(written).toEqual([]);
  });
});

describe('fees only a renovation case bills', () => {
  it.each([
    ['RENOVATION_DEPOSIT', {}],
    ['RENOVATION_CARDS', { cards: 2 }],
  ])('%s on POST /v1/invoices is 400 naming the item, and nothing is billed', async (type, fields) => {
    const unitId = await newUnit();
    let r: Awaited<ReturnType<typeof issue>> | undefined;
    const written = await writtenBy(async () => {
      r = await issue({ unitId, items: [{ type: 'PROPERTY_FEE' }, { type, ...fields }] });
    });
    expect(r!.status, r!.text).toBe(400);
    expect(r!.json.error.details).toEqual([
      expect.objectContaining({ field: 'items[1].type', code: 'FEE_NOT_BILLABLE_HERE' }),
    ]);
    expect(r!.json.error.message).toContain('POST /v1/renovations');
    expect(written).toEqual([]);
    expect(await invoicesOf(unitId)).toEqual([]);
  });

  it('a renovation registration still bills the deposit and the card fee', async () => {
    const unitId = await newUnit();
    const reg = await h.call('POST', '/v1/renovations', { token: cashier, body: { unitId, cards: 2 } });
    expect(reg.status, reg.text).toBe(201);
    const lines = reg.json.invoice.lines.map((l: { type: string; amount: string }) => [l.type, l.amount]);
    expect(lines).toEqual(
      expect.arrayContaining([
        ['RENOVATION_DEPOSIT', '1000.00'],
        ['RENOVATION_CARDS', '20.00'],
      ]),
    );
  });
});
