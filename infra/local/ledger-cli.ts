/**
 * `npm run ledger -- --estate DEMO --from 2025-01-01 --to 2025-12-31 --out ledger.csv [--lang zh]
 * [--format csv|xlsx]`
 *
 * A complete CSV or XLSX export of any size (XLSX through exceljs's streaming writer), written page by page straight from the table (constant
 * memory), with a progress bar on the terminal. The file appears under its name only once every
 * row is written; a failed export leaves nothing that looks complete.
 *
 * Which table: `TABLE_NAME` (with `DYNAMO_ENDPOINT` for DynamoDB Local, else AWS with the usual
 * credentials and `AWS_REGION`), as the Lambdas read it; without `TABLE_NAME`, the DynamoDB Local
 * that a running `npm start` recorded in `.local/dynamodb.json` (in `LOCAL_DATA_DIR` when that is set).
 */

import { once } from 'node:events';
import { createWriteStream, existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { finished } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { Temporal } from 'temporal-polyfill';
import { depsFromEnv } from '../../lib/api/runtime.js';
import { getEstate } from '../../lib/billing/estates.js';
import { NotFoundError } from '../../lib/errors.js';
import { CSV_LANGS, type CsvLang, exportCsv } from '../../lib/ledger/csv.js';
import { parseRange } from '../../lib/ledger/query.js';
import { exportXlsx } from '../../lib/ledger/xlsx.js';
import { formatFen } from '../../lib/money.js';
import { Db, documentClient } from '../../lib/store/db.js';
import { LOCAL_STATE_DIR } from './dev-auth.js';
import { localDynamoClientConfig } from './dynamodb-local.js';
import { dataDir } from './local-data.js';

const USAGE =
  'usage: npm run ledger -- --estate DEMO --from 2025-01-01 --to 2025-12-31 --out ledger.csv [--lang en|zh] [--format csv|xlsx]';

/** Written by `npm start` while it runs: beside its data when LOCAL_DATA_DIR is set, as start.ts does. */
export const LOCAL_DYNAMO_FILE = join(
  process.env['LOCAL_DATA_DIR'] ? dataDir(dirname(LOCAL_STATE_DIR)) : LOCAL_STATE_DIR,
  'dynamodb.json',
);

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function store(): { db: Db; where: string; hint: string } {
  if (process.env['TABLE_NAME']) {
    const where = process.env['DYNAMO_ENDPOINT'] ?? `AWS ${process.env['AWS_REGION'] ?? ''}`.trim();
    return {
      db: depsFromEnv().db,
      where: `${process.env['TABLE_NAME']} at ${where}`,
      hint: 'check TABLE_NAME and DYNAMO_ENDPOINT',
    };
  }
  if (!existsSync(LOCAL_DYNAMO_FILE)) {
    fail(
      'No table: set TABLE_NAME (and DYNAMO_ENDPOINT for DynamoDB Local), or run `npm start` in another terminal.',
    );
  }
  const local = JSON.parse(readFileSync(LOCAL_DYNAMO_FILE, 'utf8')) as { endpoint: string; table: string };
  const db = new Db(
    documentClient({ ...localDynamoClientConfig(local.endpoint), maxAttempts: 2 }),
    local.table,
  );
  return { db, where: `${local.table} at ${local.endpoint}`, hint: 'is `npm start` still running?' };
}

async function main(): Promise<void> {
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        estate: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        out: { type: 'string' },
        lang: { type: 'string', default: 'en' },
        format: { type: 'string', default: 'csv' },
      },
      strict: true,
    }));
  } catch (e) {
    fail(`${(e as Error).message}\n${USAGE}`);
  }
  const { estate, from, to, out, lang, format } = values;
  if (!estate || !from || !to || !out) fail(USAGE);
  if (format !== 'csv' && format !== 'xlsx') fail(`--format must be csv or xlsx\n${USAGE}`);
  if (!(CSV_LANGS as readonly string[]).includes(lang!))
    fail(`--lang must be one of ${CSV_LANGS.join(', ')}`);
  let range: ReturnType<typeof parseRange>;
  try {
    range = parseRange({ estateId: estate, from, to });
  } catch (e) {
    fail((e as Error).message);
  }
  const { db, where, hint } = store();
  try {
    await getEstate({ db }, estate);
  } catch (e) {
    if (e instanceof NotFoundError) fail(`${e.message} in ${where}`);
    fail(`the table ${where} did not answer (${(e as Error).message}); ${hint}`);
  }

  const days = Temporal.PlainDate.from(range.from).until(range.to).days + 1;
  const bar = new SingleBar({
    format: 'ledger {bar} {percentage}% | {date} | {rows} rows',
    stream: process.stderr,
    hideCursor: true,
  });
  bar.start(days, 0, { date: range.from, rows: 0 });

  const partial = `${out}.partial`;
  const file = createWriteStream(partial);
  try {
    await once(file, 'open');
  } catch (e) {
    bar.stop();
    fail(`cannot write ${partial}: ${(e as Error).message}`);
  }
  // A write error later (disk full) must fail the export, not crash it.
  let writeError: Error | undefined;
  file.on('error', (e) => {
    writeError = e;
  });
  const started = performance.now();
  try {
    const onProgress = ({ rows, lastDate }: { rows: number; lastDate?: string }) => {
      const done = lastDate ? Temporal.PlainDate.from(range.from).until(lastDate).days : 0;
      bar.update(done, { date: lastDate ?? range.from, rows });
    };
    // The XLSX writer ends the stream itself when the workbook is committed.
    const result =
      format === 'xlsx'
        ? await exportXlsx(db, range, file, { onProgress })
        : await exportCsv(db, range, file, { lang: lang as CsvLang, onProgress });
    if (format === 'csv') file.end();
    await finished(file);
    if (writeError) throw writeError;
    renameSync(partial, out);
    bar.update(days, { rows: result.rows });
    bar.stop();
    const seconds = (performance.now() - started) / 1000;
    process.stderr.write(
      `Wrote ${result.rows} rows (amounts sum to ${formatFen(result.amount)}) to ${out} in ${seconds.toFixed(1)} s from ${where}\n`,
    );
  } catch (e) {
    bar.stop();
    file.destroy();
    rmSync(partial, { force: true });
    throw e;
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`ledger export failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
