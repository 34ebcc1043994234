/**
 * A roster commit over the inline row limit answers 202 and is finished by the in-process worker
 * (the local server's); its state reads RUNNING → DONE, units and opening arrears written once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, apiHarness } from '../support/api.js';
import { generatedRoster, utf8Csv } from '../support/roster-files.js';

let h: ApiHarness;
let admin: string;
const ROWS = 250;

beforeAll(async () => {
  process.env['IMPORT_INLINE_ROWS'] = '100';
  h = await apiHarness();
  h.clock.set('2026-05-20T10:00:00+08:00');
  await h.seedDemo();
  admin = await h.token('admin');
});
afterAll(async () => {
  delete process.env['IMPORT_INLINE_ROWS'];
  await h?.close();
});

const commit = (file: Uint8Array, key: string) =>
  h.call('POST', '/v1/estates/DEMO/imports', {
    token: admin,
    raw: file,
    headers: { 'content-type': 'text/csv', 'idempotency-key': key },
  });

const countType = async (type: string) => (await h.scan()).filter((i) => i['type']?.S === type).length;

describe('a roster too large for one request', () => {
  it('answers 202, the worker finishes it, GET shows progress to DONE; units and arrears once', async () => {
    const file = utf8Csv(generatedRoster(ROWS));
    const units0 = await countType('UNIT');
    const opening0 = await countType('OPENING');
    const c = await commit(file, 'big-1');
    expect(c.status, c.text).toBe(202);
    expect(c.json).toMatchObject({ state: 'RUNNING', dryRun: false, counts: { rows: ROWS, created: ROWS } });
    const chunks = c.json.progress.chunks as number;
    expect(chunks).toBeGreaterThan(1);

    // A retry while it runs answers 202 again and is harmless (a second worker skips committed chunks).
    const retry = await commit(file, 'big-1');
    expect([200, 201, 202]).toContain(retry.status);
    expect(retry.json.importId).toBe(c.json.importId);

    const seen: string[] = [];
    let last: { state: string; progress: { chunksDone: number; chunks: number } } | undefined;
    for (let i = 0; i < 200; i++) {
      const s = await h.call('GET', `/v1/estates/DEMO/imports/${c.json.importId}`, { token: admin });
      expect(s.status, s.text).toBe(200);
      last = s.json;
      seen.push(s.json.state);
      expect(s.json.progress.chunksDone).toBeLessThanOrEqual(chunks);
      if (s.json.state !== 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(last).toMatchObject({ state: 'DONE', progress: { chunksDone: chunks, chunks } });
    // RUNNING (if seen) always comes before DONE, never after.
    expect(seen.slice(seen.indexOf('DONE'))).toEqual(['DONE']);

    expect(await countType('UNIT')).toBe(units0 + ROWS);
    // generatedRoster gives every tenth unit 期初欠费.
    expect(await countType('OPENING')).toBe(opening0 + Math.ceil(ROWS / 10));

    // Once done, the same key replays DONE (201) and writes nothing more.
    const again = await commit(file, 'big-1');
    expect(again.status, again.text).toBe(201);
    expect(again.json).toMatchObject({ state: 'DONE', importId: c.json.importId });
    await new Promise((r) => setTimeout(r, 200));
    expect(await countType('UNIT')).toBe(units0 + ROWS);
    expect(await countType('OPENING')).toBe(opening0 + Math.ceil(ROWS / 10));
  });

  it('commits a file within the limit inside the request (201)', async () => {
    const rows = generatedRoster(20).map((r, i) => (i === 0 ? r : [`${r[0]}-small`, ...r.slice(1)]));
    const c = await commit(utf8Csv(rows), 'small-1');
    expect(c.status, c.text).toBe(201);
    expect(c.json).toMatchObject({ state: 'DONE', counts: { created: 20 } });
  });
});
