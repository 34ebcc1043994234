/**
 * Arrears where people look (SPEC.md §10, docs/reports.md): the arrears report (JSON pages, CSV,
 * XLSX), the unit's printable 催缴通知单, and the batch print of notices from the report.
 */
import * as z from 'zod/mini';
import type { Actor, Ctx } from '../../billing/context.js';
import { getEstate } from '../../billing/estates.js';
import { openInvoices } from '../../billing/invoices.js';
import { getUnit } from '../../billing/units.js';
import { ConflictError, ValidationError } from '../../errors.js';
import { formatFen, parseMoney } from '../../money.js';
import {
  type ArrearsTotals,
  arrearsTotals,
  BUCKET_KEYS,
  BUCKETS,
  compareRows,
  type UnitArrears,
} from '../../reports/arrears.js';
import { labelled, parseAsOf, readArrearsBook, unitLabels } from '../../reports/arrears-query.js';
import { ARREARS_COLUMNS, presentArrearsRow } from '../../reports/arrears-table.js';
import { dunningNotice } from '../../reports/dunning.js';
import { dunningHtml, PAPERS } from '../../reports/dunning-html.js';
import { unitArrears } from '../../reports/unit-arrears.js';
import { claimOwner } from '../../store/keys.js';
import { businessDate } from '../../time.js';
import { loadInScope, requireEstate } from '../auth.js';
import { reportFormat, tableAnswer, withFormats } from '../report-formats.js';
import { RawResponse, route } from '../route.js';
import * as s from '../schemas.js';

/**
 * Report fields are described once, on the objects, with plain strings inside: the OpenAPI document
 * ships in the meta function's bundle, and every `s.money()` or `s.feeCode()` repeats its description.
 */
const amt = z.string();
const day = z.string();
const asOfParam = z.optional(
  z.string().check(z.meta({ description: 'YYYY-MM-DD, default today; at most a year ahead' })),
);
const bucketsSchema = z.object(Object.fromEntries(BUCKET_KEYS.map((k) => [k, amt])));
const arrearsRow = z
  .object({
    unitId: z.string(),
    building: z.optional(z.string()),
    entrance: z.optional(z.string()),
    room: z.optional(z.string()),
    owner: z.optional(z.string()),
    phone: z.optional(z.string()),
    overdue: amt,
    oldestDueDate: day,
    daysOverdue: z.int(),
    buckets: bucketsSchema,
    byFeeCode: z.array(z.object({ feeCode: z.string(), amount: amt })),
    notYetDue: amt,
  })
  .check(
    z.meta({
      description:
        'money as two-decimal strings (CNY); phone masked but the last four digits; notYetDue: billed, unpaid, due after asOf',
    }),
  );
const arrearsTotalsSchema = z.object({
  units: z.int(),
  overdue: amt,
  notYetDue: amt,
  buckets: bucketsSchema,
  byFeeCode: z.array(z.object({ feeCode: z.string(), overdue: amt, buckets: bucketsSchema })),
});

const dunningSchema = z.object({
  estateId: z.string(),
  estateName: z.string(),
  unitId: z.string(),
  building: z.string(),
  entrance: z.optional(z.string()),
  room: z.string(),
  owner: z.optional(z.string()),
  asOf: day,
  bills: z.array(
    z.object({
      invoiceNo: z.string(),
      feeCode: z.string(),
      feeName: z.string(),
      periodStart: z.optional(day),
      periodLastDay: z.optional(day),
      dueDate: day,
      daysOverdue: z.int(),
      amount: amt,
    }),
  ),
  total: amt,
  totalInWords: z.string(),
  howToPay: z.array(z.string()),
});

const presentBuckets = (b: Record<string, bigint>) =>
  Object.fromEntries(BUCKET_KEYS.map((k) => [k, formatFen(b[k] ?? 0n)]));

function presentTotals(t: ArrearsTotals) {
  return {
    units: t.units,
    overdue: formatFen(t.overdue),
    notYetDue: formatFen(t.notYetDue),
    buckets: presentBuckets(t.buckets),
    byFeeCode: [...t.byFeeCode].map(([feeCode, f]) => ({
      feeCode,
      overdue: formatFen(f.overdue),
      buckets: presentBuckets(f.buckets),
    })),
  };
}

/** A page cursor names the last row handed out: (overdue amount, unit id), the sort key. */
const pageCursor = {
  encode: (r: UnitArrears) =>
    Buffer.from(JSON.stringify([r.overdue.toString(), r.unitId])).toString('base64url'),
  decode(value: string): Pick<UnitArrears, 'overdue' | 'unitId'> {
    try {
      const v: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
      if (Array.isArray(v) && v.length === 2 && /^\d+$/.test(String(v[0])) && typeof v[1] === 'string')
        return { overdue: BigInt(v[0] as string), unitId: v[1] };
    } catch {
      // answered below
    }
    throw ValidationError.of('cursor', 'INVALID_CURSOR', 'cursor is not one this list returned');
  },
};

/** The caller's estate scope, the estate, a valid asOf, then the ledger read once. */
async function arrearsOf(actor: Actor, ctx: Ctx, q: { estateId: string; asOf?: string | undefined }) {
  requireEstate(actor, q.estateId);
  const asOf = parseAsOf(q.asOf, businessDate(ctx.now()));
  const estate = await getEstate(ctx, q.estateId);
  const rows = (await readArrearsBook(ctx.db, q.estateId, asOf)).units(asOf);
  return { estate, asOf, rows };
}

/** `bucket=days91to180`: units whose oldest overdue bill is at least that old. */
function atLeast(bucket: string | undefined): number {
  if (bucket === undefined) return 0;
  const i = BUCKET_KEYS.indexOf(bucket as (typeof BUCKET_KEYS)[number]);
  return i <= 0 ? 0 : BUCKETS[i - 1]!.upTo + 1;
}

const reportQuery = { estateId: s.estateId(), asOf: asOfParam };
/** The report's own cursor (a sort key, not a store key); checked when decoded. */
const rowCursor = z.optional(z.string().check(z.maxLength(512)));

export const arrearsRoutes = [
  ...withFormats(
    route({
      method: 'GET',
      path: '/v1/reports/arrears',
      operationId: 'arrearsReport',
      summary:
        'Arrears as of a date, per unit: overdue amount, oldest due date, days overdue, ageing buckets ' +
        '(1-30 holds 0-30 days), per fee code, and what is billed but not yet due; totals. Most overdue first; ' +
        'JSON in pages, CSV and XLSX whole with a 合计 row',
      group: 'ledger',
      access: 'RO',
      roles: ['accountant', 'cashier'],
      schemas: () => ({
        query: z.strictObject({ ...reportQuery, limit: s.limit(), cursor: rowCursor }),
        response: z.object({
          estateId: z.string(),
          asOf: s.date(),
          currency: z.literal('CNY'),
          items: z.array(arrearsRow),
          nextCursor: z.optional(z.string()),
          totals: arrearsTotalsSchema,
        }),
      }),
      status: 200,
      async handler(req) {
        const { query, actor, ctx } = req;
        const { estate, asOf, rows } = await arrearsOf(actor, ctx, query);
        const format = reportFormat(req);
        if (format !== 'json') {
          return tableAnswer({
            format,
            file: `arrears-${estate.estateId}-${asOf}`,
            sheet: `欠费 ${asOf}`,
            columns: ARREARS_COLUMNS(),
            rows: labelled(ctx.db, rows),
            totals: true,
          });
        }
        let from = 0;
        if (query.cursor) {
          const after = pageCursor.decode(query.cursor);
          from = rows.findIndex((r) => compareRows(r, after) > 0);
          if (from < 0) from = rows.length;
        }
        const page = rows.slice(from, from + query.limit);
        const labels = await unitLabels(
          ctx.db,
          page.map((r) => r.unitId),
        );
        const last = page[page.length - 1];
        return {
          estateId: estate.estateId,
          asOf,
          currency: 'CNY' as const,
          items: page.map((r) =>
            presentArrearsRow({ ...r, ...(labels.get(r.unitId) ? { label: labels.get(r.unitId)! } : {}) }),
          ),
          ...(last && from + page.length < rows.length ? { nextCursor: pageCursor.encode(last) } : {}),
          totals: presentTotals(arrearsTotals(rows)),
        };
      },
    }),
  ),
  route({
    method: 'GET',
    path: '/v1/reports/arrears/dunning-notices',
    operationId: 'batchDunningNotices',
    summary:
      'Printable 催缴通知单 for every unit of the arrears report over `minAmount` and/or at least as old as ' +
      '`bucket` (its oldest overdue bill), one per page (A4, or A5 with `paper=A5`), most overdue first; ' +
      'at most `limit` notices, the `x-next-cursor` header names the next batch',
    group: 'ledger',
    access: 'RO',
    roles: ['accountant', 'cashier'],
    schemas: () => ({
      query: z.strictObject({
        ...reportQuery,
        minAmount: z.optional(z.string()),
        bucket: z.optional(z.enum(BUCKET_KEYS as [string, ...string[]])),
        paper: z._default(z.enum(PAPERS), 'A4'),
        limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(1000)), 200),
        cursor: rowCursor,
      }),
      response: z.string(),
    }),
    produces: 'text/html',
    status: 200,
    async handler({ query, actor, ctx }) {
      const min = query.minAmount === undefined ? 0n : parseMoney(query.minAmount, 'minAmount');
      const { estate, asOf, rows } = await arrearsOf(actor, ctx, query);
      const oldest = atLeast(query.bucket);
      const chosen = rows.filter((r) => r.overdue >= min && r.daysOverdue >= oldest);
      let from = 0;
      if (query.cursor) {
        const after = pageCursor.decode(query.cursor);
        from = chosen.findIndex((r) => compareRows(r, after) > 0);
        if (from < 0) from = chosen.length;
      }
      const batch = chosen.slice(from, from + query.limit);
      const notices = [];
      for await (const r of labelled(ctx.db, batch))
        notices.push(dunningNotice(estate, r.label ?? { building: '', room: r.unitId }, r, asOf));
      const headers: Record<string, string> = {
        'content-type': 'text/html; charset=utf-8',
        'x-notice-count': String(notices.length),
      };
      const last = batch[batch.length - 1];
      if (last && from + batch.length < chosen.length) headers['x-next-cursor'] = pageCursor.encode(last);
      return new RawResponse(dunningHtml(notices, query.paper), headers);
    },
  }),
  route({
    method: 'GET',
    path: '/v1/units/{unitId}/dunning-notice',
    operationId: 'dunningNotice',
    summary:
      'Printable 催缴通知单 of a unit today: its overdue bills with periods (last day inclusive), the total in ' +
      'figures and 大写, how to pay, the date. HTML (A4; `paper=A5`), or JSON with `Accept: application/json`; ' +
      '409 NO_ARREARS when nothing is overdue',
    group: 'ledger',
    access: 'RO',
    roles: ['cashier'],
    schemas: () => ({
      params: z.strictObject({ unitId: s.docId() }),
      query: z.strictObject({ paper: z._default(z.enum(PAPERS), 'A4') }),
      response: dunningSchema,
    }),
    produces: 'text/html',
    status: 200,
    async handler({ params, query, actor, ctx, headers }) {
      const unit = await loadInScope(actor, `unit ${params.unitId}`, () => getUnit(ctx, params.unitId));
      const today = businessDate(ctx.now());
      const [estate, open, labels] = await Promise.all([
        getEstate(ctx, unit.estateId),
        openInvoices(ctx, claimOwner.unit(unit.unitId)),
        unitLabels(ctx.db, [unit.unitId]),
      ]);
      const arrears = unitArrears(unit.unitId, open, today);
      if (!arrears)
        throw new ConflictError('NO_ARREARS', `unit ${unit.unitId} has nothing overdue on ${today}`);
      const notice = dunningNotice(estate, labels.get(unit.unitId) ?? unit, arrears, today);
      if ((headers['accept'] ?? '').includes('application/json')) return notice;
      return new RawResponse(dunningHtml([notice], query.paper), {
        'content-type': 'text/html; charset=utf-8',
      });
    },
  }),
];
