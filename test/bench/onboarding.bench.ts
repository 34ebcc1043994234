/**
 * Roster import (issue #19): a generated 10,000-row roster, dry run and commit, in rows/s; the
 * commit against raw BatchWriteItem of the same items into DynamoDB Local in the same run (goal
 * ≥ 0.5); and the peak memory of a 20,000-row dry run (goal < 256 MB RSS for the whole process).
 */
import { randomBytes } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localDynamoClientConfig, startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import type { Ctx } from '../../lib/billing/context.js';
import { createEstate } from '../../lib/billing/estates.js';
import { CHUNK_CONCURRENCY, CHUNK_ITEMS } from '../../lib/onboarding/commit.js';
import { runImport } from '../../lib/onboarding/import.js';
import { parseRoster } from '../../lib/onboarding/parse.js';
import { planImport } from '../../lib/onboarding/plan.js';
import { createUnitItems } from '../../lib/onboarding/unit-items.js';
import { Db, documentClient, type TxItem } from '../../lib/store/db.js';
import { createTableInput } from '../../lib/store/table.js';
import { generatedRoster, utf8Csv } from '../support/roster-files.js';
import type { BenchResult } from './run.js';

const ROWS = 10_000;
const MEMORY_ROWS = 20_000;
const MB = 1024 * 1024;

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const t0 = performance.now();
  const result = await work();
  return { result, seconds: (performance.now() - t0) / 1000 };
}

export async function run(): Promise<BenchResult[]> {
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const dynamo = await startDynamoDbLocal();
  try {
    const config = localDynamoClientConfig(dynamo.endpoint);
    const table = `onb-${randomBytes(4).toString('hex')}`;
    await new DynamoDBClient(config).send(new CreateTableCommand(createTableInput(table)));
    const db = new Db(documentClient(config), table);
    const now = Date.parse('2026-05-20T10:00:00+08:00');
    const ctx = (estateId: string): Ctx => ({
      db,
      now: () => now,
      actor: { sub: 'admin-bench', role: 'admin', estates: [estateId], units: [] },
    });
    for (const e of ['BIG', 'RAW', 'TXN', 'MEM', 'NOA']) await createEstate(ctx(e), { estateId: e, name: e });

    // Peak memory of a 20,000-row dry run, sampled every 5 ms (first, while the heap is small).
    const memFile = utf8Csv(generatedRoster(MEMORY_ROWS));
    global.gc?.();
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 5);
    await runImport(ctx('MEM'), 'MEM', memFile, { dryRun: true });
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);

    const file = utf8Csv(generatedRoster(ROWS));
    const dry = await timed(() => runImport(ctx('BIG'), 'BIG', file, { dryRun: true }));
    if (dry.result.counts.created !== ROWS)
      throw new Error(`dry run planned ${dry.result.counts.created} creates`);
    const commit = await timed(() =>
      runImport(ctx('BIG'), 'BIG', file, { dryRun: false, idempotencyKey: 'bench' }),
    );
    if (commit.result.state !== 'DONE') throw new Error(`commit ended ${commit.result.state}`);
    // The same roster without 期初欠费: the units alone (the arrears invoices are serial, gapless numbers).
    const bare = utf8Csv(
      generatedRoster(ROWS).map((r, i) => (i === 0 ? r : r.map((v, j) => (j === 7 ? '' : v)))),
    );
    const unitsOnly = await timed(() =>
      runImport(ctx('NOA'), 'NOA', bare, { dryRun: false, idempotencyKey: 'bench' }),
    );

    // The same unit items, written raw: BatchWriteItem, 25 a request, as many requests in flight as
    // the commit runs chunks. The arrears invoices are not in it: the ratio is conservative.
    const plan = await planImport(ctx('RAW'), 'RAW', await parseRoster(file));
    const items = plan.rows.flatMap((r, i) =>
      createUnitItems('RAW', `RAW-U${i + 1}`, r.value!, '2026-05-20T10:00:00+08:00').map(
        (t) => (t as { Put: { Item: Record<string, unknown> } }).Put.Item,
      ),
    );
    const lanes = Array.from({ length: CHUNK_CONCURRENCY }, (_, k) => k);
    const slices = lanes.map((k) => items.filter((_, i) => Math.floor(i / 25) % CHUNK_CONCURRENCY === k));
    const raw = await timed(() => Promise.all(slices.map((s) => db.batchPut(s))));
    // The ceiling for conditional writes: the same items again (under other keys), as conditional
    // puts in transactions of CHUNK_ITEMS, CHUNK_CONCURRENCY in flight, as the commit writes them.
    const txRows = plan.rows.map((r, i) =>
      createUnitItems('TXN', `TXN-U${i + 1}`, r.value!, '2026-05-20T10:00:00+08:00'),
    );
    const txChunks: TxItem[][] = [[]];
    for (const row of txRows) {
      if (txChunks.at(-1)!.length + row.length > CHUNK_ITEMS) txChunks.push([]);
      txChunks.at(-1)!.push(...row);
    }
    let nextChunk = 0;
    const rawTx = await timed(() =>
      Promise.all(
        Array.from({ length: CHUNK_CONCURRENCY }, async () => {
          while (nextChunk < txChunks.length) await db.transact(txChunks[nextChunk++]!);
        }),
      ),
    );

    const dryRate = ROWS / dry.seconds;
    const commitRate = ROWS / commit.seconds;
    const rawRate = ROWS / raw.seconds;
    const ratio = commitRate / rawRate;
    return [
      { name: 'onboarding/dry-run', value: Math.round(dryRate), unit: 'rows/s' },
      {
        name: 'onboarding/commit',
        value: Math.round(commitRate),
        unit: 'rows/s',
        reference: 'onboarding/raw-batch-write',
        ratio: Number(ratio.toFixed(2)),
        goal: '>= 0.5 x raw BatchWriteItem',
        ok: ratio >= 0.5,
      },
      {
        name: 'onboarding/commit-without-arrears',
        value: Math.round(ROWS / unitsOnly.seconds),
        unit: 'rows/s',
        reference: 'onboarding/raw-batch-write',
        ratio: Number((ROWS / unitsOnly.seconds / rawRate).toFixed(2)),
      },
      { name: 'onboarding/raw-batch-write', value: Math.round(rawRate), unit: 'rows/s' },
      {
        name: 'onboarding/raw-transact-write (conditional, the ceiling)',
        value: Math.round(ROWS / rawTx.seconds),
        unit: 'rows/s',
        reference: 'onboarding/raw-batch-write',
        ratio: Number((ROWS / rawTx.seconds / rawRate).toFixed(2)),
      },
      {
        name: 'onboarding/commit-without-arrears vs the ceiling',
        value: Math.round(ROWS / unitsOnly.seconds),
        unit: 'rows/s',
        reference: 'onboarding/raw-transact-write (conditional, the ceiling)',
        ratio: Number((rawTx.seconds / unitsOnly.seconds).toFixed(2)),
      },
      {
        name: 'onboarding/dry-run-20k-peak-rss',
        value: Math.round(peak / MB),
        unit: 'MB',
        goal: '< 256 MB',
        ok: peak < 256 * MB,
      },
    ];
  } finally {
    await dynamo.stop();
  }
}
