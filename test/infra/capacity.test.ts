/**
 * DynamoDB capacity per bill: a cashier issues an annual invoice (property fee and one owned space)
 * and takes the cash payment, both through the API dispatcher exactly as a Lambda runs them
 * (idempotency record, gapless numbers, ledger, audit), against DynamoDB Local.
 *
 * DynamoDB Local reports consumed capacity (the store's `onCapacity` hook collects it), but not as
 * AWS bills it: an eight-item transaction comes back as 10 units, where AWS charges at least 2 per
 * item. So every call is also priced from first principles — the sizes of the items it reads and
 * writes, before and after, fetched around the call — with the published rules:
 *   - reads: 4 KB units, strongly consistent 1 RCU, eventually consistent (queries, indexes) 0.5;
 *     a query is priced on the total size of the items it reads;
 *   - writes: 1 KB units of the larger of the item before and after; in a transaction every item,
 *     condition checks included, costs twice;
 *   - each global secondary index an item is in, enters or leaves costs one more write of its
 *     size (two when its index key changes), at the standard rate.
 * docs/deploy.md turns the figures into money. The test holds a budget, so a change that makes a
 * bill markedly dearer fails here and not on an AWS invoice.
 */

import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../lib/api/dispatch.js';
import { router } from '../../lib/api/routes.js';
import { createEstate } from '../../lib/billing/estates.js';
import { createUnit, registerSpace } from '../../lib/billing/units.js';
import { Db } from '../../lib/store/db.js';
import { createTableInput, TABLE_KEYS } from '../../lib/store/table.js';
import {
  createTableFromInput,
  freshTableName,
  testDocumentClient,
  testDynamoClient,
} from '../support/dynamo.js';
import { gatewayEvent } from '../support/gateway-event.js';
import { actionOf } from '../support/store-middleware.js';

const BILLS = 10;
/** Budget per issued and paid bill, AWS pricing rules (see docs/deploy.md). */
const BUDGET = { wcu: 80, rcu: 20 };

/** An item as the document client carries it: the middleware runs before marshalling. */
type Item = Record<string, unknown>;

/** DynamoDB's item size: attribute names plus values, as the pricing rules count them. */
function itemSize(item: Item): number {
  const value = (v: unknown): number => {
    if (typeof v === 'string') return Buffer.byteLength(v);
    if (typeof v === 'bigint' || typeof v === 'number') {
      const digits = String(v).replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
      return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
    }
    if (typeof v === 'boolean' || v === null) return 1;
    if (v instanceof Uint8Array) return v.byteLength;
    if (v instanceof Set) return [...v].reduce((n: number, x) => n + value(x), 0);
    if (Array.isArray(v)) return 3 + v.reduce((n: number, x) => n + 1 + value(x), 0);
    if (typeof v === 'object') {
      return 3 + Object.entries(v as Item).reduce((n, [k, x]) => n + Buffer.byteLength(k) + 1 + value(x), 0);
    }
    return 0;
  };
  return Object.entries(item).reduce((n, [k, v]) => n + Buffer.byteLength(k) + value(v), 0);
}

const KB = 1024;
const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / KB));
const readUnits = (bytes: number, consistent: boolean) =>
  Math.max(1, Math.ceil(bytes / (4 * KB))) * (consistent ? 1 : 0.5);

const INDEXES = [TABLE_KEYS.gsi1, TABLE_KEYS.gsi2, TABLE_KEYS.gsi3];

/** Index writes caused by an item going from `before` to `after` (either may be absent). */
function indexWrites(before: Item | undefined, after: Item | undefined): number {
  let units = 0;
  for (const g of INDEXES) {
    const keyOf = (i: Item | undefined) =>
      i && typeof i[g.partitionKey] === 'string' && typeof i[g.sortKey] === 'string'
        ? `${i[g.partitionKey]}|${i[g.sortKey]}`
        : undefined;
    const [kb, ka] = [keyOf(before), keyOf(after)];
    if (kb && ka && kb !== ka) units += writeUnits(itemSize(before!)) + writeUnits(itemSize(after!));
    else if (kb || ka)
      units += writeUnits(Math.max(before ? itemSize(before) : 0, after ? itemSize(after) : 0));
  }
  return units;
}

interface Priced {
  op: string;
  /** By the AWS rules above. */
  rcu: number;
  wcu: number;
  /** Of which index writes. */
  gsiWcu: number;
  /** Table bytes added (items after minus before). */
  stored: number;
  /** What DynamoDB Local said (Db's onCapacity). */
  localRead: number;
  localWrite: number;
  items: number;
}

const log: Priced[] = [];

function instrumentedDb(table: string): Db {
  const doc = testDocumentClient();
  const plain = testDocumentClient();
  const fetch = async (key: Item) =>
    (
      await plain.send(
        new GetCommand({ TableName: table, Key: { PK: key['PK'], SK: key['SK'] }, ConsistentRead: true }),
      )
    ).Item as Item | undefined;
  let pending: Omit<Priced, 'localRead' | 'localWrite'> | undefined;
  // Every call on its way to DynamoDB Local (an SDK middleware), priced around the real call.
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const command = actionOf(context.commandName);
      const input = args.input as Record<string, unknown>;
      // The items a write touches, as [key, kind] — fetched before and after the call.
      const targets: { key: Item; kind: 'put' | 'update' | 'check' }[] = [];
      if (command === 'PutItem') targets.push({ key: input['Item'] as Item, kind: 'put' });
      if (command === 'UpdateItem') targets.push({ key: input['Key'] as Item, kind: 'update' });
      for (const t of (input['TransactItems'] as Record<string, { Item?: Item; Key?: Item }>[] | undefined) ??
        []) {
        if (t['Put']) targets.push({ key: t['Put'].Item!, kind: 'put' });
        if (t['Update']) targets.push({ key: t['Update'].Key!, kind: 'update' });
        if (t['ConditionCheck']) targets.push({ key: t['ConditionCheck'].Key!, kind: 'check' });
        if (t['Delete']) throw new Error('a transaction deletes an item');
      }
      const before = await Promise.all(targets.map((t) => fetch(t.key)));
      const result = await next(args);
      const output = result.output as { Item?: Item; Items?: Item[] };
      let rcu = 0;
      let wcu = 0;
      let gsiWcu = 0;
      let stored = 0;
      if (command === 'GetItem') {
        rcu = readUnits(output.Item ? itemSize(output.Item) : 0, input['ConsistentRead'] === true);
      } else if (command === 'Query') {
        const bytes = (output.Items ?? []).reduce((n, i) => n + itemSize(i), 0);
        rcu = readUnits(bytes, input['ConsistentRead'] === true && !input['IndexName']);
      } else if (targets.length > 0) {
        const after = await Promise.all(targets.map((t) => fetch(t.key)));
        const factor = command === 'TransactWriteItems' ? 2 : 1;
        targets.forEach((t, i) => {
          const [b, a] = [before[i], after[i]];
          const size = Math.max(b ? itemSize(b) : 0, a ? itemSize(a) : 0);
          wcu += factor * writeUnits(size);
          stored += (a ? itemSize(a) : 0) - (b ? itemSize(b) : 0);
          if (t.kind !== 'check') gsiWcu += indexWrites(b, a);
        });
        wcu += gsiWcu;
      }
      pending = { op: command, rcu, wcu, gsiWcu, stored, items: Math.max(targets.length, 1) };
      return result;
    },
    { step: 'initialize', priority: 'high', name: 'priceEveryCall' },
  );
  return new Db(doc, table, {
    onCapacity: (_op, read, write) => {
      if (pending) log.push({ ...pending, localRead: read, localWrite: write });
      pending = undefined;
    },
  });
}

function event(
  method: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyEventV2 {
  return gatewayEvent(method, path, body, {
    claims: { sub: 'cashier-cap', 'cognito:groups': '[cashier]', 'custom:estates': 'CAP' },
    headers,
    userAgent: 'capacity',
  });
}

const total = (xs: Priced[], k: 'rcu' | 'wcu' | 'gsiWcu' | 'stored' | 'localRead' | 'localWrite') =>
  xs.reduce((n, c) => n + c[k], 0);
const perBill: { issue: Priced[]; pay: Priced[] }[] = [];

beforeAll(async () => {
  const table = await freshTableName('capacity');
  await createTableFromInput(testDynamoClient(), createTableInput(table));
  const db = instrumentedDb(table);
  const clock = { now: Date.parse('2025-03-01T10:00:00+08:00') };
  const admin = {
    db,
    now: () => clock.now,
    actor: { sub: 'admin-cap', role: 'admin' as const, estates: ['CAP'], units: [] },
  };
  await createEstate(admin, { estateId: 'CAP', name: '容量小区' });
  const units: string[] = [];
  for (let i = 0; i < BILLS; i++) {
    const unit = await createUnit(admin, 'CAP', {
      building: '1栋',
      room: String(101 + i),
      unitType: 'HIGH_RISE',
      area: '89.56',
      deliveryDate: '2025-02-15',
      ownerIds: [`owner-${i}`],
    });
    await registerSpace(admin, unit.unitId, { spaceNo: `B1-${100 + i}`, kind: 'OWNED', plates: [] });
    units.push(unit.unitId);
  }
  const deps = { db, now: () => clock.now };
  for (const [i, unitId] of units.entries()) {
    log.length = 0;
    const issued = await dispatch(
      router,
      event(
        'POST',
        '/v1/invoices',
        { unitId, items: [{ type: 'PROPERTY_FEE' }, { type: 'PARKING_SPACE_FEE' }] },
        { 'idempotency-key': `capacity-issue-${unitId}` },
      ),
      deps,
    );
    expect(issued.response.statusCode, String(issued.response.body)).toBe(201);
    const issue = [...log];
    const invoice = JSON.parse(String(issued.response.body)) as { invoiceNo: string; total: string };
    log.length = 0;
    const paid = await dispatch(
      router,
      event(
        'POST',
        `/v1/invoices/${invoice.invoiceNo}/payments`,
        { channel: 'CASH', amount: invoice.total, tendered: '3000.00' },
        { 'idempotency-key': `cap-${i}` },
      ),
      deps,
    );
    expect(paid.response.statusCode, String(paid.response.body)).toBe(201);
    perBill.push({ issue, pay: [...log] });
  }
}, 120_000);

describe('capacity per issued and paid bill', () => {
  it('prices every call, transactional items at least twice', () => {
    const all = perBill.flatMap((b) => [...b.issue, ...b.pay]);
    expect(all.some((c) => c.op === 'TransactWriteItems')).toBe(true);
    for (const c of all) {
      if (c.op === 'TransactWriteItems')
        expect(c.wcu - c.gsiWcu, JSON.stringify(c)).toBeGreaterThanOrEqual(2 * c.items);
      if (c.op === 'GetItem' || c.op === 'Query') expect(c.rcu, JSON.stringify(c)).toBeGreaterThan(0);
    }
  });

  it('stays within its budget', () => {
    const bills = perBill.slice(1); // the first bill also creates the year's number counters
    const mean = (f: (b: (typeof perBill)[number]) => number) =>
      bills.reduce((n, b) => n + f(b), 0) / bills.length;
    const wcu = mean((b) => total(b.issue, 'wcu') + total(b.pay, 'wcu'));
    const gsi = mean((b) => total(b.issue, 'gsiWcu') + total(b.pay, 'gsiWcu'));
    const rcu = mean((b) => total(b.issue, 'rcu') + total(b.pay, 'rcu'));
    const local = mean((b) => total(b.issue, 'localWrite') + total(b.pay, 'localWrite'));
    const calls = mean((b) => b.issue.length + b.pay.length);
    const stored = mean((b) => total(b.issue, 'stored') + total(b.pay, 'stored'));
    const show = (xs: Priced[]) =>
      xs
        .map((c) => `${c.op}${c.items > 1 ? `[${c.items}]` : ''} ${c.rcu ? `${c.rcu}r` : `${c.wcu}w`}`)
        .join(', ');
    console.log(
      [
        `per issued+paid bill (mean of ${bills.length}): ${wcu.toFixed(1)} WCU (of which index writes ${gsi.toFixed(1)}), ${rcu.toFixed(1)} RCU, ${calls.toFixed(1)} calls, ${(stored / KB).toFixed(1)} KB stored;`,
        `DynamoDB Local reported ${local.toFixed(1)} write units for the same calls`,
        `  issue: ${show(bills[0]!.issue)}`,
        `  pay:   ${show(bills[0]!.pay)}`,
      ].join('\n'),
    );
    expect(wcu).toBeLessThanOrEqual(BUDGET.wcu);
    expect(rcu).toBeLessThanOrEqual(BUDGET.rcu);
  });
});
