/**
 * `npm run bench -- --only ledger`: the accountant's exports at volume, against DynamoDB Local.
 *
 * - CSV export rows per second against a raw DynamoDB Query pagination over the same 100,000
 *   entries in the same run (same page size, low-level client, nothing done with the items): the
 *   ratio is what formatting and writing cost. Goal: at least 0.5. Runs alternate, best of three.
 * - No row cap: the CLI, started as `npm run ledger` starts it, exports all 100,000 entries (count
 *   and sum checked) with peak RSS under 150 MB.
 * - A generated year of a 500-unit estate through the services: its summary equals the documents'
 *   and the CSV's totals.
 */
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import {
  type AttributeValue,
  CreateTableCommand,
  DynamoDBClient,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { localDynamoClientConfig, startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import { createEstate } from '../../lib/billing/estates.js';
import { EXPORT_PAGE_ITEMS, exportCsv } from '../../lib/ledger/csv.js';
import { summarise } from '../../lib/ledger/summary.js';
import { presentSummary } from '../../lib/ledger/summary-present.js';
import { formatFen, parseMoney } from '../../lib/money.js';
import { Db, documentClient } from '../../lib/store/db.js';
import { ledgerPk } from '../../lib/store/keys.js';
import { createTableInput } from '../../lib/store/table.js';
import { runLedgerCli, simulateYear, writeSyntheticLedger } from '../support/ledger-fixtures.js';
import { estateDocuments, summaryFromDocuments } from '../support/ledger-reconcile.js';
import type { BenchResult } from './run.js';

const ROWS = 100_000;
const ROUNDS = 3;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

async function rawQueryRows(client: DynamoDBClient, table: string, estateId: string): Promise<number> {
  let rows = 0;
  let start: Record<string, AttributeValue> | undefined;
  do {
    const out = await client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :lo AND :hi',
        ExpressionAttributeValues: {
          ':pk': { S: ledgerPk(estateId) },
          ':lo': { S: '2025-01-01#' },
          ':hi': { S: '2025-12-31#~' },
        },
        Limit: EXPORT_PAGE_ITEMS,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    rows += out.Items?.length ?? 0;
    start = out.LastEvaluatedKey;
  } while (start);
  return rows;
}

/** Sum of the amount column and the number of rows of an English CSV export (no quoted fields in it). */
function csvTotals(file: string): { rows: number; amount: bigint } {
  const lines = readFileSync(file, 'utf8').slice(1).split('\r\n').slice(0, -1);
  const col = lines[0]!.split(',').indexOf('amount');
  let amount = 0n;
  for (const line of lines.slice(1))
    amount += parseMoney(line.split(',')[col]!, 'amount', { allowNegative: true });
  return { rows: lines.length - 1, amount };
}

export async function run(): Promise<BenchResult[]> {
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const given = process.env['DYNAMO_ENDPOINT'];
  const dynamo = given ? undefined : await startDynamoDbLocal();
  const endpoint = given ?? dynamo!.endpoint;
  const config = localDynamoClientConfig(endpoint);
  const client = new DynamoDBClient({ ...config, maxAttempts: 1 });
  const table = `ledger-bench-${Date.now().toString(36)}`;
  await client.send(new CreateTableCommand(createTableInput(table)));
  const db = new Db(documentClient(config), table);
  const scratch = mkdtempSync(join(tmpdir(), 'ledger-bench-'));
  const results: BenchResult[] = [];
  const admin = (estateId: string) => ({
    db,
    now: () => Date.now(),
    actor: { sub: 'admin-bench', role: 'admin' as const, estates: [estateId], units: [] },
  });
  try {
    // ---- 100,000 entries, written directly in ledgerItems' shape ----
    const bulk = 'BULK';
    await createEstate(admin(bulk), { estateId: bulk, name: '大批量' });
    let t = performance.now();
    const written = await writeSyntheticLedger(db, {
      estateId: bulk,
      entries: ROWS,
      from: '2025-01-01',
      days: 365,
      concurrency: 16,
    });
    results.push({
      name: 'ledger/write-synthetic',
      value: written.count / ((performance.now() - t) / 1000),
      unit: 'items/s',
    });

    // ---- export vs raw pagination, alternating ----
    const range = { estateId: bulk, from: '2025-01-01', to: '2025-12-31' };
    const raw: number[] = [];
    const exported: number[] = [];
    let complete = true;
    for (let round = 0; round < ROUNDS; round++) {
      t = performance.now();
      const n = await rawQueryRows(client, table, bulk);
      raw.push(n / ((performance.now() - t) / 1000));
      complete &&= n === written.count;
      const file = join(scratch, `export-${round}.csv`);
      const out = createWriteStream(file);
      t = performance.now();
      const r = await exportCsv(db, range, out, { lang: 'en' });
      out.end();
      await finished(out);
      exported.push(r.rows / ((performance.now() - t) / 1000));
      const totals = csvTotals(file);
      complete &&=
        r.rows === written.count && totals.rows === written.count && totals.amount === written.amount;
    }
    const rawBest = Math.max(...raw);
    const exportBest = Math.max(...exported);
    results.push({ name: 'ledger/raw-query', value: rawBest, unit: 'rows/s' });
    results.push({
      name: 'ledger/export-csv',
      value: exportBest,
      unit: 'rows/s',
      reference: 'ledger/raw-query',
      ratio: exportBest / rawBest,
      goal: '>= 0.5 x raw query',
      ok: exportBest / rawBest >= 0.5,
    });

    // ---- the CLI, no row cap, bounded memory ----
    const cliOut = join(scratch, 'cli.csv');
    const cli = runLedgerCli(
      root,
      ['--estate', bulk, '--from', '2025-01-01', '--to', '2025-12-31', '--out', cliOut],
      {
        TABLE_NAME: table,
        DYNAMO_ENDPOINT: endpoint,
      },
    );
    if (cli.status !== 0) throw new Error(`ledger CLI failed: ${cli.stderr}`);
    const cliTotals = csvTotals(cliOut);
    results.push({
      name: 'ledger/cli-export-100k',
      value: cliTotals.rows,
      unit: 'rows',
      goal: `${written.count} rows summing to ${formatFen(written.amount)}`,
      ok: complete && cliTotals.rows === written.count && cliTotals.amount === written.amount,
    });
    results.push({
      name: 'ledger/cli-peak-rss',
      value: cli.peakRssMb,
      unit: 'MB',
      goal: '< 150 MB',
      ok: cli.peakRssMb < 150,
    });
    t = performance.now();
    const bulkSummary = await summarise(db, range);
    results.push({
      name: 'ledger/summary-100k',
      value: performance.now() - t,
      unit: 'ms',
      goal: 'entries = 100000',
      ok: bulkSummary.entries === written.count,
    });

    // ---- a year of a 500-unit estate through the services ----
    const estateId = 'YEAR500';
    const year = await simulateYear(db, { estateId, year: 2025, units: 500, concurrency: 8 });
    results.push({ name: 'ledger/simulate-500-units', value: year.ms / 1000, unit: 's' });
    const yearRange = { estateId, from: '2025-01-01', to: '2025-12-31' };
    const summary = presentSummary(await summarise(db, yearRange));
    const docs = presentSummary(summaryFromDocuments(await estateDocuments(db, estateId), yearRange));
    const yearFile = join(scratch, 'year.csv');
    const out = createWriteStream(yearFile);
    await exportCsv(db, yearRange, out, { lang: 'en' });
    out.end();
    await finished(out);
    const yearTotals = csvTotals(yearFile);
    const byKindTotal = summary.byKind.reduce(
      (s, k) => s + parseMoney(k.amount, 'amount', { allowNegative: true }),
      0n,
    );
    results.push({
      name: 'ledger/year-500-reconciles',
      value: summary.entries,
      unit: 'entries',
      goal: 'summary = documents = CSV totals',
      ok:
        JSON.stringify(summary) === JSON.stringify(docs) &&
        yearTotals.rows === summary.entries &&
        yearTotals.amount === byKindTotal,
    });
    return results;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    client.destroy();
    await dynamo?.stop();
  }
}
