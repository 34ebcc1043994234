/**
 * Onboarding an existing estate (SPEC.md §8): roster import (dry run and commit), an import's state,
 * and the roster export in the import layout. Its own function group, so exceljs and csv-parse
 * (loaded on first use anyway) never weigh on the billing functions.
 */
import * as z from 'zod/mini';
import { importStatus, runImport } from '../../onboarding/import.js';
import { MAX_FILE_BYTES, SPLIT_ADVICE } from '../../onboarding/parse.js';
import { ROSTER_COLUMNS, readRoster, rosterJson } from '../../onboarding/roster.js';
import { requireEstate } from '../auth.js';
import { reportFormat, tableAnswer, withFormats } from '../report-formats.js';
import { once, RawResponse, route } from '../route.js';
import * as s from '../schemas.js';

const estateParams = once(() => z.strictObject({ estateId: s.estateId() }));
const flag = once(() => z.optional(z.enum(['true', 'false'])));
const action = once(() => z.enum(['create', 'update', 'unchanged', 'invalid']));

const report = once(() =>
  z.object({
    importId: z.string(),
    dryRun: z.boolean(),
    state: z.enum(['RUNNING', 'DONE', 'FAILED']),
    counts: z.object({
      rows: z.int(),
      created: z.int(),
      updated: z.int(),
      unchanged: z.int(),
      invalid: z.int(),
    }),
    progress: z.optional(z.object({ chunksDone: z.int(), chunks: z.int() })),
    rows: z.array(
      z.object({
        row: z.int(),
        action: action(),
        changes: z.optional(z.array(z.string())),
        ignored: z.optional(z.array(z.string())),
      }),
    ),
    problems: z.array(
      z.object({
        row: z.int(),
        column: z.string(),
        code: z.string(),
        message: z.object({ zh: z.string(), en: z.string() }),
        severity: z.enum(['error', 'warning']),
      }),
    ),
    error: z.optional(z.string()),
  }),
);

export const ROSTER_TYPES = [
  'text/csv',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.ms-excel',
  'application/octet-stream',
] as const;

export const onboardingRoutes = [
  route({
    method: 'POST',
    path: '/v1/estates/{estateId}/imports',
    operationId: 'importRoster',
    summary:
      'Import a roster (CSV or XLSX): ?dryRun=true answers the report and writes nothing; a commit needs an Idempotency-Key, writes nothing if any row is invalid (422 with the report) and completes on retry; a file over the inline row limit answers 202 RUNNING and a worker finishes it (poll GET …/imports/{importId})',
    group: 'onboarding',
    access: 'RW',
    roles: ['admin'],
    schemas: () => ({
      params: estateParams(),
      query: z.strictObject({ dryRun: flag() }),
      response: report(),
    }),
    rawBody: { maxBytes: MAX_FILE_BYTES, types: ROSTER_TYPES, tooLarge: SPLIT_ADVICE },
    status: 201,
    async handler({ params, query, raw, headers, ctx, actor }) {
      requireEstate(actor, params.estateId);
      const dryRun = query.dryRun === 'true';
      const idempotencyKey = headers['idempotency-key'];
      const out = await runImport(ctx, params.estateId, raw ?? new Uint8Array(), {
        dryRun,
        ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
      });
      // A dry run creates nothing: 200. A commit left to the worker is accepted, not done: 202.
      if (dryRun || out.state === 'RUNNING') {
        return new RawResponse(
          JSON.stringify(out),
          { 'content-type': 'application/json' },
          dryRun ? 200 : 202,
        );
      }
      return out;
    },
  }),
  route({
    method: 'GET',
    path: '/v1/estates/{estateId}/imports/{importId}',
    operationId: 'getImport',
    summary: "An import's state (RUNNING, DONE, FAILED), counts, progress and row actions",
    group: 'onboarding',
    access: 'RO',
    roles: ['admin'],
    schemas: () => ({
      params: z.strictObject({
        estateId: s.estateId(),
        importId: z.string().check(z.regex(/^IMP[0-9A-F]{20}$/)),
      }),
      response: report(),
    }),
    status: 200,
    async handler({ params, ctx, actor }) {
      requireEstate(actor, params.estateId);
      return importStatus(ctx, params.estateId, params.importId);
    },
  }),
  ...withFormats(
    route({
      method: 'GET',
      path: '/v1/estates/{estateId}/roster',
      operationId: 'getRoster',
      summary:
        'The roster in the import layout (JSON, .csv, .xlsx); phones masked to the last four digits unless ?full=true (audited)',
      group: 'onboarding',
      // ?full=true writes its audit record.
      access: 'RW',
      roles: ['admin'],
      schemas: () => ({
        params: estateParams(),
        query: z.strictObject({ full: flag() }),
        response: z.object({ items: z.array(z.record(z.string(), z.string())) }),
      }),
      status: 200,
      async handler(req) {
        const { params, query, ctx, actor } = req;
        requireEstate(actor, params.estateId);
        const entries = await readRoster(ctx, params.estateId, query.full === 'true');
        const format = reportFormat(req);
        if (format === 'json') return { items: entries.map(rosterJson) };
        return tableAnswer({
          format,
          file: `roster-${params.estateId}`,
          sheet: '房屋清单',
          columns: ROSTER_COLUMNS,
          rows: entries,
        });
      },
    }),
  ),
];
