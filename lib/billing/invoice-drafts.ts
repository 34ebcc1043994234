/**
 * Drafting a unit's invoice (SPEC.md §4.1): which periods it bills (none billed twice, a late
 * move-in pays each elapsed year), what the unit's items cost under the tariff in effect, and the
 * claims that say which periods are billed. Pure apart from one round of reads.
 */
import { ValidationError } from '../errors.js';
import type { FeeCode, InvoiceableCode, InvoiceItemOf } from '../fee-types/catalog.js';
import { unitInvoicePricing } from '../fee-types/pricing.js';
import { parkingSpaceFee, propertyFee } from '../fees/calculators.js';
import type { FeeLine } from '../fees/line.js';
import {
  billingAnchor,
  type PeriodBasis,
  periodIndexOn,
  spaceBillFrom,
  spacesBilledIn,
  unitPeriod,
} from '../fees/periods.js';
import { Dec } from '../money.js';
import type { Db } from '../store/db.js';
import { claimOwner } from '../store/keys.js';
import { claimRecordSchema, parseRecord } from '../store/records.js';
import type { TariffVersion } from '../tariffs/catalog.js';
import { type BizDate, businessDate, type Period } from '../time.js';
import type { Ctx } from './context.js';
import { tariffOn } from './estates.js';
import type { Space, Unit } from './records.js';
import { listSpaces } from './units.js';

/** At most this many annual periods per invoice, so one transaction holds it all. */
export const MAX_PERIODS = 20;

/** Items of POST /v1/invoices: for a unit the server supplies type, area and periods. */
export type UnitInvoiceItem =
  /** `periodStart` is for the renewal job only (not in the API schema): bill exactly that period. */
  | (InvoiceItemOf<'PROPERTY_FEE'> & { periodStart?: BizDate })
  | { [C in Exclude<InvoiceableCode, 'PROPERTY_FEE'>]: InvoiceItemOf<C> }[Exclude<
      InvoiceableCode,
      'PROPERTY_FEE'
    >];

/** Period starts of a party's live (open or paid) claims for a fee code. */
export async function liveClaims(
  db: Db,
  owner: string,
  feeCode: FeeCode,
): Promise<Map<string, 'OPEN' | 'PAID'>> {
  return (await liveClaimsByFee(db, owner, feeCode)).get(feeCode) ?? new Map();
}

/** A party's live claims of every fee code (or of one), by fee code and then period start. */
export async function liveClaimsByFee(
  db: Db,
  owner: string,
  feeCode?: FeeCode,
): Promise<Map<string, Map<string, 'OPEN' | 'PAID'>>> {
  const items = await db.queryAll({
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
    ExpressionAttributeValues: { ':pk': owner, ':sk': feeCode ? `CLAIM#${feeCode}#` : 'CLAIM#' },
  });
  const live = new Map<string, Map<string, 'OPEN' | 'PAID'>>();
  for (const item of items) {
    const claim = parseRecord(claimRecordSchema, item, 'claim');
    if (claim.state === 'RELEASED') continue;
    const byStart = live.get(claim.feeCode) ?? new Map<string, 'OPEN' | 'PAID'>();
    byStart.set(claim.period.start, claim.state);
    live.set(claim.feeCode, byStart);
  }
  return live;
}

/**
 * The periods an invoice bills: `requested` → the next that many unbilled periods; otherwise every
 * unbilled period that has started by `today` (a late move-in pays each elapsed year), and at least
 * the first unbilled one (a renewal ahead of its period).
 */
export function selectPeriods(
  unit: PeriodBasis,
  billed: ReadonlyMap<string, unknown>,
  today: BizDate,
  requested?: number,
  /** No period starting before this day (a fee whose liability starts later, e.g. a space's). */
  from?: BizDate,
): Period[] {
  const out: Period[] = [];
  // Without `requested`, collect one more than allowed, so that exactly MAX_PERIODS is not mistaken
  // for too many.
  for (let k = 0; k < 1000 && out.length < (requested ?? MAX_PERIODS + 1); k++) {
    const p = unitPeriod(unit, k);
    if (billed.has(p.start) || (from && p.start < from)) continue;
    if (requested === undefined && out.length > 0 && p.start > today) break;
    out.push(p);
  }
  if (requested === undefined && out.length > MAX_PERIODS) {
    throw ValidationError.of(
      'items',
      'TOO_MANY_PERIODS',
      `more than ${MAX_PERIODS} unbilled periods; bill them in parts with "periods"`,
    );
  }
  return out;
}

/** The annual period that starts on `start` (a renewal names the period it bills). */
export function periodStarting(unit: PeriodBasis, start: BizDate): Period {
  const k = periodIndexOn(billingAnchor(unit), start);
  const p = k >= 0 ? unitPeriod(unit, k) : undefined;
  if (!p || p.start !== start)
    throw ValidationError.of('periodStart', 'NOT_A_PERIOD_START', `${start} does not start a period`);
  return p;
}

function periodsField(value: number | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1 || value > MAX_PERIODS) {
    throw ValidationError.of(
      field,
      'INVALID_NUMBER',
      `${field} must be a whole number from 1 to ${MAX_PERIODS}`,
    );
  }
  return value;
}

/** What a unit invoice's items need read; each only when an item needs it, all in one round trip. */
async function readForDraft(
  ctx: Pick<Ctx, 'db'>,
  unit: Unit,
  items: readonly UnitInvoiceItem[],
  tariffs: readonly TariffVersion[] | Promise<readonly TariffVersion[]>,
  knownSpaces?: Space[],
) {
  const owner = claimOwner.unit(unit.unitId);
  const property = items.find((i) => i.type === 'PROPERTY_FEE');
  const parking = items.find((i) => i.type === 'PARKING_SPACE_FEE');
  const none = async () => undefined;
  const [versions, propertyClaims, parkingClaims, spaces] = await Promise.all([
    tariffs,
    property && !property.periodStart ? liveClaims(ctx.db, owner, 'PROPERTY_FEE') : none(),
    // Without its own periods a parking-space item follows the property fee's.
    parking && (parking.periods !== undefined || !property)
      ? liveClaims(ctx.db, owner, 'PARKING_SPACE_FEE')
      : none(),
    parking ? (knownSpaces ?? listSpaces(ctx, unit.unitId)) : none(),
  ]);
  return { versions, propertyClaims, parkingClaims, spaces };
}

/** Prices the items of a unit invoice: the server supplies unit type, area, spaces and periods. */
export async function draftUnitInvoice(
  ctx: Ctx,
  unit: Unit,
  items: readonly UnitInvoiceItem[],
  tariffsOrRead: readonly TariffVersion[] | Promise<readonly TariffVersion[]>,
  /** The unit's spaces as the caller just read them (the renewal job), else read here. */
  knownSpaces?: Space[],
): Promise<FeeLine[]> {
  const at = ctx.now();
  const today = businessDate(at);
  const area = new Dec(unit.area);
  const lines: FeeLine[] = [];
  const seen = new Set<string>();
  let propertyPeriods: Period[] | undefined;
  for (const [i, item] of items.entries()) {
    if (seen.has(item.type)) {
      throw ValidationError.of(`items[${i}].type`, 'DUPLICATE_ITEM', `${item.type} appears more than once`);
    }
    seen.add(item.type);
  }
  const read = await readForDraft(ctx, unit, items, tariffsOrRead, knownSpaces);
  const tariffs = read.versions;
  // Property fee first: a parking-space item without periods follows its periods.
  const order = [...items.entries()].sort(
    ([, a], [, b]) => Number(b.type === 'PROPERTY_FEE') - Number(a.type === 'PROPERTY_FEE'),
  );
  for (const [i, item] of order) {
    switch (item.type) {
      case 'PROPERTY_FEE': {
        if (item.periodStart) {
          propertyPeriods = [periodStarting(unit, item.periodStart)];
        } else {
          propertyPeriods = selectPeriods(
            unit,
            read.propertyClaims ?? new Map(),
            today,
            periodsField(item.periods, `items[${i}].periods`),
          );
        }
        for (const period of propertyPeriods) {
          lines.push(
            propertyFee({
              unitType: unit.unitType,
              area,
              months: 12,
              tariff: tariffOn(tariffs, period.start),
              period,
            }),
          );
        }
        break;
      }
      case 'PARKING_SPACE_FEE': {
        lines.push(...spaceLines(unit, item, i, read, propertyPeriods, today, tariffs));
        break;
      }
      default: {
        // Every other fee type is priced by its registry entry (lib/fee-types/pricing.ts).
        const price = unitInvoicePricing(item.type);
        if (!price) {
          throw ValidationError.of(
            `items[${i}].type`,
            'NOT_A_UNIT_ITEM',
            `${(item as { type: string }).type} is not billed on a unit invoice; use the parking routes`,
          );
        }
        try {
          lines.push(...price(item, { unitType: unit.unitType, area }, tariffOn(tariffs, today)));
        } catch (e) {
          if (e instanceof ValidationError)
            throw new ValidationError(e.problems.map((p) => ({ ...p, field: `items[${i}].${p.field}` })));
          throw e;
        }
      }
    }
  }
  return lines;
}

/**
 * The space-fee lines of a unit invoice (SPEC.md §4.1): a period bills the spaces whose first
 * billable day is on or before its start, so a unit with no space, or a period before a space's
 * start, is never billed for it. Following the property fee's periods, a period with no billable
 * space has no space line; alone, the item bills the next unbilled periods from the earliest
 * space's start. A `spaces` count the client sends must be what the server counts for each period.
 */
function spaceLines(
  unit: Unit,
  item: InvoiceItemOf<'PARKING_SPACE_FEE'>,
  i: number,
  read: { parkingClaims?: Map<string, unknown>; spaces?: Space[] },
  propertyPeriods: Period[] | undefined,
  today: BizDate,
  tariffs: readonly TariffVersion[],
): FeeLine[] {
  const field = `items[${i}].spaces`;
  const spaces = read.spaces ?? [];
  if (spaces.length === 0) {
    throw ValidationError.of(field, 'NO_SPACES', 'the unit has no registered owned or use-right space');
  }
  const earliest = spaces.map((s) => spaceBillFrom(s, unit)).sort()[0]!;
  const requested = periodsField(item.periods, `items[${i}].periods`);
  const periods = (
    requested === undefined && propertyPeriods
      ? propertyPeriods
      : selectPeriods(unit, read.parkingClaims ?? new Map(), today, requested, earliest)
  ).filter((p) => spacesBilledIn(spaces, unit, p) > 0);
  if (periods.length === 0) {
    throw ValidationError.of(
      field,
      'NO_BILLABLE_SPACE',
      `no registered space is billed in these periods: the unit's spaces are billed from ${earliest}`,
    );
  }
  return periods.map((period) => {
    const count = spacesBilledIn(spaces, unit, period);
    if (item.spaces !== undefined && item.spaces !== count) {
      throw ValidationError.of(
        field,
        'SPACES_MISMATCH',
        `the unit has ${count} space(s) billed for ${period.start}; leave "spaces" out to bill them`,
      );
    }
    try {
      return parkingSpaceFee({ spaces: count, months: 12, tariff: tariffOn(tariffs, period.start), period });
    } catch (e) {
      if (e instanceof ValidationError) throw ValidationError.of(field, e.code, e.message);
      throw e;
    }
  });
}
