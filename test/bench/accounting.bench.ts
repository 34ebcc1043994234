/**
 * `npm run bench -- --only accounting`: the accountant's month at volume, against DynamoDB Local.
 *
 * - The vouchers of one month (2025-12) for an estate of 10,000 units with a year of history,
 *   against a raw DynamoDB Query of that month's ledger items in the same run (low-level client,
 *   nothing done with them). Goal: ratio (raw ÷ vouchers) at least 0.3. Best of three. The months
 *   before are closed first, as the scheduler does (docs/accounting.md §2a); the same vouchers from
 *   the whole history, once, for comparison.
 * - The ledger XLSX export of 100,000 rows by the CLI (`npm run ledger -- --format xlsx`), rows per
 *   second and peak RSS (goal under 256 MB), the file checked by reading it back with exceljs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AttributeValue,
  CreateTableCommand,
  DynamoDBClient,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import ExcelJS from 'exceljs';
import { localDynamoClientConfig, startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import { createEstate } from '../../lib/billing/estates.js';
import { closeMonths, loadMonth, monthVoucherLines } from '../../lib/reports/month.js';
import { Db, documentClient } from '../../lib/store/db.js';
import { ledgerPk } from '../../lib/store/keys.js';
import { createTableInput } from '../../lib/store/table.js';
import { runLedgerCli, writeSyntheticLedger } from '../support/ledger-fixtures.js';
import type { BenchResult } from './run.js';

const ROUNDS = 3;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

async function rawMonth(client: DynamoDBClient, table: string, estateId: string): Promise<number> {
  let rows = 0;
  let start: Record<string, AttributeValue> | undefined;
  do {
    const out = await client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :lo AND :hi',
        ExpressionAttributeValues: {
          ':pk': { S: ledgerPk(estateId) },
          ':lo': { S: '2025-12-01#' },
          ':hi': { S: '2025-12-31#~' },
        },
        Limit: 1000,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    rows += out.Items?.length ?? 0;
    start = out.LastEvaluatedKey;
  } while (start);
  return rows;
}

export async function run(): Promise<BenchResult[]> {
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const given = process.env['DYNAMO_ENDPOINT'];
  const dynamo = given ? undefined : await startDynamoDbLocal();
  const endpoint = given ?? dynamo!.endpoint;
  const config = localDynamoClientConfig(endpoint);
  const client = new DynamoDBClient({ ...config, maxAttempts: 1 });
  const table = `accounting-bench-${Date.now().toString(36)}`;
  await client.send(new CreateTableCommand(createTableInput(table)));
  const db = new Db(documentClient(config), table);
  const scratch = mkdtempSync(join(tmpdir(), 'accounting-bench-'));
  const results: BenchResult[] = [];
  const admin = (estateId: string) => ({
    db,
    now: () => Date.now(),
    actor: { sub: 'admin-bench', role: 'admin' as const, estates: [estateId], units: [] },
  });
  try {
    // ---- 10,000 units, a year: each pays its annual fee (invoice issued + payment received) ----
    const estateId = 'ACC10K';
    await createEstate(admin(estateId), { estateId, name: '万户小区' });
    await writeSyntheticLedger(db, {
      estateId,
      entries: 20_000,
      from: '2025-01-01',
      days: 365,
      units: 10_000,
      concurrency: 16,
    });
    // The scheduler's month-end step, run as of 2025-12-15: closes 2025-01 … 2025-11.
    let t0 = performance.now();
    const closed = await closeMonths({ db, now: () => Date.parse('2025-12-15T12:00:00+08:00') }, estateId);
    results.push({
      name: 'accounting/close-11-months',
      value: performance.now() - t0,
      unit: 'ms',
      goal: `${closed.length} closes written`,
      ok: closed.length === 11,
    });
    t0 = performance.now();
    const fromHistory = await monthVoucherLines(
      { db },
      await loadMonth({ db }, estateId, '2025-12', { fromHistory: true, labels: true }),
    );
    results.push({
      name: 'accounting/vouchers-from-history',
      value: performance.now() - t0,
      unit: 'ms',
      goal: 'the same month without a close (one round)',
    });
    const raw: number[] = [];
    const report: number[] = [];
    const loads: number[] = [];
    let historyRows = 0;
    let lines = 0;
    let balanced = true;
    let same = true;
    const expected = JSON.stringify(fromHistory, (_, x) => (typeof x === 'bigint' ? x.toString() : x));
    for (let round = 0; round < ROUNDS; round++) {
      let t = performance.now();
      const n = await rawMonth(client, table, estateId);
      raw.push(performance.now() - t);
      t = performance.now();
      const books = await loadMonth({ db }, estateId, '2025-12', { labels: true });
      const loaded = performance.now() - t;
      const v = await monthVoucherLines({ db }, books);
      report.push(performance.now() - t);
      loads.push(loaded);
      historyRows = books.entries.length;
      lines = v.length;
      same &&= JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? x.toString() : x)) === expected;
      const sums = new Map<number, bigint>();
      for (const l of v) sums.set(l.voucherNo, (sums.get(l.voucherNo) ?? 0n) + l.debit - l.credit);
      balanced &&= [...sums.values()].every((s) => s === 0n) && n > 0;
    }
    const rawBest = Math.min(...raw);
    const reportBest = Math.min(...report);
    results.push({ name: 'accounting/raw-month-query', value: rawBest, unit: 'ms' });
    // Where the time goes: the close and the month's rows, and earning them.
    results.push({
      name: 'accounting/close-read-and-flows',
      value: Math.min(...loads),
      unit: 'ms',
      goal: `${historyRows} ledger rows read after the 2025-11 close`,
    });
    results.push({
      name: 'accounting/vouchers-10k-units',
      value: reportBest,
      unit: 'ms',
      reference: 'accounting/raw-month-query',
      ratio: rawBest / reportBest,
      goal: `raw ÷ vouchers >= 0.3; ${lines} lines, every voucher balanced, equal to the history's`,
      ok: balanced && same && rawBest / reportBest >= 0.3,
    });

    // ---- the ledger XLSX export by the CLI, 100,000 rows ----
    const bulk = 'BULKX';
    await createEstate(admin(bulk), { estateId: bulk, name: '大批量' });
    const written = await writeSyntheticLedger(db, {
      estateId: bulk,
      entries: 100_000,
      from: '2025-01-01',
      days: 365,
      concurrency: 16,
    });
    const file = join(scratch, 'ledger.xlsx');
    const cli = runLedgerCli(
      root,
      ['--estate', bulk, '--from', '2025-01-01', '--to', '2025-12-31', '--out', file, '--format', 'xlsx'],
      { TABLE_NAME: table, DYNAMO_ENDPOINT: endpoint },
    );
    if (cli.status !== 0) throw new Error(`ledger CLI failed: ${cli.stderr}`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ws = wb.worksheets[0]!;
    const rows = ws.rowCount - 1;
    results.push({
      name: 'accounting/ledger-xlsx-100k',
      value: rows / (cli.ms / 1000),
      unit: 'rows/s',
      goal: `${written.count} rows in the file`,
      ok: rows === written.count,
    });
    results.push({
      name: 'accounting/ledger-xlsx-peak-rss',
      value: cli.peakRssMb,
      unit: 'MB',
      goal: '< 256 MB',
      ok: cli.peakRssMb < 256,
    });
    return results;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    client.destroy();
    await dynamo?.stop();
  }
}
