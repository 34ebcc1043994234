/**
 * Fee calculation throughput: pre-built quote items of every type in a realistic mix, priced one after
 * another on one core with `priceItem` (strict parsing, decimal.js, half-up once per line, trace).
 * The same run measures a naive float implementation producing the same line shape
 * (`area * rate * 12`, `Math.round(x * 100) / 100`, `toFixed(2)`, no validation) as the reference:
 * the machine is shared and noisy, so the ratio decimal ÷ float is the figure that travels.
 *
 * Goals: at least 250,000 lines/s, and at least 0.2 of the float figure.
 * BENCH_FEES_MS sets the measuring time per pricer (default 2000 ms).
 */
import { priceItem, type QuoteItem } from '../../lib/fees/quote.js';
import { formatFen } from '../../lib/money.js';
import {
  RENTAL_KIND_NAMES,
  seedTariff,
  type TariffVersion,
  UNIT_TYPE_NAMES,
  type UnitType,
} from '../../lib/tariffs/catalog.js';
import type { BenchResult } from './run.js';

const MEASURE_MS = Number(process.env['BENCH_FEES_MS'] ?? 2000);
const ROUNDS = 4;
const ITEMS = 4096; // a power of two: the loop wraps with a mask
const GOAL_LINES_PER_S = 250_000;
const GOAL_RATIO = 0.2;

/** An estate that adjusted two rates and charges a pass deposit, so every line kind occurs. */
function benchTariff(): TariffVersion {
  const t = seedTariff('BENCH');
  t.rates.PROPERTY_FEE.HIGH_RISE = '1.85';
  t.rates.PROPERTY_FEE.APARTMENT = '2.35';
  t.rates.CARD_DEPOSIT = '50.00';
  return t;
}

/** mulberry32: a tiny seeded PRNG, so every run prices the same items. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shanghaiIso(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().replace(/\.000Z$/, '+08:00');
}

/** A day at a property office: parking stays dominate, then annual fees, rentals and renovations. */
export function buildItems(count = ITEMS, seed = 20250301): QuoteItem[] {
  const rnd = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const area = () => (40 + rnd() * 260).toFixed(2);
  const unitTypes: UnitType[] = [
    'HIGH_RISE',
    'HIGH_RISE',
    'HIGH_RISE',
    'APARTMENT',
    'GARDEN_HOUSE',
    'SEMI_DETACHED',
    'COMMERCIAL',
  ];
  const months = [12, 12, 12, 12, 12, 6, 3, 1];
  const year2025 = Date.UTC(2024, 11, 31, 16);
  const items: QuoteItem[] = [];
  for (let i = 0; i < count; i++) {
    const r = rnd();
    if (r < 0.4) {
      const entry = year2025 + Math.floor(rnd() * 364 * 86_400) * 1000;
      // mostly short visits, some overnight, a few multi-day stays
      const u = rnd();
      const stayS = u < 0.5 ? rnd() * 3 * 3600 : u < 0.9 ? rnd() * 24 * 3600 : rnd() * 10 * 86_400;
      items.push({
        type: 'TEMP_PARKING',
        entryAt: shanghaiIso(entry),
        exitAt: shanghaiIso(entry + Math.floor(stayS) * 1000),
      });
    } else if (r < 0.65) {
      items.push({ type: 'PROPERTY_FEE', unitType: pick(unitTypes), area: area(), months: pick(months) });
    } else if (r < 0.75) {
      items.push({ type: 'PARKING_SPACE_FEE', spaces: rnd() < 0.85 ? 1 : 2, months: pick(months) });
    } else if (r < 0.85) {
      items.push({
        type: 'PARKING_RENTAL',
        rentalKind: rnd() < 0.6 ? 'SHARED' : 'SMART_UNDERGROUND',
        months: pick([1, 1, 3, 6, 12]),
      });
    } else if (r < 0.9) {
      items.push({ type: 'RENOVATION_WASTE', area: area() });
    } else if (r < 0.95) {
      items.push({ type: 'RENOVATION_DEPOSIT' });
    } else {
      items.push({ type: 'RENOVATION_CARDS', cards: 1 + Math.floor(rnd() * 8) });
    }
  }
  return items;
}

// ---- the float reference: what a naive implementation does, with the same output shape ----

interface FloatLine {
  type: string;
  description: string;
  quantity: string;
  unit: string;
  unitPrice: string;
  months: number | null;
  amount: string;
  tariffVersion: string;
  trace: Record<string, unknown>;
}

function floatLine(
  type: string,
  description: string,
  quantity: number,
  unit: string,
  unitPrice: number,
  months: number | null,
  tariff: TariffVersion,
  formula: string,
  inputs: Record<string, string | number>,
): FloatLine {
  const exact = quantity * unitPrice * (months ?? 1);
  const amount = (Math.round(exact * 100) / 100).toFixed(2);
  return {
    type,
    description,
    quantity: String(quantity),
    unit,
    unitPrice: String(unitPrice),
    months,
    amount,
    tariffVersion: tariff.versionId,
    trace: { formula, inputs, exact: String(exact), rounded: amount },
  };
}

export function priceItemFloat(item: QuoteItem, tariff: TariffVersion): FloatLine[] {
  const r = tariff.rates;
  switch (item.type) {
    case 'PROPERTY_FEE': {
      const area = Number(item.area);
      const rate = Number(r.PROPERTY_FEE[item.unitType]);
      const name = UNIT_TYPE_NAMES[item.unitType];
      return [
        floatLine(
          'PROPERTY_FEE',
          `物业服务费 ${name} ${area}㎡ × ${rate}元/㎡/月 × ${item.months}月`,
          area,
          '㎡',
          rate,
          item.months,
          tariff,
          'area × rate × months',
          {
            unitType: item.unitType,
            area,
            rate,
            months: item.months,
          },
        ),
      ];
    }
    case 'PARKING_SPACE_FEE': {
      const rate = Number(r.PARKING_SPACE_FEE);
      return [
        floatLine(
          'PARKING_SPACE_FEE',
          `车位物业服务费 ${item.spaces}个 × ${rate}元/个/月 × ${item.months}月`,
          item.spaces,
          '个',
          rate,
          item.months,
          tariff,
          'spaces × rate × months',
          {
            spaces: item.spaces,
            rate,
            months: item.months,
          },
        ),
      ];
    }
    case 'PARKING_RENTAL': {
      const rate = Number(r.PARKING_RENTAL[item.rentalKind]);
      return [
        floatLine(
          'PARKING_RENTAL',
          `车位租用费 ${RENTAL_KIND_NAMES[item.rentalKind]} ${rate}元/月/辆 × ${item.months}月`,
          1,
          '辆',
          rate,
          item.months,
          tariff,
          'vehicles × rate × months',
          {
            rentalKind: item.rentalKind,
            rate,
            months: item.months,
          },
        ),
      ];
    }
    case 'TEMP_PARKING': {
      const entry = Date.parse(item.entryAt);
      const exit = Date.parse(item.exitAt);
      const minutes = Math.floor((exit - entry) / 60_000);
      const bands = tariff.tempParkingBands;
      const day = Number(bands[bands.length - 1]!.amount);
      const rest = minutes % 1440;
      const band = rest === 0 ? undefined : bands.find((b) => rest <= b.upToMinutes);
      const fee = day * Math.floor(minutes / 1440) + (band ? Number(band.amount) : 0);
      return [
        floatLine(
          'TEMP_PARKING',
          `临时停车费 ${Math.floor(minutes / 60)}小时${minutes % 60}分钟`,
          1,
          '次',
          fee,
          null,
          tariff,
          'dayPrice × fullDays + band(remainder minutes)',
          {
            entryAt: new Date(entry).toISOString(),
            exitAt: new Date(exit).toISOString(),
            minutes,
          },
        ),
      ];
    }
    case 'RENOVATION_WASTE': {
      const area = Number(item.area);
      const rate = Number(r.RENOVATION_WASTE);
      return [
        floatLine(
          'RENOVATION_WASTE',
          `装修垃圾清运费 ${area}㎡ × ${rate}元/㎡`,
          area,
          '㎡',
          rate,
          null,
          tariff,
          'area × rate',
          { area, rate },
        ),
      ];
    }
    case 'RENOVATION_DEPOSIT': {
      const deposit = Number(r.RENOVATION_DEPOSIT);
      return [
        floatLine(
          'RENOVATION_DEPOSIT',
          `装修管理保证金 ${deposit}元/户(可退,不计息)`,
          1,
          '户',
          deposit,
          null,
          tariff,
          'households × deposit',
          { deposit },
        ),
      ];
    }
    case 'RENOVATION_CARDS': {
      const fee = Number(r.RENOVATION_CARDS);
      const lines = [
        floatLine(
          'RENOVATION_CARDS',
          `装修许可证及出入证工本费 ${item.cards}张 × ${fee}元/张`,
          item.cards,
          '张',
          fee,
          null,
          tariff,
          'cards × fee',
          { cards: item.cards, fee },
        ),
      ];
      const deposit = Number(r.CARD_DEPOSIT);
      if (deposit > 0) {
        lines.push(
          floatLine(
            'CARD_DEPOSIT',
            `出入证押金 ${item.cards}张 × ${deposit}元/张(可退)`,
            item.cards,
            '张',
            deposit,
            null,
            tariff,
            'cards × deposit',
            { cards: item.cards, deposit },
          ),
        );
      }
      return lines;
    }
  }
}

// ---- measuring ----

interface Tally {
  lines: number;
  ms: number;
}

function measure(price: (item: QuoteItem) => unknown[], items: readonly QuoteItem[], ms: number): Tally {
  const mask = items.length - 1;
  let lines = 0;
  let i = 0;
  const start = performance.now();
  const deadline = start + ms;
  let now = start;
  while (now < deadline) {
    for (let k = 0; k < 256; k++) {
      lines += price(items[i]!).length;
      i = (i + 1) & mask;
    }
    now = performance.now();
  }
  return { lines, ms: now - start };
}

const perSecond = (t: Tally) => (t.lines / t.ms) * 1000;

export async function run(): Promise<BenchResult[]> {
  const tariff = benchTariff();
  const items = buildItems();
  const decimal = (item: QuoteItem) => priceItem(item, tariff);
  const float = (item: QuoteItem) => priceItemFloat(item, tariff);

  // Both must price the same items into the same number of lines; count where float's amount differs.
  let lineCount = 0;
  let mismatches = 0;
  for (const item of items) {
    const d = decimal(item);
    const f = float(item);
    if (d.length !== f.length) throw new Error(`float reference prices ${item.type} into ${f.length} lines`);
    d.forEach((line, k) => {
      lineCount++;
      if (formatFen(line.amount) !== f[k]!.amount) mismatches++;
    });
  }

  measure(decimal, items, 300);
  measure(float, items, 300);
  // Alternate the two so that a noisy neighbour slows both alike.
  const totals = { decimal: { lines: 0, ms: 0 }, float: { lines: 0, ms: 0 } };
  for (let round = 0; round < ROUNDS; round++) {
    for (const [key, fn] of [
      ['decimal', decimal],
      ['float', float],
    ] as const) {
      const t = measure(fn, items, MEASURE_MS / ROUNDS);
      totals[key].lines += t.lines;
      totals[key].ms += t.ms;
    }
  }
  const decimalRate = perSecond(totals.decimal);
  const floatRate = perSecond(totals.float);
  const ratio = decimalRate / floatRate;

  // Where the time goes: each item type alone (informative, no goal).
  const byType: BenchResult[] = [];
  for (const type of [...new Set(items.map((i) => i.type))].sort()) {
    const only = items.filter((i) => i.type === type);
    const pow2 = only.slice(0, 2 ** Math.floor(Math.log2(only.length)));
    byType.push({
      name: `fees/decimal ${type}`,
      value: perSecond(measure(decimal, pow2, 200)),
      unit: 'lines/s',
    });
  }

  return [
    {
      name: 'fees/decimal',
      value: decimalRate,
      unit: 'lines/s',
      goal: `>= ${GOAL_LINES_PER_S} lines/s`,
      ok: decimalRate >= GOAL_LINES_PER_S,
    },
    { name: 'fees/float', value: floatRate, unit: 'lines/s' },
    {
      name: 'fees/decimal÷float',
      value: ratio,
      unit: 'x',
      reference: 'fees/float',
      ratio,
      goal: `>= ${GOAL_RATIO}`,
      ok: ratio >= GOAL_RATIO,
    },
    { name: 'fees/float wrong amounts', value: mismatches, unit: `of ${lineCount} lines` },
    ...byType,
  ];
}
