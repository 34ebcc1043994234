// Issue 17, item 15: one 404 code per missing thing, whoever asks; an owner asking about someone
// else's document gets exactly the answer a missing one gets, so ids cannot be probed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../../lib/billing/context.js';
import { type ApiHarness, type ApiResponse, apiHarness, isErrorBody } from '../support/api.js';
import { type Fixture, seedFixtures, type World } from './samples.js';

let h: ApiHarness;
let world: World;

beforeAll(async () => {
  h = await apiHarness();
  world = await seedFixtures(h, ROLES);
});

afterAll(() => h?.close());

/** Each readable thing: its path for a fixture, for a missing id, and the one code its 404 carries. */
const THINGS: { name: string; code: string; path: (f: Fixture) => string; missing: string }[] = [
  {
    name: 'invoice',
    code: 'INVOICE_NOT_FOUND',
    path: (f) => `/v1/invoices/${f.invoiceId}`,
    missing: '/v1/invoices/DEMO-2026-999999',
  },
  {
    name: 'receipt',
    code: 'RECEIPT_NOT_FOUND',
    path: (f) => `/v1/receipts/${f.receiptNo}`,
    missing: '/v1/receipts/DEMO-R2026-999999',
  },
  {
    name: 'credit note',
    code: 'CREDIT_NOTE_NOT_FOUND',
    path: (f) => `/v1/credit-notes/${f.creditNoteNo}`,
    missing: '/v1/credit-notes/DEMO-C2026-999999',
  },
  {
    name: 'deposit refund',
    code: 'REFUND_NOT_FOUND',
    path: (f) => `/v1/deposit-refunds/${f.refundNo}`,
    missing: '/v1/deposit-refunds/DEMO-T2026-999999',
  },
  {
    name: 'unit',
    code: 'UNIT_NOT_FOUND',
    path: (f) => `/v1/units/${f.unitId}`,
    missing: '/v1/units/DEMO-U9999',
  },
  {
    name: "unit's invoices",
    code: 'UNIT_NOT_FOUND',
    path: (f) => `/v1/units/${f.unitId}/invoices`,
    missing: '/v1/units/DEMO-U9999/invoices',
  },
  {
    name: 'renovation case',
    code: 'RENOVATION_NOT_FOUND',
    path: (f) => `/v1/renovations/${f.caseId}`,
    missing: '/v1/renovations/RN-DEMO-2026-999999',
  },
];

/** The answer with the id taken out of the message, so two answers about two ids compare. */
const shape = (r: ApiResponse, id: string) => ({
  status: r.status,
  code: r.json?.error?.code,
  message: String(r.json?.error?.message).replace(id, '<id>'),
});
const idOf = (path: string) => path.split('/').filter(Boolean)[2]!;

describe.each(THINGS)('a missing $name', ({ code, path, missing }) => {
  it('is the same 404 for staff and owners, and for an owner the same as someone else’s', async () => {
    const staff = await h.call('GET', missing, { token: world.tokens.accountant });
    const owner = await h.call('GET', missing, { token: world.tokens.owner });
    const neighbours = path(world.fixtures.neighbour);
    const othersEstate = path(world.fixtures.other);
    const ownerNeighbour = await h.call('GET', neighbours, { token: world.tokens.owner });
    const ownerOther = await h.call('GET', othersEstate, { token: world.tokens.owner });
    for (const r of [staff, owner, ownerNeighbour, ownerOther])
      expect(isErrorBody(r.json), r.text).toBe(true);
    const want = { status: 404, code, message: shape(staff, idOf(missing)).message };
    expect(shape(staff, idOf(missing))).toMatchObject({ status: 404, code });
    expect(shape(owner, idOf(missing))).toEqual(want);
    expect(shape(ownerNeighbour, idOf(neighbours))).toEqual(want);
    expect(shape(ownerOther, idOf(othersEstate))).toEqual(want);
    // Still readable where it belongs.
    expect((await h.call('GET', path(world.fixtures.own), { token: world.tokens.owner })).status).toBe(200);
  });
});

describe('a missing estate', () => {
  it('is ESTATE_NOT_FOUND for its staff and for an owner elsewhere', async () => {
    const staff = await h.call('GET', '/v1/estates/NOWHERE/tariffs', {
      token: await h.token('admin', { estates: ['NOWHERE'] }),
    });
    const owner = await h.call('GET', '/v1/estates/NOWHERE/tariffs', { token: world.tokens.owner });
    const ownerOther = await h.call('GET', '/v1/estates/OTHER/tariffs', { token: world.tokens.owner });
    expect(shape(staff, 'NOWHERE')).toEqual({
      status: 404,
      code: 'ESTATE_NOT_FOUND',
      message: 'estate <id> does not exist',
    });
    expect(shape(owner, 'NOWHERE')).toEqual(shape(staff, 'NOWHERE'));
    expect(shape(ownerOther, 'OTHER')).toEqual(shape(staff, 'NOWHERE'));
  });

  it('is ESTATE_NOT_FOUND for a quote too (its estate and tariffs are read at once)', async () => {
    const res = await h.call('POST', '/v1/quotes', {
      token: await h.token('cashier', { estates: ['NOWHERE'] }),
      body: { estateId: 'NOWHERE', items: [{ type: 'RENOVATION_WASTE', area: '89.56' }] },
    });
    expect(shape(res, 'NOWHERE')).toEqual({
      status: 404,
      code: 'ESTATE_NOT_FOUND',
      message: 'estate <id> does not exist',
    });
  });
});
