/**
 * `GET /v1/estates/{estateId}/units?building=&room=`: the counter's way to a unit, through the HTTP
 * server with real tokens. One query on the estate's unit-number guards; exact building and room;
 * staff only; bad cursors are a 400, never a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUnit } from '../../lib/billing/units.js';
import { type ApiHarness, apiHarness, isErrorBody } from '../support/api.js';

let h: ApiHarness;
let cashier: string;

beforeAll(async () => {
  h = await apiHarness();
  await h.seedDemo();
  const admin = h.ctx('admin');
  // Neighbours that a careless prefix would mix up: 1栋 vs 11栋, 1#楼 with a `#` in its name.
  for (const [building, room] of [
    ['11栋', '1801'],
    ['1栋', '18011'],
    ['1栋', '0101'],
    ['1#', '#02'],
    // Its key UNITNO#1###03 starts with building 1#'s prefix UNITNO#1##: the unit's own fields decide.
    ['1##', '03'],
  ] as const) {
    await createUnit(admin, 'DEMO', {
      building,
      room,
      unitType: 'HIGH_RISE',
      area: '70.00',
      deliveryDate: '2025-01-01',
      ownerIds: [],
    });
  }
  cashier = await h.token('cashier');
});

afterAll(() => h?.close());

const search = (query: Record<string, string>, token = cashier, estate = 'DEMO') =>
  h.call('GET', `/v1/estates/${estate}/units`, { token, query });
const addresses = (json: { items: { building: string; room: string }[] }) =>
  json.items.map((u) => `${u.building}/${u.room}`);

describe('unit search', () => {
  it('finds one unit by building and room, with its paid-through date', async () => {
    const r = await search({ building: '1栋', room: '1801' });
    expect(r.status, r.text).toBe(200);
    expect(r.json.items).toHaveLength(1);
    expect(r.json.items[0]).toMatchObject({
      building: '1栋',
      room: '1801',
      unitType: 'HIGH_RISE',
      area: '89.56',
      paidThrough: null,
    });
    expect(r.json.nextCursor).toBeUndefined();
  });

  it('lists a building in room order without its neighbours', async () => {
    expect(addresses((await search({ building: '1栋' })).json)).toEqual([
      '1栋/0101',
      '1栋/1801',
      '1栋/18011',
    ]);
    expect(addresses((await search({ building: '11栋' })).json)).toEqual(['11栋/1801']);
    expect(addresses((await search({ building: '1#' })).json)).toEqual(['1#/#02']);
    expect(addresses((await search({ building: '1#', room: '#02' })).json)).toEqual(['1#/#02']);
    expect(addresses((await search({ building: '1##' })).json)).toEqual(['1##/03']);
    expect((await search({ building: '1栋', room: '999' })).json).toEqual({ items: [] });
  });

  it('pages through the whole estate with a cursor', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const r = await search({ limit: '3', ...(cursor ? { cursor } : {}) });
      expect(r.status, r.text).toBe(200);
      seen.push(...addresses(r.json));
      cursor = r.json.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toHaveLength(10);
    expect(new Set(seen).size).toBe(10);
    expect(pages).toBeGreaterThanOrEqual(4);
  });

  it('refuses a room without a building, and bad cursors, with 400s naming the field', async () => {
    const noBuilding = await search({ room: '1801' });
    expect(noBuilding.status).toBe(400);
    expect(noBuilding.json.error.details[0]).toMatchObject({ field: 'building', code: 'BUILDING_REQUIRED' });
    const first = await search({ building: '1栋', limit: '1' });
    for (const cursor of [
      'garbage',
      Buffer.from(JSON.stringify({ PK: 'ESTATE#OTHER', SK: 'UNITNO#1栋#0101' })).toString('base64url'),
      Buffer.from(JSON.stringify({ PK: 'ESTATE#DEMO', SK: 'TARIFF#2000-01-01' })).toString('base64url'),
      Buffer.from(JSON.stringify({ PK: 'ESTATE#DEMO', SK: 'UNITNO#1栋#0101', GSI1PK: 'x' })).toString(
        'base64url',
      ),
    ]) {
      const r = await search({ building: '1栋', cursor });
      expect(r.status, `${cursor}: ${r.text}`).toBe(400);
      expect(isErrorBody(r.json)).toBe(true);
    }
    // A real cursor of another building's list is outside this list's range.
    expect((await search({ building: '2栋', cursor: first.json.nextCursor })).status).toBe(400);
    // Lists take at most 1000 (API.md conventions).
    expect((await search({ limit: '1001' })).status).toBe(400);
  });

  it('is for staff of the estate only', async () => {
    expect((await search({ building: '1栋' }, await h.token('accountant'))).status).toBe(200);
    expect(
      (await search({ building: '1栋' }, await h.token('owner', { units: ['DEMO-U0001'] }))).status,
    ).toBe(403);
    expect((await search({ building: '1栋' }, await h.token('kiosk'))).status).toBe(403);
    expect((await search({ building: '1栋' }, await h.token('cashier', { estates: ['OTHER'] }))).status).toBe(
      403,
    );
    expect((await search({ building: '1栋' }, '')).status).toBe(401);
    const unknown = await search({}, await h.token('cashier', { estates: ['NOPE'] }), 'NOPE');
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('ESTATE_NOT_FOUND');
  });
});
