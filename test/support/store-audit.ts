/**
 * An offline audit of the whole table: every invoice paid at most once, every number series
 * gapless, and the ledger equal to the documents. It scans everything, so it is a tool for tests,
 * benchmarks and an accountant's year-end check, never a request path.
 */
import type { Db } from '../../lib/store/db.js';
import { SERIES } from '../../lib/store/keys.js';

type Item = Record<string, unknown>;

export interface AuditReport {
  problems: string[];
  counts: { invoices: number; receipts: number; creditNotes: number; ledgerEntries: number; series: number };
}

async function scanAll(db: Db): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.scan({ ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) });
    items.push(...page.items);
    start = page.lastKey;
  } while (start);
  return items;
}

/** Which documents a counter numbers, and how to read the sequence out of a document. */
const SERIES_DOCS: Record<
  string,
  { type: string; field: string; pattern: (e: string, y: string) => RegExp }
> = {
  [SERIES.invoice]: {
    type: 'INVOICE',
    field: 'invoiceNo',
    pattern: (e, y) => new RegExp(`^${e}-${y}-(\\d{6})$`),
  },
  [SERIES.receipt]: {
    type: 'RECEIPT',
    field: 'receiptNo',
    pattern: (e, y) => new RegExp(`^${e}-R${y}-(\\d{6})$`),
  },
  [SERIES.creditNote]: {
    type: 'CREDIT_NOTE',
    field: 'creditNoteNo',
    pattern: (e, y) => new RegExp(`^${e}-C${y}-(\\d{6})$`),
  },
  [SERIES.depositRefund]: {
    type: '',
    field: 'refundNo',
    pattern: (e, y) => new RegExp(`^${e}-T${y}-(\\d{6})$`),
  },
};

function sum(entries: Item[]): bigint {
  return entries.reduce((s, e) => s + (e['amount'] as bigint), 0n);
}

/** Audits the whole table, or one estate's documents, counters and ledger when `estateId` is given. */
export async function auditStore(db: Db, estateId?: string): Promise<AuditReport> {
  const all = await scanAll(db);
  const items = estateId
    ? all.filter(
        (i) =>
          i['estateId'] === estateId || i['PK'] === `ESTATE#${estateId}` || i['PK'] === `LEDGER#${estateId}`,
      )
    : all;
  const problems: string[] = [];
  const byType = (t: string) => items.filter((i) => i['type'] === t);
  const invoices = byType('INVOICE');
  const receipts = byType('RECEIPT');
  const creditNotes = byType('CREDIT_NOTE');
  const ledger = byType('LEDGER');
  const counters = items.filter((i) => String(i['SK']).startsWith('SEQ#'));

  // Paid at most once, and paid exactly when a receipt says so.
  const receiptsByInvoice = new Map<string, Item[]>();
  for (const r of receipts) {
    const no = r['invoiceNo'] as string | undefined;
    if (no) receiptsByInvoice.set(no, [...(receiptsByInvoice.get(no) ?? []), r]);
  }
  for (const inv of invoices) {
    const no = inv['invoiceNo'] as string;
    const paid = receiptsByInvoice.get(no) ?? [];
    const shouldBePaid = inv['status'] === 'PAID' || inv['status'] === 'CREDITED';
    if (paid.length > 1) problems.push(`invoice ${no} has ${paid.length} receipts`);
    if (shouldBePaid !== (paid.length === 1))
      problems.push(`invoice ${no} is ${inv['status']} with ${paid.length} receipts`);
    if (paid.length === 1 && paid[0]!['amount'] !== inv['total'])
      problems.push(`invoice ${no} total differs from its receipt`);
    if (paid.length === 1 && inv['receiptNo'] !== paid[0]!['receiptNo'])
      problems.push(`invoice ${no} names another receipt`);
  }

  // Gapless: the documents of a series are numbered exactly 1..last.
  for (const c of counters) {
    const [, series, year] = String(c['SK']).split('#') as [string, string, string];
    const spec = SERIES_DOCS[series];
    if (!spec) continue;
    const estateId = String(c['PK']).slice('ESTATE#'.length);
    const pattern = spec.pattern(estateId, year);
    const numbers = items
      .map((i) => i[spec.field])
      .filter((v): v is string => typeof v === 'string' && pattern.test(v))
      .filter((v, idx, all) => all.indexOf(v) === idx)
      .map((v) => Number(pattern.exec(v)![1]))
      .sort((a, b) => a - b);
    const last = Number(c['last'] as bigint);
    const expected = Array.from({ length: last }, (_, i) => i + 1);
    if (numbers.length !== last || numbers.some((n, i) => n !== expected[i])) {
      problems.push(
        `series ${series} ${estateId} ${year}: counter at ${last}, documents ${numbers.length} (${numbers.slice(0, 5).join(',')}…)`,
      );
    }
  }

  // The ledger says what the documents say.
  const entriesOf = (field: string, value: string, kinds: string[]) =>
    ledger.filter((e) => e[field] === value && kinds.includes(e['kind'] as string));
  for (const inv of invoices) {
    const no = inv['invoiceNo'] as string;
    if (sum(entriesOf('invoiceNo', no, ['INVOICE_ISSUED'])) !== inv['total'])
      problems.push(`ledger: issue of ${no} ≠ its total`);
    if (
      inv['status'] === 'VOID' &&
      sum(entriesOf('invoiceNo', no, ['INVOICE_VOIDED'])) !== -(inv['total'] as bigint)
    ) {
      problems.push(`ledger: void of ${no} ≠ minus its total`);
    }
  }
  for (const r of receipts) {
    const no = r['receiptNo'] as string;
    if (sum(entriesOf('receiptNo', no, ['PAYMENT_RECEIVED', 'DEPOSIT_RECEIVED'])) !== r['amount']) {
      problems.push(`ledger: receipts of ${no} ≠ its amount`);
    }
  }
  for (const c of creditNotes) {
    const no = c['creditNoteNo'] as string;
    if (sum(entriesOf('creditNoteNo', no, ['CREDIT_NOTE'])) !== c['total'])
      problems.push(`ledger: credit note ${no} ≠ its total`);
  }
  const known = new Set([...invoices.map((i) => i['invoiceNo']), ...receipts.map((r) => r['receiptNo'])]);
  for (const e of ledger) {
    for (const f of ['invoiceNo', 'receiptNo'] as const) {
      if (e[f] !== undefined && !known.has(e[f]))
        problems.push(`ledger entry ${e['SK']} names unknown ${f} ${e[f]}`);
    }
  }

  return {
    problems,
    counts: {
      invoices: invoices.length,
      receipts: receipts.length,
      creditNotes: creditNotes.length,
      ledgerEntries: ledger.length,
      series: counters.length,
    },
  };
}
