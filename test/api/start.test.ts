/**
 * `npm start` as a developer runs it (test/support/local-start.ts): it serves /health, writes a
 * working token per role to tokens.env (the README's examples run against it), keeps its data
 * across a restart, refuses a second server on its data directory, runs beside one on another,
 * starts empty with --fresh, and leaves no process behind after Ctrl-C (SIGINT) or a hard kill.
 * The tests run in order: each starts on the data the one before left.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cleanUpStarts,
  DATA_A,
  DATA_B,
  failedStart,
  get,
  ROOT,
  start,
  stopWith,
  tokensOf,
} from '../support/local-start.js';
import { expectation, mismatch, readmeExamples, runExamples } from '../support/readme-examples.js';

cleanUpStarts();

describe('npm start', () => {
  it('serves /health, writes a working token per role, answers the README examples, and Ctrl-C stops DynamoDB Local too', async () => {
    const s = await start();
    console.info(`npm start (empty store) served /health after ${s.msToHealth} ms`);
    expect(s.output()).toMatch(/^store: +DynamoDB Local, data in .+$/m);
    expect(s.output()).toMatch(/^table: +property-billing-local created/m);
    expect(s.output()).toMatch(/^seed: +demo estate DEMO/m);
    expect(s.output()).toMatch(/^server: +http:\/\/localhost:\d+ /m);

    const tokens = tokensOf(DATA_A);
    expect(Object.keys(tokens).sort()).toEqual([
      'ACCOUNTANT',
      'ADMIN',
      'API',
      'CASHIER',
      'GATE',
      'KIOSK',
      'OWNER',
    ]);
    expect(tokens['API']).toBe(s.url.replace('127.0.0.1', 'localhost'));
    for (const [name, token] of Object.entries(tokens)) {
      // The printed tokens are the file's, for pasting into the counter and kiosk pages.
      if (name !== 'API') expect(s.output()).toContain(`${name.toLowerCase().padEnd(10)} ${token}`);
    }
    const ownerUnit = JSON.parse(Buffer.from(tokens['OWNER']!.split('.')[1]!, 'base64url').toString())[
      'custom:units'
    ];
    expect((await get(s, `/v1/units/${ownerUnit}`, tokens['OWNER']!)).status).toBe(200);
    expect((await get(s, '/v1/estates/DEMO/tariffs', tokens['ACCOUNTANT']!)).status).toBe(200);

    // The README's examples, as written, against this server: each answers as its `# →` line says.
    const blocks = readmeExamples(join(ROOT, 'README.md'));
    const examples = blocks.flat();
    expect(examples.filter((e) => e.expected !== undefined).length).toBeGreaterThanOrEqual(5);
    for (const block of blocks) {
      const outputs = runExamples(block, join(DATA_A, 'tokens.env'));
      block.forEach((example, i) => {
        if (example.expected === undefined) return;
        let actual: unknown;
        try {
          actual = JSON.parse(outputs[i]!);
        } catch {
          actual = outputs[i];
        }
        expect(mismatch(expectation(example.expected), actual), `${example.command}\n→ ${outputs[i]}`).toBe(
          undefined,
        );
      });
    }
    // The examples paid an invoice of the owner's unit: the restart below must still find it.
    const paid = await get(s, `/v1/units/${ownerUnit}/invoices?status=PAID`, tokens['CASHIER']!);
    expect(paid.json.items).toHaveLength(1);

    await stopWith(s, 'SIGINT');
    expect(await s.exited).toBe(0);
  }, 180_000);

  it('finds the unit and the paid invoice after a restart, refuses a second server on the same data, runs beside one on other data, and leaves no JVM when killed', async () => {
    const s = await start();
    console.info(`npm start (warm, existing data) served /health after ${s.msToHealth} ms`);
    expect(s.output()).toMatch(/^table: +property-billing-local found/m);
    expect(s.output()).toMatch(/^seed: +skipped: the store already has data/m);
    const tokens = tokensOf(DATA_A);
    expect((await get(s, '/v1/units/DEMO-U0001', tokens['OWNER']!)).json).toMatchObject({
      unitId: 'DEMO-U0001',
    });
    const paid = await get(s, '/v1/units/DEMO-U0001/invoices?status=PAID', tokens['OWNER']!);
    expect(paid.json.items).toEqual([expect.objectContaining({ status: 'PAID', unitId: 'DEMO-U0001' })]);

    const [same, beside] = await Promise.all([failedStart({ dataDir: DATA_A }), start({ dataDir: DATA_B })]);
    expect(same.code).toBe(1);
    expect(same.output.trim()).toMatch(
      new RegExp(
        `^npm start: LOCAL_DATA_DIR ${DATA_A} is in use by another npm start \\(pid \\d+\\): [^\\n]+$`,
      ),
    );
    expect((await fetch(`${beside.url}/health`)).status).toBe(200);
    expect(
      (await get(beside, '/v1/units/DEMO-U0001/invoices?status=PAID', tokensOf(DATA_B)['OWNER']!)).json.items,
    ).toEqual([]);
    await stopWith(beside, 'SIGTERM');

    // A hard kill leaves the lock behind, stale: the next start takes it over.
    await stopWith(s, 'SIGKILL');
  }, 180_000);

  it('--fresh starts empty and says what it removed', async () => {
    const s = await start({ args: ['--fresh'] });
    expect(s.output()).toMatch(
      new RegExp(`^fresh: +removed ${DATA_A}/shared-local-instance\\.db \\(\\d+ KB\\)$`, 'm'),
    );
    expect(s.output()).toMatch(/^seed: +demo estate DEMO/m);
    const tokens = tokensOf(DATA_A);
    expect(
      (await get(s, '/v1/units/DEMO-U0001/invoices?status=PAID', tokens['CASHIER']!)).json.items,
    ).toEqual([]);
    await stopWith(s, 'SIGINT');
  }, 180_000);
});
