/**
 * Test and benchmark data for the ledger. Never imported by a route or a handler.
 *
 * - `simulateYear`: a year in the financial life of an estate, driven through the domain services
 *   (so every entry is one the services really write): move-ins billing every elapsed period,
 *   renewals by the scheduler, counter and kiosk payments, arrears, voids, credit notes, owned
 *   spaces, renovations through to deductions and refunds, rentals and temporary parking. Units
 *   run in parallel, each unit's own story in time order; a month is finished before the next
 *   begins, so the scheduler sees the payments that made renewals due.
 * - `writeSyntheticLedger`: many entries fast, written directly in the shape `ledgerItems` gives
 *   them (for volume tests: 100,000 entries through the services would take many minutes).
 * - `runLedgerCli`: the export CLI in a child process, as `npm run ledger` starts it, with its
 *   peak memory.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Actor, type Ctx, ledgerItems, type Role, SYSTEM_SCHEDULER } from '../../lib/billing/context.js';
import { creditInvoice } from '../../lib/billing/credit-notes.js';
import { addTariff, createEstate } from '../../lib/billing/estates.js';
import { getInvoice, issueInvoice, voidInvoice } from '../../lib/billing/invoices.js';
import { payInvoice } from '../../lib/billing/payments.js';
import type { Channel, Invoice } from '../../lib/billing/records.js';
import { runRenewals } from '../../lib/billing/renewals.js';
import { createUnit, registerSpace } from '../../lib/billing/units.js';
import { formatFen } from '../../lib/money.js';
import { payParking, recordEntry, recordExit } from '../../lib/parking/parking.js';
import { rentSpace } from '../../lib/parking/parking-rentals.js';
import { quoteSession } from '../../lib/parking/stay.js';
import { recordAcceptance, recordReinspection } from '../../lib/renovation/inspections.js';
import { refundDeposit } from '../../lib/renovation/refund.js';
import { registerRenovation } from '../../lib/renovation/registration.js';
import type { Db, Item } from '../../lib/store/db.js';
import { seedTariff, UNIT_TYPES, type UnitType } from '../../lib/tariffs/catalog.js';
import { addDays, type BizDate, businessDate, formatInstant } from '../../lib/time.js';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** A small deterministic generator (mulberry32): the same seed gives the same year. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
  };
}
type Rng = ReturnType<typeof prng>;

const instant = (date: BizDate, minuteOfDay: number) =>
  Date.parse(`${date}T00:00:00+08:00`) + minuteOfDay * MINUTE_MS;
/** A time during office hours (08:30-18:00) on `date`. */
const officeTime = (rng: Rng, date: BizDate) => instant(date, rng.int(8 * 60 + 30, 18 * 60));

/** Runs `tasks` with at most `limit` at a time; the first failure fails the whole run. */
async function pool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await task(items[next++]!);
  });
  await Promise.all(workers);
}

interface Event {
  at: number;
  run: () => Promise<void>;
}

/** One party's story (a unit, a visiting car, a renting vehicle): events strictly in time order. */
class Story {
  private readonly events: Event[] = [];
  /** Each story draws from its own generator, so stories played in parallel stay reproducible. */
  constructor(readonly rng: Rng) {}
  add(at: number, run: () => Promise<void>): void {
    this.events.push({ at, run });
    this.events.sort((a, b) => a.at - b.at);
  }
  /** Plays every event before `until`, including events those events schedule. */
  async playUntil(until: number): Promise<number> {
    let played = 0;
    while (this.events.length > 0 && this.events[0]!.at < until) {
      await this.events.shift()!.run();
      played++;
    }
    return played;
  }
}

export interface YearPlan {
  estateId: string;
  year: number;
  units: number;
  seed?: number;
  /** Stories played at once. */
  concurrency?: number;
}

export interface YearStats {
  units: number;
  operations: number;
  ms: number;
}

/** A year of an estate's billing, through the services. The estate must not exist yet. */
export async function simulateYear(db: Db, plan: YearPlan): Promise<YearStats> {
  const started = performance.now();
  const { estateId, year } = plan;
  const rng = prng(plan.seed ?? 20250101);
  const yearStart = `${year}-01-01`;
  const yearEnd = Date.parse(`${year + 1}-01-01T00:00:00+08:00`);
  const actor = (role: Role, sub: string, units: string[] = []): Actor => ({
    sub,
    role,
    estates: [estateId],
    units,
  });
  const ctxAt = (a: Actor, at: number): Ctx => ({ db, now: () => at, actor: a });
  const cashiers = [actor('cashier', '收费员-王芳'), actor('cashier', '收费员-李强')];
  const admin = actor('admin', 'admin-1');
  const kiosk = actor('kiosk', 'kiosk-01');
  const setup = Date.parse(`${year - 1}-11-01T09:00:00+08:00`);
  let operations = 0;
  const op = async (f: () => Promise<unknown>) => {
    await f();
    operations++;
  };

  await createEstate(ctxAt(admin, setup), { estateId, name: '模拟小区' });
  // From this year the estate charges a pass deposit, so card deposits appear in the ledger.
  const seed = seedTariff(estateId);
  await addTariff(ctxAt(admin, setup), estateId, {
    effectiveFrom: yearStart,
    noticeDate: `${year - 1}-11-01`,
    approvalRef: `业主大会决议 ${year - 1}-07`,
    rates: { ...seed.rates, CARD_DEPOSIT: '20.00' },
    tempParkingBands: seed.tempParkingBands,
  });

  // ---- units: delivered over the last two years and this one; some with an owned space ----
  const types: readonly UnitType[] = UNIT_TYPES;
  const specs = Array.from({ length: plan.units }, (_, i) => {
    const unitType = i % 10 === 9 ? types[Math.floor(i / 10) % types.length]! : 'HIGH_RISE';
    const deliveredDaysBefore = rng.int(-330, 2 * 365);
    return {
      building: `${1 + Math.floor(i / 60)}栋`,
      room: `${1 + Math.floor((i % 60) / 4)}0${1 + (i % 4)}`,
      unitType,
      area: `${rng.int(45, 210)}.${String(rng.int(0, 99)).padStart(2, '0')}`,
      deliveryDate: addDays(yearStart, -deliveredDaysBefore),
      space: i % 3 === 0,
      i,
    };
  });
  const units = new Array<{ unitId: string; spec: (typeof specs)[number] }>(specs.length);
  await pool(specs, plan.concurrency ?? 8, async (spec) => {
    const unit = await createUnit(ctxAt(admin, setup), estateId, {
      building: spec.building,
      room: spec.room,
      unitType: spec.unitType,
      area: spec.area,
      deliveryDate: spec.deliveryDate,
      ownerIds: [`owner-${spec.i}`],
    });
    if (spec.space) {
      await registerSpace(ctxAt(admin, setup), unit.unitId, {
        spaceNo: `B1-${String(spec.i).padStart(4, '0')}`,
        kind: spec.i % 2 === 0 ? 'OWNED' : 'USE_RIGHT',
        plates: [`粤B${String(10000 + spec.i).slice(-5)}`],
      });
    }
    units[spec.i] = { unitId: unit.unitId, spec };
    operations += spec.space ? 2 : 1;
  });

  const stories: Story[] = [];
  const unitStory = new Map<string, Story>();
  const newStory = () => {
    const story = new Story(prng((plan.seed ?? 20250101) + 7919 * (stories.length + 1)));
    stories.push(story);
    return story;
  };

  // ---- paying: at the counter by a cashier, or at a kiosk by the owner ----
  const pay = (rng: Rng, inv: Invoice, at: number, unitId: string | undefined, kioskPayment: boolean) =>
    op(() => {
      const owner = actor('owner', `owner-of-${unitId}`, unitId ? [unitId] : []);
      const channel: Channel = kioskPayment
        ? rng.pick(['KIOSK_CARD', 'KIOSK_WECHAT', 'KIOSK_ALIPAY'] as const)
        : rng.pick(['CASH', 'CASH', 'TRANSFER', 'CHEQUE'] as const);
      return payInvoice(ctxAt(kioskPayment ? owner : rng.pick(cashiers), at), inv.invoiceNo, {
        channel,
        amount: formatFen(inv.total),
        ...(kioskPayment ? { reference: `T${at}` } : {}),
      });
    });

  /** What happens to a freshly issued unit invoice: paid soon, paid late, never, voided, credited. */
  const settle = (story: Story, inv: Invoice, at: number, unitId: string, path: number) => {
    const { rng } = story;
    if (path % 23 === 5) {
      const voidAt = at + rng.int(1, 10) * DAY_MS;
      story.add(voidAt, async () => {
        await op(() => voidInvoice(ctxAt(rng.pick(cashiers), voidAt), inv.invoiceNo, '面积登记有误,重开'));
        const again = voidAt + 30 * MINUTE_MS;
        story.add(again, async () => {
          const re = await issueInvoice(ctxAt(rng.pick(cashiers), again), {
            unitId,
            items: inv.lines.some((l) => l.type === 'PARKING_SPACE_FEE')
              ? [{ type: 'PROPERTY_FEE' }, { type: 'PARKING_SPACE_FEE' }]
              : [{ type: 'PROPERTY_FEE' }],
          });
          operations++;
          settle(story, re, again, unitId, path + 1);
        });
      });
      return;
    }
    const r = rng.next();
    if (r < 0.12) return; // arrears: never paid this year
    const paidAt = r < 0.75 ? at + rng.int(5, 30) * MINUTE_MS : at + rng.int(3, 60) * DAY_MS;
    story.add(paidAt, async () => {
      await pay(rng, inv, paidAt, unitId, r >= 0.75 && rng.next() < 0.5);
      if (path % 29 === 7) {
        const creditAt = paidAt + rng.int(1, 20) * DAY_MS;
        story.add(creditAt, async () => {
          await op(() =>
            creditInvoice(ctxAt(rng.pick(cashiers), creditAt), inv.invoiceNo, '业主退房,红冲重开'),
          );
          const again = creditAt + 60 * MINUTE_MS;
          story.add(again, async () => {
            const items = [...new Set(inv.lines.map((l) => l.type))]
              .filter((t) => t === 'PROPERTY_FEE' || t === 'PARKING_SPACE_FEE')
              .map((type) => ({ type }) as { type: 'PROPERTY_FEE' | 'PARKING_SPACE_FEE' });
            if (items.length === 0) return;
            const re = await issueInvoice(ctxAt(rng.pick(cashiers), again), { unitId, items });
            operations++;
            story.add(again + 10 * MINUTE_MS, () => pay(rng, re, again + 10 * MINUTE_MS, unitId, false));
          });
        });
      }
    });
  };

  // ---- renovations: registered after moving in, paid at once, then the deposit's lifecycle ----
  const renovate = (story: Story, unitId: string, at: number, i: number) => {
    const { rng } = story;
    story.add(at, async () => {
      const cashier = rng.pick(cashiers);
      const { renovation, invoice } = await registerRenovation(ctxAt(cashier, at), {
        unitId,
        cards: rng.int(1, 6),
      });
      operations++;
      await pay(rng, invoice, at + 10 * MINUTE_MS, unitId, false);
      const acceptedAt = officeTime(rng, addDays(businessDate(at), rng.int(40, 70)));
      story.add(acceptedAt, async () => {
        await op(() =>
          recordAcceptance(ctxAt(cashier, acceptedAt), renovation.caseId, {
            date: businessDate(acceptedAt),
            passed: true,
          }),
        );
        const inspectedAt = officeTime(rng, addDays(businessDate(acceptedAt), 61));
        const failed = i % 3 === 0;
        story.add(inspectedAt, async () => {
          await op(() =>
            recordReinspection(ctxAt(cashier, inspectedAt), renovation.caseId, {
              date: businessDate(inspectedAt),
              passed: !failed,
              ...(failed
                ? {
                    deductions: [
                      {
                        amount: `${rng.int(50, 400)}.00`,
                        reason: '公共墙面损坏修复',
                        evidenceRef: `PHOTO-${i}`,
                      },
                    ],
                  }
                : {}),
            }),
          );
          const passedAt = failed ? officeTime(rng, addDays(businessDate(inspectedAt), 30)) : inspectedAt;
          if (failed) {
            story.add(passedAt, () =>
              op(() =>
                recordReinspection(ctxAt(cashier, passedAt), renovation.caseId, {
                  date: businessDate(passedAt),
                  passed: true,
                }),
              ),
            );
          }
          const refundAt = officeTime(rng, addDays(businessDate(passedAt), rng.int(1, 6)));
          story.add(refundAt, () =>
            op(() => refundDeposit(ctxAt(cashier, refundAt), renovation.caseId, { channel: 'CASH' })),
          );
        });
      });
    });
  };

  for (const { unitId, spec } of units) {
    const story = newStory();
    unitStory.set(unitId, story);
    if (spec.i % 12 === 11) continue; // never comes for the keys this year
    const firstDay = spec.deliveryDate > yearStart ? spec.deliveryDate : addDays(yearStart, 1);
    const moveIn = officeTime(rng, addDays(firstDay, rng.int(0, spec.deliveryDate > yearStart ? 45 : 300)));
    if (moveIn >= yearEnd) continue;
    story.add(moveIn, async () => {
      const inv = await issueInvoice(ctxAt(story.rng.pick(cashiers), moveIn), {
        unitId,
        items: spec.space
          ? [{ type: 'PROPERTY_FEE' }, { type: 'PARKING_SPACE_FEE' }]
          : [{ type: 'PROPERTY_FEE' }],
      });
      operations++;
      settle(story, inv, moveIn, unitId, spec.i);
    });
    if (spec.i % 4 === 1) {
      renovate(
        story,
        unitId,
        officeTime(story.rng, addDays(businessDate(moveIn), story.rng.int(2, 30))),
        spec.i,
      );
    }
  }

  // ---- vehicles: monthly rentals of shared spaces, and visitors' temporary parking ----
  const months = Array.from({ length: 12 }, (_, m) => `${year}-${String(m + 1).padStart(2, '0')}-01`);
  const visitorsPerMonth = Math.max(4, Math.ceil(plan.units / 10));
  const rentalsPerMonth = Math.max(1, Math.ceil(plan.units / 60));
  let plates = 0;
  for (const first of months) {
    for (let v = 0; v < rentalsPerMonth; v++) {
      const story = newStory();
      const { rng } = story;
      const at = officeTime(rng, addDays(first, rng.int(0, 26)));
      const plate = `粤C${String(10000 + plates++).slice(-5)}`;
      story.add(at, async () => {
        const inv = await rentSpace(ctxAt(rng.pick(cashiers), at), {
          estateId,
          plate,
          rentalKind: rng.pick(['SHARED', 'SMART_UNDERGROUND'] as const),
          startDate: businessDate(at),
          months: rng.pick([1, 3, 6, 12]),
        });
        operations++;
        if (rng.next() < 0.9) await pay(rng, inv, at + 5 * MINUTE_MS, undefined, false);
      });
    }
    for (let v = 0; v < visitorsPerMonth; v++) {
      const story = newStory();
      const { rng } = story;
      const entryAt = instant(addDays(first, rng.int(0, 27)), rng.int(6 * 60, 22 * 60));
      const minutes = rng.pick([45, 100, 150, 200, 300, 420, 600, 900, 1300, 1500, 2000]) + rng.int(0, 15);
      const exitAt = entryAt + minutes * MINUTE_MS;
      if (exitAt >= yearEnd) continue;
      const plate = `粤A${String(10000 + plates++).slice(-5)}`;
      story.add(entryAt, async () => {
        const { session } = await recordEntry(ctxAt(actor('gate', 'gate-east'), entryAt), {
          estateId,
          plate,
          gateId: 'EAST',
          at: formatInstant(entryAt),
        });
        operations++;
        const payAt = exitAt - 3 * MINUTE_MS;
        story.add(payAt, async () => {
          const q = await quoteSession(ctxAt(kiosk, payAt), session, formatInstant(payAt));
          if (q.assessment.amountDue > 0n) {
            const atKiosk = rng.next() < 0.6;
            await op(() =>
              payParking(ctxAt(atKiosk ? kiosk : rng.pick(cashiers), payAt), session.sessionId, {
                channel: atKiosk ? 'KIOSK_WECHAT' : 'CASH',
                amount: formatFen(q.assessment.amountDue),
                at: formatInstant(payAt),
                ...(atKiosk ? { reference: `WX${payAt}` } : {}),
              }),
            );
          }
          story.add(exitAt, () =>
            op(() =>
              recordExit(ctxAt(actor('gate', 'gate-west'), exitAt), {
                estateId,
                plate,
                gateId: 'WEST',
                at: formatInstant(exitAt),
              }),
            ),
          );
        });
      });
    }
  }

  // ---- the year, month by month: the scheduler's renewal run, then everyone's month ----
  const scheduler = SYSTEM_SCHEDULER(estateId);
  for (const [m, first] of months.entries()) {
    const runAt = instant(first, 6 * 60);
    const { issued } = await runRenewals(ctxAt(scheduler, runAt), estateId, first);
    operations += issued.length;
    for (const invoiceNo of issued) {
      const inv = await getInvoice({ db }, invoiceNo);
      const story = unitStory.get(inv.unitId!)!;
      if (rng.next() < 0.85) {
        const at = officeTime(rng, addDays(first, rng.int(0, 26)));
        const atKiosk = rng.next() < 0.4;
        story.add(at, () => pay(story.rng, inv, at, inv.unitId, atKiosk));
      }
    }
    const until = m === 11 ? yearEnd : instant(months[m + 1]!, 0);
    await pool(stories, plan.concurrency ?? 8, async (s) => {
      await s.playUntil(until);
    });
  }
  return { units: plan.units, operations, ms: performance.now() - started };
}

// ---- synthetic volume ------------------------------------------------------------------------

export interface SyntheticPlan {
  estateId: string;
  /** Entries to write (rounded up to an even number: each invoice is issued and paid). */
  entries: number;
  from: BizDate;
  days: number;
  /** Distinct unit ids referenced. */
  units?: number;
  concurrency?: number;
}

/**
 * Writes invoice-issued / payment-received pairs spread evenly over `days` days. Returns the count
 * and the sum of the amounts written, for completeness checks.
 */
export async function writeSyntheticLedger(
  db: Db,
  plan: SyntheticPlan,
): Promise<{ count: number; amount: bigint }> {
  const pairs = Math.ceil(plan.entries / 2);
  const start = Date.parse(`${plan.from}T00:00:00+08:00`);
  const step = Math.floor((plan.days * DAY_MS) / pairs);
  const rng = prng(7);
  const cashier: Ctx = {
    db,
    now: () => 0,
    actor: { sub: '收费员-合成', role: 'cashier', estates: [plan.estateId], units: [] },
  };
  let amount = 0n;
  // Batches are made as writers ask for them: a million entries held at once took 2.3 GB of heap.
  function* batches(): Generator<Item[]> {
    let items: Item[] = [];
    for (let k = 0; k < pairs; k++) {
      const at = start + k * step;
      const fen = BigInt(rng.int(100, 800_000));
      const unitId = `${plan.estateId}-U${String(1 + (k % (plan.units ?? 500))).padStart(4, '0')}`;
      const invoiceNo = `${plan.estateId}-${businessDate(at).slice(0, 4)}-${String(k + 1).padStart(6, '0')}`;
      const receiptNo = `${plan.estateId}-R${businessDate(at).slice(0, 4)}-${String(k + 1).padStart(6, '0')}`;
      const line = {
        feeCode: 'PROPERTY_FEE',
        amount: fen,
        period: { start: businessDate(at), end: addDays(businessDate(at), 365) },
      };
      for (const tx of [
        ...ledgerItems(cashier, at, {
          estateId: plan.estateId,
          kind: 'INVOICE_ISSUED',
          documentNo: invoiceNo,
          invoiceNo,
          unitId,
          lines: [line],
        }),
        ...ledgerItems(cashier, at + 1000, {
          estateId: plan.estateId,
          kind: 'PAYMENT_RECEIVED',
          documentNo: receiptNo,
          invoiceNo,
          receiptNo,
          unitId,
          channel: 'CASH',
          lines: [line],
        }),
      ]) {
        if (!('Put' in tx)) throw new Error('a ledger entry is a put');
        items.push(tx.Put.Item);
        amount += fen;
        if (items.length === 25) {
          yield items;
          items = [];
        }
      }
    }
    if (items.length) yield items;
  }
  const source = batches();
  // Writers share one generator: each takes the next batch when its previous write is done. After a
  // failure the others stop too, instead of writing on behind a call that already failed.
  let failed = false;
  const writer = async () => {
    try {
      for (let b = source.next(); !b.done && !failed; b = source.next()) await db.batchPut(b.value);
    } catch (e) {
      failed = true;
      throw e;
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency ?? 8 }, writer));
  return { count: pairs * 2, amount };
}

// ---- the CLI as `npm run ledger` runs it -----------------------------------------------------

export interface CliRun {
  status: number | null;
  stderr: string;
  /** Peak resident set size of the exporting process, in MB. */
  peakRssMb: number;
  ms: number;
}

/**
 * Runs infra/local/ledger-cli.ts the way the `ledger` npm script does (`tsx [node flags] file`),
 * in a child process that reports its own peak RSS on exit.
 */
export function runLedgerCli(root: string, args: string[], env: Record<string, string>): CliRun {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const [runner, ...rest] = pkg.scripts['ledger']!.split(' ');
  if (runner !== 'tsx')
    throw new Error(`the ledger script no longer starts with tsx: ${pkg.scripts['ledger']}`);
  const cli = join(root, rest.pop()!);
  const report =
    "process.on('exit', () => process.stderr.write('MAXRSS_KB=' + process.resourceUsage().maxRSS + '\\n'));";
  const started = performance.now();
  const child = spawnSync(
    process.execPath,
    [
      ...rest,
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `${report} await import(${JSON.stringify(cli)});`,
      '--',
      ...args,
    ],
    { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 600_000 },
  );
  const kb = /MAXRSS_KB=(\d+)/.exec(child.stderr ?? '')?.[1];
  return {
    status: child.status,
    stderr: child.stderr ?? '',
    peakRssMb: kb ? Number(kb) / 1024 : Number.NaN,
    ms: performance.now() - started,
  };
}
