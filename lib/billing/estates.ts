/** Estates, their tariff versions and holiday calendars (admin set-up). */
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { TransactionCancelled } from '../store/db.js';
import { key } from '../store/keys.js';
import { calendarRecordSchema, parseRecord, tariffRecordSchema } from '../store/records.js';
import { seedTariff, type TariffVersion, type TariffVersionInput } from '../tariffs/catalog.js';
import { DEFAULT_NOTICE_LEAD_DAYS, validateTariffVersion, versionInEffect } from '../tariffs/validate.js';
import {
  type BizDate,
  formatInstant,
  type HolidaySchedule,
  OFFICIAL_SCHEDULES,
  parseBizDate,
  WorkingCalendar,
} from '../time.js';
import { auditItem, type Ctx } from './context.js';
import { type Estate, estateFromItem } from './records.js';

export const DEFAULT_EXIT_GRACE_MINUTES = 15;

function tariffItem(v: TariffVersion) {
  return { ...key.tariff(v.estateId, v.effectiveFrom), type: 'TARIFF', ...v };
}

/** Creates an estate on the contract-standard tariff (its first version). */
export async function createEstate(
  ctx: Ctx,
  input: { estateId: string; name: string; noticeLeadDays?: number; exitGraceMinutes?: number },
): Promise<Estate> {
  const at = ctx.now();
  const estate: Estate = {
    estateId: input.estateId,
    name: input.name,
    noticeLeadDays: input.noticeLeadDays ?? DEFAULT_NOTICE_LEAD_DAYS,
    exitGraceMinutes: input.exitGraceMinutes ?? DEFAULT_EXIT_GRACE_MINUTES,
    createdAt: formatInstant(at),
  };
  try {
    await ctx.db.transact([
      {
        Put: {
          Item: { ...key.estate(estate.estateId), type: 'ESTATE', ...estate },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      { Put: { Item: tariffItem(seedTariff(estate.estateId)) } },
      auditItem(ctx, at, { estateId: estate.estateId, action: 'ESTATE_CREATED', document: estate.estateId }),
    ]);
  } catch (e) {
    if (e instanceof TransactionCancelled && e.failedAt(0)) {
      throw new ConflictError('ESTATE_EXISTS', `estate ${estate.estateId} already exists`);
    }
    throw e;
  }
  return estate;
}

export async function getEstate(ctx: Pick<Ctx, 'db'>, estateId: string): Promise<Estate> {
  const item = await ctx.db.get(key.estate(estateId));
  if (!item) throw new NotFoundError('ESTATE_NOT_FOUND', `estate ${estateId} does not exist`);
  return estateFromItem(item);
}

/** Every tariff version of an estate, newest first. */
export async function listTariffs(ctx: Pick<Ctx, 'db'>, estateId: string): Promise<TariffVersion[]> {
  const items = await ctx.db.queryAll({
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
    ExpressionAttributeValues: { ':pk': key.estate(estateId).PK, ':sk': 'TARIFF#' },
    ScanIndexForward: false,
  });
  return items.map((i) => parseRecord(tariffRecordSchema, i, 'tariff version'));
}

/** The version in effect on `date`; an estate always has one from its creation. */
export function tariffOn(versions: readonly TariffVersion[], date: BizDate): TariffVersion {
  // Before the first version (a 1998 delivery) the contract standard applies (SPEC.md §8): the
  // estate's earliest version is the one created from it.
  const v =
    versionInEffect(versions, date) ??
    [...versions].sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom))[0];
  if (!v)
    throw new ValidationError([
      { field: 'on', code: 'NO_TARIFF', message: `no tariff is in effect on ${date}` },
    ]);
  return v;
}

export async function addTariff(
  ctx: Ctx,
  estateId: string,
  input: TariffVersionInput,
): Promise<TariffVersion> {
  const estate = await getEstate(ctx, estateId);
  const existing = await listTariffs(ctx, estateId);
  validateTariffVersion(input, existing, estate.noticeLeadDays);
  const version: TariffVersion = { ...input, estateId, versionId: `${estateId}@${input.effectiveFrom}` };
  const at = ctx.now();
  try {
    await ctx.db.transact([
      {
        Put: {
          Item: tariffItem(version),
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      auditItem(ctx, at, {
        estateId,
        action: 'TARIFF_ADDED',
        document: version.versionId,
        reason: input.approvalRef,
      }),
    ]);
  } catch (e) {
    if (e instanceof TransactionCancelled && e.failedAt(0)) {
      throw new ConflictError('TARIFF_EXISTS', `a version effective ${input.effectiveFrom} already exists`);
    }
    throw e;
  }
  return version;
}

/** Replaces one year's holiday schedule (reference data, not a financial document; audited). */
export async function putCalendar(
  ctx: Ctx,
  estateId: string,
  year: number,
  schedule: HolidaySchedule,
): Promise<HolidaySchedule & { year: number }> {
  await getEstate(ctx, estateId);
  const check = (list: readonly string[], field: string) =>
    list.map((d, i) => {
      const date = parseBizDate(d, `${field}[${i}]`);
      if (!date.startsWith(`${year}-`)) {
        throw ValidationError.of(`${field}[${i}]`, 'WRONG_YEAR', `${date} is not in ${year}`);
      }
      return date;
    });
  const holidays = [...new Set(check(schedule.holidays, 'holidays'))].sort();
  const workdays = [...new Set(check(schedule.workdays, 'workdays'))].sort();
  const both = holidays.filter((d) => workdays.includes(d));
  if (both.length > 0) {
    throw ValidationError.of(
      'workdays',
      'CONTRADICTORY_DAYS',
      `${both.join(', ')} cannot be both a holiday and a workday`,
    );
  }
  const at = ctx.now();
  await ctx.db.transact([
    {
      Put: {
        Item: { ...key.calendar(estateId, year), type: 'CALENDAR', estateId, year, holidays, workdays },
      },
    },
    auditItem(ctx, at, { estateId, action: 'CALENDAR_SET', document: `${estateId}/${year}` }),
  ]);
  return { year, holidays, workdays };
}

/** The estate's working-day calendar: stored years, falling back to the shipped official schedules. */
export async function workingCalendar(ctx: Pick<Ctx, 'db'>, estateId: string): Promise<WorkingCalendar> {
  const items = await ctx.db.queryAll({
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
    ExpressionAttributeValues: { ':pk': key.estate(estateId).PK, ':sk': 'CALENDAR#' },
  });
  const byYear = new Map<number, HolidaySchedule>(
    Object.entries(OFFICIAL_SCHEDULES).map(([y, s]) => [Number(y), s]),
  );
  for (const i of items) {
    const { year, holidays, workdays } = parseRecord(calendarRecordSchema, i, 'holiday calendar');
    byYear.set(year, { holidays, workdays });
  }
  return new WorkingCalendar([...byYear.values()]);
}
