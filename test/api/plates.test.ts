// Issue 17, item 4: the plates of SPEC.md §4.2 pass the gate, in and out, however the camera writes them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEstate } from '../../lib/billing/estates.js';
import { type ApiHarness, apiHarness } from '../support/api.js';

let h: ApiHarness;
let gate: string;

beforeAll(async () => {
  h = await apiHarness();
  await createEstate(h.ctx('admin'), { estateId: 'DEMO', name: '示范花园' });
  gate = await h.token('gate', { sub: 'gate-east' });
});

afterAll(() => h?.close());

const event = (kind: 'entries' | 'exits', plate: string, at: string) => {
  h.clock.set(at);
  return h.call('POST', `/v1/parking/${kind}`, {
    token: gate,
    body: { estateId: 'DEMO', plate, gateId: kind === 'entries' ? 'IN-1' : 'OUT-1', at },
  });
};

describe('POST /v1/parking/entries and exits', () => {
  it.each([
    ['粤Z1234港', '粤z 1234港'],
    ['京A1234警', '京A·1234警'],
    ['粤B1234学', '粤B-1234学'],
    ['使123456', '使 123 456'],
    ['WJ粤12345', 'wj粤12345'],
  ])('lets %s in and out (exit written as %s)', async (plate, written) => {
    const entry = await event('entries', plate, '2026-03-01T08:00:00+08:00');
    expect(entry.status, entry.text).toBe(201);
    expect(entry.json.plate).toBe(plate);
    const exit = await event('exits', written, '2026-03-01T09:00:00+08:00');
    expect(exit.status, exit.text).toBe(200);
    expect(exit.json).toMatchObject({ allowed: true, sessionId: entry.json.sessionId, amountDue: '0.00' });
  });

  it('still refuses what is not a plate, naming the field', async () => {
    const r = await event('entries', '粤B1234军', '2026-03-01T10:00:00+08:00');
    expect(r.status).toBe(400);
    expect(r.json.error.details[0]).toMatchObject({ field: 'plate', code: 'INVALID_PLATE' });
  });
});
