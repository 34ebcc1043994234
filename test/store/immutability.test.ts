/**
 * "Issued documents are never edited or deleted": proven on every write the services send during a
 * full billing flow, and by a static check that no code path can delete an item.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { creditInvoice } from '../../lib/billing/credit-notes.js';
import { createEstate } from '../../lib/billing/estates.js';
import { withIdempotency } from '../../lib/billing/idempotency.js';
import { issueInvoice, voidInvoice } from '../../lib/billing/invoices.js';
import { payInvoice } from '../../lib/billing/payments.js';
import { runRenewals } from '../../lib/billing/renewals.js';
import { createUnit, registerSpace } from '../../lib/billing/units.js';
import { formatFen } from '../../lib/money.js';
import { billingHarness, type Harness } from '../support/billing.js';
import { observeCalls } from '../support/store-middleware.js';

/** Items that are documents or records: created once, never overwritten. */
const WRITE_ONCE = /^(INVOICE|RECEIPT|CREDIT|LEDGER|AUDIT|REFUND|DEPOSIT)#/;
/** What may change on an invoice after issue: its status and the references that status needs. */
const INVOICE_STATE = new Set([
  'status',
  'receiptNo',
  'paidAt',
  'voidedAt',
  'voidReason',
  'voidedBy',
  'creditNoteNo',
]);

interface Write {
  kind: 'Put' | 'Update' | 'Delete';
  input: Record<string, unknown>;
}

function writesOf(action: string, input: Record<string, unknown>): Write[] {
  if (action === 'PutItem') return [{ kind: 'Put', input }];
  if (action === 'UpdateItem') return [{ kind: 'Update', input }];
  if (action === 'DeleteItem') return [{ kind: 'Delete', input }];
  if (action === 'BatchWriteItem') {
    const requests = Object.values(input['RequestItems'] ?? {}).flat() as Record<
      string,
      Record<string, unknown>
    >[];
    return requests.map((r) =>
      r['DeleteRequest']
        ? { kind: 'Delete', input: r['DeleteRequest'] }
        : { kind: 'Put', input: r['PutRequest']! },
    );
  }
  if (action === 'TransactWriteItems') {
    const items = (input['TransactItems'] ?? []) as Record<string, Record<string, unknown>>[];
    return items.flatMap((it) =>
      Object.entries(it)
        .filter(([k]) => k !== 'ConditionCheck')
        .map(([k, v]) => ({ kind: k as Write['kind'], input: v })),
    );
  }
  return [];
}

function pkOf(w: Write): string {
  const item = (w.input['Item'] ?? w.input['Key']) as { PK?: string } | undefined;
  return item?.PK ?? '';
}

/** Attribute names an update expression sets or removes, with #aliases resolved. */
function touched(w: Write): string[] {
  const expr = String(w.input['UpdateExpression'] ?? '');
  const names = (w.input['ExpressionAttributeNames'] ?? {}) as Record<string, string>;
  return expr
    .replace(/^\s*(SET|REMOVE|ADD|DELETE)\s+/gi, ',')
    .replace(/\s+(SET|REMOVE|ADD|DELETE)\s+/gi, ',')
    .split(',')
    .map((part) => part.split('=')[0]!.trim())
    .filter(Boolean)
    .map((n) => names[n] ?? n);
}

let h: Harness;
const writes: Write[] = [];

beforeAll(async () => {
  h = await billingHarness();
  // Record every command on its way to DynamoDB Local (an SDK middleware), then send it for real.
  const stop = observeCalls(h.db.doc, (action, input) => writes.push(...writesOf(action, input)));

  // A full flow: set-up, move-in, payment (idempotent), void, credit note, renewal.
  const admin = h.ctx('admin');
  const cashier = h.ctx('cashier');
  await createEstate(admin, { estateId: 'DEMO', name: '示范小区' });
  const unit = await createUnit(admin, 'DEMO', {
    building: '1',
    room: '101',
    unitType: 'HIGH_RISE',
    area: '89.56',
    deliveryDate: '2024-03-10',
    ownerIds: ['o1'],
  });
  await registerSpace(admin, unit.unitId, { spaceNo: 'B-1', kind: 'OWNED', plates: ['粤B12345'] });
  h.clock.set('2024-03-10T10:00:00+08:00');
  const moveIn = await issueInvoice(cashier, {
    unitId: unit.unitId,
    items: [{ type: 'PROPERTY_FEE' }, { type: 'PARKING_SPACE_FEE' }],
  });
  await withIdempotency(
    h.db,
    cashier.now,
    { actor: 'cashier-1', key: 'k1', fingerprint: 'f' },
    async (handle) => {
      const r = await payInvoice(
        cashier,
        moveIn.invoiceNo,
        { channel: 'CASH', amount: formatFen(moveIn.total), tendered: '3000.00' },
        {
          handle,
          present: (x) => ({ status: 201, body: { receiptNo: (x as { receiptNo: string }).receiptNo } }),
        },
      );
      return { status: 201, body: { receiptNo: r.receiptNo } };
    },
    () => undefined,
  );
  const other = await issueInvoice(cashier, { unitId: unit.unitId, items: [{ type: 'RENOVATION_WASTE' }] });
  await voidInvoice(cashier, other.invoiceNo, '重复开具');
  h.clock.set('2025-02-20T10:00:00+08:00');
  const renewed = await runRenewals(cashier, 'DEMO', '2025-02-20');
  expect(renewed.issued).toHaveLength(1);
  const renewal = renewed.issued[0]!;
  await payInvoice(cashier, renewal, { channel: 'TRANSFER', amount: '2294.50' });
  await creditInvoice(cashier, renewal, '重复缴费');
  stop();
});

describe('no financial item is ever overwritten or deleted', () => {
  it('the flow wrote documents of every kind (the spy saw them)', () => {
    const prefixes = new Set(writes.map((w) => pkOf(w).split('#')[0]));
    for (const p of ['INVOICE', 'RECEIPT', 'CREDIT', 'LEDGER', 'AUDIT', 'UNIT', 'ESTATE'])
      expect(prefixes).toContain(p);
  });

  it('sends no delete at all', () => {
    expect(writes.filter((w) => w.kind === 'Delete')).toEqual([]);
  });

  it('creates every document, ledger entry and audit record with a put that cannot overwrite', () => {
    const puts = writes.filter((w) => w.kind === 'Put' && WRITE_ONCE.test(pkOf(w)));
    expect(puts.length).toBeGreaterThan(10);
    for (const p of puts)
      expect(String(p.input['ConditionExpression'])).toContain('attribute_not_exists(PK)');
  });

  it('updates an invoice only in its status fields, and never updates receipts, credit notes, ledger or audit', () => {
    const updates = writes.filter((w) => w.kind === 'Update' && WRITE_ONCE.test(pkOf(w)));
    expect(updates.length).toBeGreaterThan(0);
    for (const u of updates) {
      expect(pkOf(u)).toMatch(/^INVOICE#/);
      expect(String(u.input['UpdateExpression'])).not.toMatch(/REMOVE/i);
      for (const attr of touched(u)) expect(INVOICE_STATE).toContain(attr);
      // Each status move is conditional on the status it leaves.
      expect(String(u.input['ConditionExpression'])).toMatch(/#status = :/);
    }
  });
});

describe('static check', () => {
  it('no source file under lib/ or functions/ can delete an item', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts')) files.push(p);
      }
    };
    walk('lib');
    walk('functions');
    const offenders = files.filter((f) =>
      /DeleteCommand|DeleteItem|\bDelete\s*:|DeleteRequest/.test(readFileSync(f, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});
