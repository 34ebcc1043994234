/**
 * `npm start` on a DynamoDB that is already running (DYNAMO_ENDPOINT: the test run's own), and on
 * bad input: each stops start-up with one line saying what and how to fix it, and a non-zero exit.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import {
  cleanUpStarts,
  failedStart,
  get,
  processes,
  type StartOptions,
  start,
  TMP,
  tokensOf,
} from '../support/local-start.js';

cleanUpStarts();

describe('npm start', () => {
  it('with DYNAMO_ENDPOINT uses that DynamoDB, creates the table and seeds it, and starts no JVM', async () => {
    const dataDir = join(TMP, 'e');
    const s = await start({ dataDir, env: { DYNAMO_ENDPOINT: inject('dynamoEndpoint') } });
    expect(s.output()).toMatch(/^store: +DynamoDB at http:\/\/127\.0\.0\.1:\d+ \(DYNAMO_ENDPOINT/m);
    expect(s.output()).toMatch(/^table: +property-billing-local (created|found)/m);
    expect(processes().filter((p) => p.pgid === s.child.pid && p.cmdline.includes('java'))).toEqual([]);
    const tokens = tokensOf(dataDir);
    expect((await get(s, '/v1/units/DEMO-U0001', tokens['CASHIER']!)).status).toBe(200);
    process.kill(s.child.pid!, 'SIGINT');
    expect(await s.exited).toBe(0);
  }, 120_000);

  it('stops on bad input with one line saying what and how to fix it, non-zero, with no JVM left', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => taken.once('listening', r));
    const takenPort = (taken.address() as { port: number }).port;
    const notADir = join(TMP, 'a-file');
    writeFileSync(notADir, '');
    try {
      const cases: [StartOptions, RegExp][] = [
        [
          { port: takenPort, dataDir: join(TMP, 'c') },
          new RegExp(`^npm start: port ${takenPort} is already in use: .+PORT=`),
        ],
        [
          { dataDir: join(notADir, 'data') },
          /^npm start: LOCAL_DATA_DIR .+ cannot be written \(ENOTDIR\): set LOCAL_DATA_DIR/,
        ],
        [
          { env: { DYNAMO_ENDPOINT: `http://127.0.0.1:${takenPort}` } },
          /^npm start: DYNAMO_ENDPOINT .+ does not answer: /,
        ],
        [
          { env: { DYNAMO_ENDPOINT: 'localhost:8000' } },
          /^npm start: DYNAMO_ENDPOINT=localhost:8000 is not a URL/,
        ],
        [{ env: { PORT: '70000' } }, /^npm start: PORT=70000 is not a port number/],
      ];
      const results = await Promise.all(cases.map(([opts]) => failedStart(opts)));
      results.forEach(({ code, output }, i) => {
        expect(code, output).toBe(1);
        expect(output.trim().split('\n'), output).toHaveLength(1);
        expect(output.trim()).toMatch(cases[i]![1]);
      });
      const usage = await failedStart({ args: ['--frsh'] });
      expect(usage.code).toBe(2);
      expect(usage.output).toMatch(/^npm start: Unknown option '--frsh'.*\nusage: npm start/);
      expect(usage.output).not.toMatch(/^\s+at /m);
      // The data directory of the port case was never locked, and no JVM was started for any case.
      expect(readdirSync(TMP)).not.toContain('c');
      expect(processes().filter((p) => p.cmdline.includes(TMP) && p.cmdline.includes('java'))).toEqual([]);
    } finally {
      taken.close();
    }
  }, 180_000);
});
