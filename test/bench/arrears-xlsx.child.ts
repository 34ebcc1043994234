/**
 * Child process of arrears.bench.ts: the arrears report's XLSX answer for N units, built as the route
 * builds it (every unit's tally in memory for sorting, labels joined a chunk at a time, the file
 * written by the streaming writer into the answer's buffer). Prints the file size and row count;
 * the parent reads this process's peak RSS.
 */
import { tableAnswer } from '../../lib/api/report-formats.js';
import { BUCKET_KEYS, compareRows, type UnitArrears, zeroBuckets } from '../../lib/reports/arrears.js';
import type { LabelledArrears } from '../../lib/reports/arrears-query.js';
import { ARREARS_COLUMNS } from '../../lib/reports/arrears-table.js';
import { addDays } from '../../lib/time.js';

const n = Number(process.argv[2] ?? 20_000);
const rows: UnitArrears[] = [];
for (let i = 0; i < n; i++) {
  const amount = BigInt(10_000 + ((i * 7919) % 900_000));
  const days = (i * 37) % 500;
  const buckets = zeroBuckets();
  buckets[BUCKET_KEYS[Math.min(4, Math.floor(days / 100))]!] = amount;
  rows.push({
    unitId: `BIG-U${String(i).padStart(5, '0')}`,
    overdue: amount,
    oldestDueDate: addDays('2026-12-01', -days),
    daysOverdue: days,
    buckets,
    byFeeCode: new Map([['PROPERTY_FEE', amount]]),
    notYetDue: 0n,
    bills: [],
  });
}
rows.sort(compareRows);

async function* labelled(): AsyncGenerator<LabelledArrears> {
  for (const r of rows) {
    const i = Number(r.unitId.slice(5));
    yield {
      ...r,
      label: {
        building: `${1 + (i % 40)}栋`,
        room: `${100 + (i % 3000)}`,
        owner: '张三',
        phone: '*******5678',
      },
    };
  }
}

const answer = await tableAnswer({
  format: 'xlsx',
  file: 'arrears-BIG',
  sheet: '欠费',
  columns: ARREARS_COLUMNS(),
  rows: labelled(),
  totals: true,
});
process.stdout.write(`XLSX_BYTES=${answer.body.length} ROWS=${rows.length}\n`);
