/**
 * Reconciliation (对账) of a provider's daily statement file with the service's records (SPEC.md
 * §9, docs/payments.md "Reconciliation"). In the payments function group: it reads receipts and
 * exceptions and stores its result.
 */
import * as z from 'zod/mini';
import { NotFoundError } from '../../errors.js';
import { PROVIDERS } from '../../payments/provider.js';
import { getReconciliation, reconcile, reconciliationShape } from '../../payments/reconcile.js';
import { parseBizDate } from '../../time.js';
import { requireEstate } from '../auth.js';
import { once, route } from '../route.js';
import * as s from '../schemas.js';

const reconciliation = once(reconciliationShape);

/** A day's statement of one estate is kilobytes; 2 MB leaves room and stays one request. */
const STATEMENT_MAX_BYTES = 2 * 1024 * 1024;
const STATEMENT_TYPES = ['text/csv', 'text/plain', 'application/octet-stream'] as const;

export const reconciliationRoutes = [
  route({
    method: 'POST',
    path: '/v1/estates/{estateId}/reconciliations',
    operationId: 'createReconciliation',
    summary:
      "Reconcile a provider's daily statement file (WeChat Pay trade bill or Alipay business statement CSV) with the day's receipts and payment exceptions; the same file again answers the stored result",
    group: 'payments',
    access: 'RW',
    roles: ['accountant', 'admin'],
    schemas: () => ({
      params: z.strictObject({ estateId: s.estateId() }),
      query: z.strictObject({ provider: z.enum(PROVIDERS), date: z.string() }),
      response: reconciliation(),
    }),
    rawBody: { maxBytes: STATEMENT_MAX_BYTES, types: STATEMENT_TYPES },
    status: 201,
    async handler({ params, query, raw, ctx, actor }) {
      requireEstate(actor, params.estateId);
      const date = parseBizDate(query.date, 'date');
      return reconcile(ctx, params.estateId, query.provider, date, raw ?? new Uint8Array());
    },
  }),
  route({
    method: 'GET',
    path: '/v1/estates/{estateId}/reconciliations/{id}',
    operationId: 'getReconciliation',
    summary: 'A stored reconciliation, as it was answered',
    group: 'payments',
    access: 'RO',
    roles: ['accountant', 'admin'],
    schemas: () => ({
      params: z.strictObject({
        estateId: s.estateId(),
        id: z.string().check(z.regex(/^RCN[0-9A-F]{20}$/, 'must be a reconciliation id')),
      }),
      response: reconciliation(),
    }),
    status: 200,
    async handler({ params, ctx, actor }) {
      requireEstate(actor, params.estateId);
      const r = await getReconciliation(ctx, params.id);
      // Another estate's reconciliation is answered as missing, not as forbidden.
      if (r.estateId !== params.estateId)
        throw new NotFoundError('RECONCILIATION_NOT_FOUND', `reconciliation ${params.id} does not exist`);
      return r;
    },
  }),
];
