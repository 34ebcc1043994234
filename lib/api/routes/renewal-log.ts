/** GET /v1/estates/{estateId}/renewals: the renewal runs' log an admin reads (docs/reports.md). */
import * as z from 'zod/mini';
import { getEstate } from '../../billing/estates.js';
import { readRenewalLog } from '../../billing/renewal-log.js';
import { businessDate } from '../../time.js';
import { requireEstate } from '../auth.js';
import { route } from '../route.js';
import * as s from '../schemas.js';

const estateParams = z.strictObject({ estateId: s.estateId() });

const renewalLogLine = z.object({
  estateId: z.string(),
  asOf: z.string(),
  at: z.string(),
  actor: z.string(),
  issuedCount: z.int(),
  issued: z.array(z.string()),
  skipped: z.int(),
  failedCount: z.int(),
  failed: z.array(z.object({ unitId: z.string(), error: z.string() })),
});

export const renewalLogRoutes = [
  route({
    method: 'GET',
    path: '/v1/estates/{estateId}/renewals',
    operationId: 'renewalLog',
    summary:
      'The renewal runs as of a date (default today): one line per run with what it issued (first 200 numbers), ' +
      'skipped and failed, who ran it and when',
    group: 'billing',
    access: 'RO',
    roles: ['admin'],
    schemas: () => ({
      params: estateParams,
      query: z.strictObject({ date: z.optional(s.date()) }),
      response: z.object({ runs: z.array(renewalLogLine) }),
    }),
    status: 200,
    async handler({ params, query, actor, ctx }) {
      requireEstate(actor, params.estateId);
      await getEstate(ctx, params.estateId);
      return { runs: await readRenewalLog(ctx, params.estateId, query.date ?? businessDate(ctx.now())) };
    },
  }),
];
