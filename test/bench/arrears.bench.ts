/**
 * `npm run bench -- --only arrears`: the arrears report (issue 20) at volume, against DynamoDB Local.
 *
 * - 10,000 units with a year of history (an annual invoice each, most paid, some renovation bills,
 *   some paid late): the report (ledger read up to asOf, ageing, sort, totals) in ledger rows per
 *   second against a raw Query of the same items in the same run (same key condition and page
 *   size, low-level client, nothing done with them). Goal: ratio ≥ 0.5. Best of three, alternating.
 *   The first JSON page (1,000 rows with their units' labels) is timed apart.
 * - The XLSX answer for 20,000 units, built as the route builds it, in a child process: peak RSS.
 *   Goal: under 256 MB.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AttributeValue,
  CreateTableCommand,
  DynamoDBClient,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { localDynamoClientConfig, startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import { ledgerItems } from '../../lib/billing/context.js';
import { arrearsTotals } from '../../lib/reports/arrears.js';
import { readArrearsBook, unitLabels } from '../../lib/reports/arrears-query.js';
import { Db, documentClient, type Item } from '../../lib/store/db.js';
import { key, ledgerPk } from '../../lib/store/keys.js';
import { createTableInput } from '../../lib/store/table.js';
import { addDays, addYears } from '../../lib/time.js';
import { prng } from '../support/ledger-fixtures.js';
import type { BenchResult } from './run.js';

const UNITS = 10_000;
const ROUNDS = 3;
const ESTATE = 'AGE';
const AS_OF = '2025-12-31';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const cashier = (db: Db, at: number) => ({
  db,
  now: () => at,
  actor: { sub: 'bench', role: 'cashier' as const, estates: [ESTATE], units: [] },
});

async function seed(db: Db): Promise<number> {
  const rng = prng(20);
  const items: Item[] = [];
  const put = (txs: ReturnType<typeof ledgerItems>) => {
    for (const tx of txs) if ('Put' in tx) items.push(tx.Put.Item);
  };
  for (let i = 0; i < UNITS; i++) {
    const unitId = `${ESTATE}-U${String(i).padStart(5, '0')}`;
    items.push({
      ...key.unit(unitId),
      type: 'UNIT',
      unitId,
      estateId: ESTATE,
      building: `${1 + (i % 40)}栋`,
      room: String(101 + (i % 3000)),
      unitType: 'HIGH_RISE',
      area: '89.56',
      deliveryDate: '2020-01-01',
      ownerName: `业主${i}`,
      phone: `138${String(i).padStart(8, '0')}`,
      createdAt: '2025-01-01T00:00:00+08:00',
    });
    const day = rng.int(0, 364);
    const issuedAt = Date.parse(`${addDays('2025-01-01', day)}T10:00:00+08:00`);
    const start = addDays('2025-01-01', Math.min(364, day + 30));
    const invoiceNo = `${ESTATE}-2025-${String(i + 1).padStart(6, '0')}`;
    const line = { feeCode: 'PROPERTY_FEE', amount: 193450n, period: { start, end: addYears(start, 1) } };
    put(
      ledgerItems(cashier(db, issuedAt), issuedAt, {
        estateId: ESTATE,
        kind: 'INVOICE_ISSUED',
        documentNo: invoiceNo,
        invoiceNo,
        unitId,
        dueDate: start,
        lines: [line],
      }),
    );
    if (rng.int(0, 9) < 7) {
      const paidAt = issuedAt + rng.int(1, 120) * 86_400_000;
      const receiptNo = `${ESTATE}-R2025-${String(i + 1).padStart(6, '0')}`;
      put(
        ledgerItems(cashier(db, paidAt), paidAt, {
          estateId: ESTATE,
          kind: 'PAYMENT_RECEIVED',
          documentNo: receiptNo,
          invoiceNo,
          receiptNo,
          unitId,
          channel: 'CASH',
          lines: [line],
        }),
      );
    }
    if (i % 5 === 0) {
      const at = Date.parse(`${addDays('2025-01-01', rng.int(0, 364))}T15:00:00+08:00`);
      const no = `${ESTATE}-2025-${String(UNITS + i + 1).padStart(6, '0')}`;
      put(
        ledgerItems(cashier(db, at), at, {
          estateId: ESTATE,
          kind: 'INVOICE_ISSUED',
          documentNo: no,
          invoiceNo: no,
          unitId,
          lines: [{ feeCode: 'RENOVATION_WASTE', amount: 44780n }],
        }),
      );
    }
  }
  const ledgerRows = items.filter((it) => String(it['PK']).startsWith('LEDGER#')).length;
  let next = 0;
  const writer = async () => {
    while (next < items.length) {
      const batch = items.slice(next, next + 25);
      next += 25;
      await db.batchPut(batch);
    }
  };
  await Promise.all(Array.from({ length: 16 }, writer));
  return ledgerRows;
}

async function rawQuery(client: DynamoDBClient, table: string): Promise<number> {
  let rows = 0;
  let start: Record<string, AttributeValue> | undefined;
  do {
    const out = await client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'PK = :pk AND SK <= :hi',
        ExpressionAttributeValues: { ':pk': { S: ledgerPk(ESTATE) }, ':hi': { S: `${AS_OF}#~` } },
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
  const config = localDynamoClientConfig(given ?? dynamo!.endpoint);
  const client = new DynamoDBClient({ ...config, maxAttempts: 1 });
  const table = `arrears-bench-${Date.now().toString(36)}`;
  await client.send(new CreateTableCommand(createTableInput(table)));
  const db = new Db(documentClient(config), table);
  const results: BenchResult[] = [];
  try {
    let t = performance.now();
    const ledgerRows = await seed(db);
    results.push({ name: 'arrears/seed', value: (performance.now() - t) / 1000, unit: 's' });
    const raw: number[] = [];
    const report: number[] = [];
    let units = 0;
    let complete = true;
    let read = 0;
    for (let round = 0; round < ROUNDS; round++) {
      t = performance.now();
      const n = await rawQuery(client, table);
      raw.push(n / ((performance.now() - t) / 1000));
      // Payments dated after asOf are not read: both sides stop at the end of asOf.
      read = n;
      complete &&= n > 0 && n <= ledgerRows;
      t = performance.now();
      const book = await readArrearsBook(db, ESTATE, AS_OF);
      const rows = book.units(AS_OF);
      arrearsTotals(rows);
      report.push(book.rows / ((performance.now() - t) / 1000));
      complete &&= book.rows === n;
      units = rows.length;
    }
    const rawBest = Math.max(...raw);
    const best = Math.max(...report);
    results.push({ name: 'arrears/raw-query', value: rawBest, unit: 'rows/s' });
    results.push({
      name: 'arrears/report-10k-units',
      value: best,
      unit: 'rows/s',
      reference: 'arrears/raw-query',
      ratio: best / rawBest,
      goal: `>= 0.5 x raw query (${read} ledger rows by asOf, ${units} units in arrears)`,
      ok: complete && best / rawBest >= 0.5,
    });
    t = performance.now();
    const rows = (await readArrearsBook(db, ESTATE, AS_OF)).units(AS_OF);
    await unitLabels(
      db,
      rows.slice(0, 1000).map((r) => r.unitId),
    );
    results.push({ name: 'arrears/first-json-page-1000', value: performance.now() - t, unit: 'ms' });
  } finally {
    client.destroy();
    await dynamo?.stop();
  }

  const child = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `process.on('exit', () => process.stderr.write('MAXRSS_KB=' + process.resourceUsage().maxRSS + '\\n')); await import(${JSON.stringify(join(root, 'test/bench/arrears-xlsx.child.ts'))});`,
      '--',
      '20000',
    ],
    { cwd: root, encoding: 'utf8', timeout: 600_000 },
  );
  const kb = /MAXRSS_KB=(\d+)/.exec(child.stderr ?? '')?.[1];
  const made = /XLSX_BYTES=(\d+) ROWS=(\d+)/.exec(child.stdout ?? '');
  const mb = kb ? Number(kb) / 1024 : Number.NaN;
  results.push({
    name: 'arrears/xlsx-20k-peak-rss',
    value: mb,
    unit: 'MB',
    goal: `< 256 MB (${made ? `${made[2]} rows, ${(Number(made[1]) / 1e6).toFixed(1)} MB file` : `child failed: ${child.stderr}`})`,
    ok: child.status === 0 && made?.[2] === '20000' && mb < 256,
  });
  return results;
}
