/** A deposit refund by number, for reprint (SPEC.md §5): renovation group, beside the refund itself. */
import * as z from 'zod/mini';
import { Reprinter } from '../../billing/reprints.js';
import { getDepositRefund } from '../../renovation/refund.js';
import { loadInScope } from '../auth.js';
import { route } from '../route.js';
import * as s from '../schemas.js';
import { STAFF } from './common.js';
import { depositRefund, presentDepositRefund } from './renovation-present.js';

export const depositRefundRoutes = [
  route({
    method: 'GET',
    path: '/v1/deposit-refunds/{refundNo}',
    operationId: 'getDepositRefund',
    summary: 'A renovation deposit refund, for reprint',
    group: 'renovation',
    access: 'RO',
    roles: [...STAFF, 'owner'],
    schemas: () => ({
      params: z.strictObject({ refundNo: s.docId() }),
      response: depositRefund(),
    }),
    status: 200,
    async handler({ params, actor, ctx }) {
      const refund = await loadInScope(actor, `deposit refund ${params.refundNo}`, () =>
        getDepositRefund(ctx, params.refundNo),
      );
      return presentDepositRefund(await new Reprinter(ctx).depositRefund(refund));
    },
  }),
];
