/**
 * Gate throughput: entry+exit pairs per second through the local server (the API Gateway stand-in
 * of `npm start`, with token verification, routing, zod, the domain service and DynamoDB Local),
 * 16 gates reporting at once. The reference, measured in the same run against the same DynamoDB
 * Local, sends the very TransactWriteItems a pair writes (guard + session + audit in, session +
 * guard + audit out, built by the same item builders) straight from the document client, also 16 at
 * a time. The ratio says what the service's reads (tariff at entry, guard and session at exit), HTTP
 * and validation cost on top of the writes that cannot be avoided.
 *
 * Every pair is a 0-minute stay (free), the gate's common case. Rounds alternate raw and API so that
 * a noisy neighbour hurts both. BENCH_PARKING_PAIRS sets the pairs per side (default 800).
 *
 * Goal: the API reaches at least 0.25 of the raw write rate.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { signDevToken } from '../../infra/local/dev-auth.js';
import { localDynamoClientConfig, startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import { createLocalServer } from '../../infra/local/server.js';
import { logger } from '../../lib/api/lambda.js';
import type { Ctx } from '../../lib/billing/context.js';
import { createEstate } from '../../lib/billing/estates.js';
import { entryItems, exitItems, type ParkingSession } from '../../lib/parking/parking.js';
import { Db, documentClient } from '../../lib/store/db.js';
import { createTableInput } from '../../lib/store/table.js';
import { seedTariff } from '../../lib/tariffs/catalog.js';
import { formatInstant } from '../../lib/time.js';
import type { BenchResult } from './run.js';
import { percentile } from './stats.js';

const GATES = 16;
const PAIRS = Number(process.env['BENCH_PARKING_PAIRS'] ?? 1200);
const ROUNDS = 2;
const WARMUP_PAIRS = 64;
const GOAL_RATIO = 0.25;
const ESTATE = 'BENCH';

/** A distinct valid plate per pair: 京A + five base-36 characters. */
const plateOf = (side: string, i: number) => `${side}A${i.toString(36).toUpperCase().padStart(5, '0')}`;

/** Runs `count` tasks with `concurrency` workers; returns the elapsed ms and each task's ms. */
async function workers(count: number, concurrency: number, task: (i: number) => Promise<void>) {
  let next = 0;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const t = performance.now();
        await task(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { ms: performance.now() - started, latencies };
}

export async function run(): Promise<BenchResult[]> {
  // One access-log line per request would measure the terminal, not the service.
  logger.setLogLevel('WARN');
  const dynamo = await startDynamoDbLocal();
  const config = localDynamoClientConfig(dynamo.endpoint);
  const client = new DynamoDBClient(config);
  const apiTable = 'parking-bench-api';
  const rawTable = 'parking-bench-raw';
  await client.send(new CreateTableCommand(createTableInput(apiTable)));
  await client.send(new CreateTableCommand(createTableInput(rawTable)));
  const doc = documentClient(config);
  const apiDb = new Db(doc, apiTable);
  const rawDb = new Db(doc, rawTable);
  const actor = { sub: 'gate-bench', role: 'gate' as const, estates: [ESTATE], units: [] };
  await createEstate(
    { db: apiDb, now: Date.now, actor: { ...actor, role: 'admin' } },
    { estateId: ESTATE, name: 'bench' },
  );

  const signingKey = new Uint8Array(randomBytes(32));
  const server = createLocalServer({ db: apiDb, now: Date.now }, { signingKey });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const token = await signDevToken({ role: 'gate', estates: [ESTATE], sub: 'gate-bench' }, signingKey);

  try {
    let apiSeq = 0;
    const post = async (path: string, body: unknown, expect: number) => {
      const res = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status !== expect) throw new Error(`${path} answered ${res.status}: ${text}`);
      return JSON.parse(text) as { allowed?: boolean };
    };
    const apiPair = async () => {
      const plate = plateOf('京', apiSeq++);
      const entryMs = Date.now();
      await post(
        '/v1/parking/entries',
        { estateId: ESTATE, plate, gateId: 'IN-1', at: formatInstant(entryMs) },
        201,
      );
      const exitAt = formatInstant(Math.max(Date.now(), entryMs));
      const exit = await post(
        '/v1/parking/exits',
        { estateId: ESTATE, plate, gateId: 'OUT-1', at: exitAt },
        200,
      );
      if (exit.allowed !== true) throw new Error(`a free stay was not let out: ${JSON.stringify(exit)}`);
    };

    // The same items the service writes for a free stay, built by its own builders, sent directly.
    const tariff = seedTariff(ESTATE);
    const rawCtx: Ctx = { db: rawDb, now: Date.now, actor };
    let rawSeq = 0;
    const send = (items: ReturnType<typeof entryItems>) =>
      doc.send(new TransactWriteCommand({ TransactItems: items as never }));
    const rawPair = async () => {
      const i = rawSeq++;
      const entryMs = Date.now();
      const session: ParkingSession = {
        sessionId: `${ESTATE}-P${entryMs.toString(36).toUpperCase()}-${i}`,
        estateId: ESTATE,
        plate: plateOf('京', i),
        status: 'OPEN',
        entryMs,
        entryAt: formatInstant(entryMs),
        entryGateId: 'IN-1',
        tariffVersion: tariff.versionId,
        tempParkingBands: tariff.tempParkingBands,
        paidFen: 0n,
        payVersion: 0,
        receipts: [],
      };
      await send(entryItems(rawCtx, session));
      await send(
        exitItems(rawCtx, session, {
          exitMs: Math.max(Date.now(), entryMs),
          gateId: 'OUT-1',
          feeFen: 0n,
          reason: 'FREE_STAY',
        }),
      );
    };

    await workers(WARMUP_PAIRS, GATES, () => rawPair());
    await workers(WARMUP_PAIRS, GATES, () => apiPair());
    let rawMs = 0;
    let apiMs = 0;
    const apiLatencies: number[] = [];
    const perRound = Math.ceil(PAIRS / ROUNDS);
    for (let r = 0; r < ROUNDS; r++) {
      rawMs += (await workers(perRound, GATES, () => rawPair())).ms;
      const api = await workers(perRound, GATES, () => apiPair());
      apiMs += api.ms;
      apiLatencies.push(...api.latencies);
    }
    const pairs = perRound * ROUNDS;
    const rawRate = pairs / (rawMs / 1000);
    const apiRate = pairs / (apiMs / 1000);
    const ratio = apiRate / rawRate;
    return [
      { name: 'parking/raw-transactions', value: rawRate, unit: 'pairs/s' },
      {
        name: 'parking/gate-pairs-api',
        value: apiRate,
        unit: 'pairs/s',
        reference: 'parking/raw-transactions',
        ratio,
        goal: `>= ${GOAL_RATIO} of raw`,
        ok: ratio >= GOAL_RATIO,
      },
      { name: 'parking/gate-pair-p50', value: percentile(apiLatencies, 50), unit: 'ms' },
      { name: 'parking/gate-pair-p95', value: percentile(apiLatencies, 95), unit: 'ms' },
    ];
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    client.destroy();
    await dynamo.stop();
  }
}
