/**
 * Issue #9: the main flows through the local server (the API Gateway stand-in of `npm start`) at 1,
 * 16 and 64 concurrent clients, each next to DynamoDB Local's own rate for the same store calls;
 * capacity per flow and the on-demand price it implies; how latency changes with the size of the
 * estate (with the size of the ledger: scale.bench.ts); payments under injected store faults with
 * an audit afterwards; and, with `--soak`, ten minutes of mixed load watching errors and memory.
 *
 * The store reference: one request of the flow is run with a spy on the document client, and the
 * commands it sent are then replayed straight to DynamoDB Local at the same concurrency, each
 * replay writing what the request wrote under keys of its own (replay.ts says why). The ratio
 * API ÷ store is our overhead (HTTP, token, validation, JSON, domain logic) over the store calls
 * that cannot be avoided.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { signDevToken } from '../../infra/local/dev-auth.js';
import { localDynamoClientConfig, startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import { createLocalServer } from '../../infra/local/server.js';
import { logger } from '../../lib/api/lambda.js';
import type { Ctx } from '../../lib/billing/context.js';
import { createEstate } from '../../lib/billing/estates.js';
import { issueInvoice } from '../../lib/billing/invoices.js';
import type { Unit } from '../../lib/billing/records.js';
import { createUnit } from '../../lib/billing/units.js';
import { Db, type DbOptions, documentClient, type StoreClientConfig } from '../../lib/store/db.js';
import { key } from '../../lib/store/keys.js';
import { createTableInput } from '../../lib/store/table.js';
import { auditStore } from '../support/store-audit.js';
import { commandFor, type FaultInjector, injectFaults, observeCalls } from '../support/store-middleware.js';
import { LoadClients, type LoadRequest, type LoadResult, send } from './load-clients.js';
import { type Command, replayOf } from './replay.js';
import type { BenchResult } from './run.js';
import { percentile, round } from './stats.js';

const CONCURRENCY = [1, 16, 64];
// Divisible by ROUNDS × clients: each connection of a turn sends whole flows.
const REQUESTS: Record<number, number> = { 1: 60, 16: 320, 64: 768 };
/** Turns of API and replay per flow and client count; each turn sends REQUESTS ÷ ROUNDS flows. */
const ROUNDS = 4;
/** Flows of each kind sent before anything is measured (API and replay). */
const WARMUP = 160;
const RATIO_GOAL = 0.6;
const RATIO_GOAL_FLOWS = ['quote', 'issue', 'pay', 'parking', 'ledger'];
/** us-east-1 on-demand prices (per million request units) as published after the Nov 2024 cut. */
const PRICE_PER_MILLION = { write: 0.625, read: 0.125 };

interface Capacity {
  read: number;
  write: number;
}

async function pool(count: number, concurrency: number, task: (i: number) => Promise<number | undefined>) {
  let next = 0;
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        const t = performance.now();
        const status = (await task(i)) ?? 0;
        latencies.push(performance.now() - t);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  const ms = performance.now() - started;
  return { perSecond: (count * 1000) / ms, latencies, statuses };
}

/** Several runs as one: flows over the summed time, every latency and status. */
function combined(runs: readonly LoadResult[]): LoadResult {
  const flows = runs.reduce((sum, r) => sum + r.latencies.length, 0);
  const seconds = runs.reduce((sum, r) => sum + r.latencies.length / r.perSecond, 0);
  const statuses = new Map<number, number>();
  for (const r of runs) for (const [s, k] of r.statuses) statuses.set(s, (statuses.get(s) ?? 0) + k);
  return { perSecond: flows / seconds, latencies: runs.flatMap((r) => r.latencies), statuses };
}

export async function run(): Promise<BenchResult[]> {
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  logger.setLogLevel('WARN');
  const results: BenchResult[] = [];
  const dynamo = await startDynamoDbLocal();
  try {
    const config = localDynamoClientConfig(dynamo.endpoint);
    const table = `load-${randomBytes(4).toString('hex')}`;
    await new DynamoDBClient(config).send(new CreateTableCommand(createTableInput(table)));
    const doc = documentClient(config);
    const capacity: Capacity = { read: 0, write: 0 };
    const makeDb = (opts: DbOptions = {}) =>
      new Db(doc, table, {
        onCapacity: (_op, r, w) => {
          capacity.read += r;
          capacity.write += w;
        },
        ...opts,
      });
    const db = makeDb();
    const now = () => Date.now();
    const signingKey = new Uint8Array(randomBytes(32));
    const server = createLocalServer({ db, now }, { signingKey });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    // An estate of 100 units and the tokens of the people who use it.
    const estateId = 'LOAD';
    const admin: Ctx = {
      db,
      now,
      actor: { sub: 'admin', role: 'admin', estates: [estateId, 'BIG'], units: [] },
    };
    const cashierCtx: Ctx = { ...admin, actor: { ...admin.actor, sub: 'cashier', role: 'cashier' } };
    await createEstate(admin, { estateId, name: '压测小区' });
    const units: Unit[] = [];
    for (let i = 0; i < 100; i++) {
      units.push(
        await createUnit(admin, estateId, {
          building: `${1 + (i % 10)}栋`,
          room: String(101 + i),
          unitType: 'HIGH_RISE',
          area: '89.56',
          deliveryDate: '2025-01-01',
          ownerIds: [],
        }),
      );
    }
    const tokens = {
      cashier: await signDevToken(
        { role: 'cashier', estates: [estateId, 'BIG'], sub: 'cashier' },
        signingKey,
      ),
      gate: await signDevToken({ role: 'gate', estates: [estateId], sub: 'gate' }, signingKey),
      accountant: await signDevToken(
        { role: 'accountant', estates: [estateId], sub: 'accountant' },
        signingKey,
      ),
    };
    /** One HTTP request of a flow, as plain data: the clients' worker thread sends it. */
    const request = (
      token: string,
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ): LoadRequest => ({
      method,
      path,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const call = (...args: Parameters<typeof request>) => send(base, [request(...args)]);

    // Invoices to pay: one per pay request of every concurrency level, plus the recorded one.
    const payTotal = CONCURRENCY.reduce((s, c) => s + REQUESTS[c]!, 0) + WARMUP + 1;
    const toPay: string[] = [];
    for (let i = 0; i < payTotal; i++) {
      toPay.push(
        (
          await issueInvoice(cashierCtx, {
            unitId: units[i % units.length]!.unitId,
            items: [{ type: 'RENOVATION_WASTE' }],
          })
        ).invoiceNo,
      );
    }
    let payNext = 0;
    let plateNext = 0;
    const plate = () => `沪A${(plateNext++).toString(36).toUpperCase().padStart(5, '0')}`;
    const today = new Date().toISOString().slice(0, 10);

    // Each flow: the requests one client sends one after another.
    const requests: Record<string, () => LoadRequest[]> = {
      quote: () => [
        request(tokens.cashier, 'POST', '/v1/quotes', {
          estateId,
          items: [
            { type: 'PROPERTY_FEE', unitType: 'HIGH_RISE', area: '89.56', months: 12 },
            { type: 'PARKING_SPACE_FEE', spaces: 1, months: 12 },
          ],
        }),
      ],
      issue: () => {
        const unitId = units[Math.floor(Math.random() * units.length)]!.unitId;
        return [
          request(
            tokens.cashier,
            'POST',
            '/v1/invoices',
            { unitId, items: [{ type: 'RENOVATION_WASTE' }] },
            { 'idempotency-key': randomUUID() },
          ),
        ];
      },
      pay: () => [
        request(
          tokens.cashier,
          'POST',
          `/v1/invoices/${toPay[payNext++]}/payments`,
          { channel: 'CASH', amount: '447.80', tendered: '500.00' },
          { 'idempotency-key': randomBytes(8).toString('hex') },
        ),
      ],
      parking: () => {
        const p = plate();
        const at = new Date().toISOString();
        return [
          request(tokens.gate, 'POST', '/v1/parking/entries', { estateId, plate: p, gateId: 'G1', at }),
          request(tokens.gate, 'POST', '/v1/parking/exits', { estateId, plate: p, gateId: 'G1', at }),
        ];
      },
      ledger: () => [
        request(
          tokens.accountant,
          'GET',
          `/v1/ledger?estateId=${estateId}&from=2025-01-01&to=${today}&limit=100`,
        ),
      ],
    };
    // The same flows sent from this thread (recording, soak).
    const flows: Record<string, () => Promise<number>> = Object.fromEntries(
      Object.entries(requests).map(([name, make]) => [name, () => send(base, make())]),
    );

    // BENCH_LOAD_FLOWS=quote,pay: only those flows' throughput and ratios (the rest is skipped).
    const only = process.env['BENCH_LOAD_FLOWS']?.split(',');
    if (only) for (const name of Object.keys(flows)) if (!only.includes(name)) delete flows[name];
    // The clients run in a worker thread: their HTTP work must not share the server's event loop.
    const loadClients = new LoadClients(base);

    // Record the store commands of one request of each flow, with the capacity it consumed.
    const recorded: Record<string, { commands: Command[]; capacity: Capacity }> = {};
    for (const [name, flow] of Object.entries(flows)) {
      const commands: Command[] = [];
      const before = { ...capacity };
      const stop = observeCalls(doc, (action, input) => commands.push({ action, input }));
      const status = await flow();
      stop();
      if (status >= 300) throw new Error(`${name} answered ${status} while recording`);
      recorded[name] = {
        commands,
        capacity: { read: capacity.read - before.read, write: capacity.write - before.write },
      };
    }
    // Each replay writes what the recorded request wrote, under keys of its own (replay.ts); a
    // command the store refuses stops the bench rather than count as work done.
    const replayTable = `${table}-replay`;
    await new DynamoDBClient(config).send(new CreateTableCommand(createTableInput(replayTable)));
    let replays = 0;
    const replay = async (commands: Command[]) => {
      for (const { action, input } of replayOf(commands, replays++, replayTable)) {
        await doc.send(commandFor(action, input) as never);
      }
      return 200;
    };
    for (const [name, { commands }] of Object.entries(recorded)) {
      await replay(commands).catch((e) => {
        throw new Error(`the store refused the replay of ${name}: ${e}`);
      });
    }

    // BENCH_LOAD_CLIENTS=1,16: only those client counts, for repeated runs of the issue #16 ratios on a
    // busy machine (1 first: it warms the JIT as a full run does). What is compared stays the same.
    const clients = process.env['BENCH_LOAD_CLIENTS']?.split(',').map(Number);
    // Unmeasured: DynamoDB Local's JIT compiles for its first thousands of calls, taking a core.
    for (const name of Object.keys(flows)) {
      process.stderr.write(`  ${name}: warming up\n`);
      await loadClients.run(Array.from({ length: WARMUP }, requests[name]!), 16);
      await pool(WARMUP, 16, () => replay(recorded[name]!.commands));
    }
    for (const c of CONCURRENCY.filter((n) => !clients || clients.includes(n))) {
      for (const name of Object.keys(flows)) {
        process.stderr.write(`  ${name} at ${c} client(s)\n`);
        const n = REQUESTS[c]!;
        // API and replay take turns (API first, then the replay first, …): on a shared machine
        // whatever drifts during the run (JIT, the JVM's heap, other work) weighs on both alike.
        const apiRuns: LoadResult[] = [];
        const rawRuns: LoadResult[] = [];
        const perRound = n / ROUNDS;
        for (let r = 0; r < ROUNDS; r++) {
          const apiRun = () => loadClients.run(Array.from({ length: perRound }, requests[name]!), c);
          const rawRun = () => pool(perRound, c, () => replay(recorded[name]!.commands));
          if (r % 2 === 0) {
            apiRuns.push(await apiRun());
            rawRuns.push(await rawRun());
          } else {
            rawRuns.push(await rawRun());
            apiRuns.push(await apiRun());
          }
        }
        const api = combined(apiRuns);
        const raw = combined(rawRuns);
        const bad = [...api.statuses].filter(([s]) => s >= 300);
        if (bad.length > 0) throw new Error(`${name} at ${c} clients answered ${JSON.stringify(bad)}`);
        const label = `load/${name}@${c}`;
        results.push(
          { name: `${label} store`, value: round(raw.perSecond), unit: 'flows/s' },
          {
            name: label,
            value: round(api.perSecond),
            unit: 'flows/s',
            reference: `${label} store`,
            ratio: api.perSecond / raw.perSecond,
            // Issue #16: at 16 clients the API keeps at least 0.6 of what the store alone gives.
            ...(c === 16 && RATIO_GOAL_FLOWS.includes(name)
              ? {
                  goal: `>= ${RATIO_GOAL} of the store's replay`,
                  ok: api.perSecond / raw.perSecond >= RATIO_GOAL,
                }
              : {}),
          },
          { name: `${label} p50`, value: round(percentile(api.latencies, 50)), unit: 'ms' },
          { name: `${label} p95`, value: round(percentile(api.latencies, 95)), unit: 'ms' },
          { name: `${label} p99`, value: round(percentile(api.latencies, 99)), unit: 'ms' },
        );
      }
    }

    if (only) {
      await loadClients.close();
      server.close();
      return results;
    }

    // Cost. DynamoDB Local reports one unit per item written in a transaction; DynamoDB charges
    // transactional writes double (2 WRU per KB), so the price uses 2× the transactional units.
    const transactional = (name: string) =>
      recorded[name]!.commands.some((c) => c.action === 'TransactWriteItems') ? 2 : 1;
    for (const [name, flow] of [
      ['issue', 'invoice issued'],
      ['pay', 'invoice paid'],
      ['parking', 'parking stay'],
    ] as const) {
      const cap = recorded[name]!.capacity;
      results.push(
        { name: `cost/${name} read`, value: cap.read, unit: `RRU per ${flow}` },
        { name: `cost/${name} write`, value: cap.write * transactional(name), unit: `WRU per ${flow}` },
      );
    }
    const before = { ...capacity };
    await call(
      tokens.accountant,
      'GET',
      `/v1/ledger?estateId=${estateId}&from=2025-01-01&to=${today}&limit=1000`,
    );
    results.push({
      name: 'cost/ledger 1000 rows read',
      value: round(capacity.read - before.read, 2),
      unit: 'RRU',
    });
    const bill = {
      read: recorded['issue']!.capacity.read + recorded['pay']!.capacity.read,
      write:
        recorded['issue']!.capacity.write * transactional('issue') +
        recorded['pay']!.capacity.write * transactional('pay'),
    };
    const dollars =
      ((bill.write * PRICE_PER_MILLION.write + bill.read * PRICE_PER_MILLION.read) * 10_000) / 1_000_000;
    results.push({
      name: 'cost/10,000 bills issued and paid (Local units)',
      value: round(dollars, 4),
      unit: 'USD (on-demand)',
    });

    // Scale: the same request in an estate of 100 units and of 10,000. A ledger page over 1,000
    // entries and over 100,000 or 1,000,000 is scale.bench.ts's, in a DynamoDB Local of its own.
    await createEstate(admin, { estateId: 'BIG', name: '大型小区' });
    const bigUnits: Record<string, unknown>[] = [];
    for (let i = 0; i < 10_000; i++) {
      const unitId = `BIG-U${String(i + 1).padStart(5, '0')}`;
      bigUnits.push(
        {
          ...key.unit(unitId),
          type: 'UNIT',
          unitId,
          estateId: 'BIG',
          building: `${1 + (i % 50)}栋`,
          room: String(i),
          unitType: 'HIGH_RISE',
          area: '89.56',
          deliveryDate: '2025-01-01',
          ownerIds: [],
          createdAt: '2025-01-01T00:00:00+08:00',
        },
        { ...key.unitNoGuard('BIG', `${1 + (i % 50)}栋`, String(i)), type: 'UNITNO', unitId },
      );
    }
    await batchWrite(doc, table, bigUnits);
    const latencyOf = async (unitIds: string[]) => {
      const out = await pool(40, 1, async (i) => {
        const res = await fetch(`${base}/v1/invoices`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${tokens.cashier}`,
            'content-type': 'application/json',
            'idempotency-key': randomUUID(),
          },
          body: JSON.stringify({
            unitId: unitIds[i % unitIds.length],
            items: [{ type: 'RENOVATION_WASTE' }],
          }),
        });
        const inv = (await res.json()) as { invoiceNo: string; total: string };
        return call(
          tokens.cashier,
          'POST',
          `/v1/invoices/${inv.invoiceNo}/payments`,
          { channel: 'CASH', amount: inv.total },
          {
            'idempotency-key': randomBytes(8).toString('hex'),
          },
        );
      });
      return percentile(out.latencies, 50);
    };
    const small = await latencyOf(units.map((u) => u.unitId));
    const big = await latencyOf(
      Array.from({ length: 40 }, (_, i) => `BIG-U${String(1 + i * 250).padStart(5, '0')}`),
    );
    results.push(
      { name: 'scale/issue+pay p50, 100 units', value: round(small), unit: 'ms' },
      {
        name: 'scale/issue+pay p50, 10,000 units',
        value: round(big),
        unit: 'ms',
        reference: 'scale/issue+pay p50, 100 units',
        ratio: big / small,
        goal: '<= 1.5× (no growth with estate size)',
        ok: big / small <= 1.5,
      },
    );
    // Faults under load: 16 clients paying while the store throttles, cancels and loses answers.
    results.push(
      ...(await faultsUnderLoad(
        config,
        table,
        cashierCtx,
        units.map((u) => u.unitId),
        signingKey,
      )),
    );

    if (process.env['BENCH_SOAK']) results.push(...(await soak(flows)));
    await loadClients.close();
    server.close();
  } finally {
    await dynamo.stop();
  }
  return results;
}

async function batchWrite(
  doc: ReturnType<typeof documentClient>,
  table: string,
  items: Record<string, unknown>[],
) {
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  const db = new Db(doc, table);
  await pool(batches.length, 8, async (i) => {
    await db.batchPut(batches[i]!);
    return 200;
  });
}

async function faultsUnderLoad(
  config: StoreClientConfig,
  table: string,
  cashier: Ctx,
  unitIds: string[],
  signingKey: Uint8Array,
): Promise<BenchResult[]> {
  const invoices: string[] = [];
  for (let i = 0; i < 200; i++) {
    invoices.push(
      (
        await issueInvoice(cashier, {
          unitId: unitIds[i % unitIds.length]!,
          items: [{ type: 'RENOVATION_WASTE' }],
        })
      ).invoiceNo,
    );
  }
  let r = 0x2025;
  const rnd = () => {
    r = (r * 1664525 + 1013904223) >>> 0;
    return r / 2 ** 32;
  };
  const fail = (name: string, extra: Record<string, unknown> = {}) =>
    Object.assign(new Error(name), { name, ...extra });
  const inject: FaultInjector = (op, phase) => {
    const x = rnd();
    if (phase === 'before' && x < 0.05) throw fail('ThrottlingException');
    if (op === 'transact' && phase === 'before' && x < 0.1) {
      throw fail('TransactionCanceledException', { CancellationReasons: [{ Code: 'TransactionConflict' }] });
    }
    if (op === 'transact' && phase === 'after' && x < 0.05) throw fail('TimeoutError');
  };
  const faultyDoc = documentClient({ ...config, maxAttempts: 3 });
  injectFaults(faultyDoc, inject);
  const faulty = new Db(faultyDoc, table);
  const server = createLocalServer({ db: faulty, now: () => Date.now() }, { signingKey });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const token = await signDevToken({ role: 'cashier', estates: ['LOAD'], sub: 'cashier' }, signingKey);
  const out = await pool(invoices.length * 2, 16, async (i) => {
    const invoiceNo = invoices[i % invoices.length]!;
    const key = `fault-${i}`;
    let status = 0;
    for (let attempt = 0; attempt < 10; attempt++) {
      const res = await fetch(`${base}/v1/invoices/${invoiceNo}/payments`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'idempotency-key': key,
        },
        body: JSON.stringify({ channel: 'CASH', amount: '447.80' }),
      });
      status = res.status;
      const body = (await res.json()) as { error?: { code?: string } };
      if (status !== 503 && body.error?.code !== 'REQUEST_IN_PROGRESS') break;
    }
    return status;
  });
  server.close();
  const unexpected = [...out.statuses]
    .filter(([s]) => ![201, 409, 503].includes(s))
    .reduce((n, [, c]) => n + c, 0);
  // The audit scans the whole table: DynamoDB Local's scans grow worse than linearly, which is why
  // the ledger volume of the scale test lives in scale.bench.ts's own DynamoDB Local, not here.
  const audit = await auditStore(new Db(documentClient(config), table), 'LOAD');
  return [
    { name: 'faults/payments answered 201', value: out.statuses.get(201) ?? 0, unit: 'requests' },
    { name: 'faults/payments answered 409', value: out.statuses.get(409) ?? 0, unit: 'requests' },
    {
      name: 'faults/answers other than 201/409/503',
      value: unexpected,
      unit: 'requests',
      goal: '0',
      ok: unexpected === 0,
    },
    {
      name: 'faults/audit problems (paid twice, gaps, ledger ≠ store)',
      value: audit.problems.length,
      unit: 'problems',
      goal: '0',
      ok: audit.problems.length === 0,
    },
  ];
}

/** Ten minutes of mixed load at 16 clients: errors other than intended 4xx, and memory over time. */
async function soak(flows: Record<string, () => Promise<number>>): Promise<BenchResult[]> {
  const minutes = Number(process.env['BENCH_SOAK_MINUTES'] ?? 10);
  const until = Date.now() + minutes * 60_000;
  const rss: number[] = [];
  const sampler = setInterval(() => rss.push(process.memoryUsage().rss), 5_000);
  const mixed = ['quote', 'quote', 'issue', 'parking', 'ledger'] as const;
  let errors = 0;
  let requests = 0;
  await Promise.all(
    Array.from({ length: 16 }, async (_, w) => {
      for (let i = w; Date.now() < until; i++) {
        const status = await flows[mixed[i % mixed.length]!]!();
        requests++;
        if (status >= 500) errors++;
      }
    }),
  );
  clearInterval(sampler);
  const head = rss.slice(0, Math.max(1, Math.floor(rss.length / 5)));
  const tail = rss.slice(-Math.max(1, Math.floor(rss.length / 5)));
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const growth = avg(tail) / avg(head);
  return [
    { name: `soak/requests in ${minutes} min`, value: requests, unit: 'requests' },
    { name: 'soak/5xx answers', value: errors, unit: 'requests', goal: '0', ok: errors === 0 },
    {
      name: 'soak/memory last fifth ÷ first fifth',
      value: round(growth, 3),
      unit: 'x',
      goal: '<= 1.2 (flat)',
      ok: growth <= 1.2,
    },
  ];
}
