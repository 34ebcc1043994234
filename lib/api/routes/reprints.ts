/**
 * Finding and reprinting documents (SPEC.md §5), billing group: the receipts list and credit notes
 * by number. Receipts and invoices by number are in routes/invoices.ts, deposit refunds in
 * routes/deposit-refunds.ts (renovation group); all print the same way (billing/reprints.ts).
 */
import * as z from 'zod/mini';
import { getCreditNote } from '../../billing/credit-notes.js';
import { listReceipts, Reprinter } from '../../billing/reprints.js';
import { ValidationError } from '../../errors.js';
import { estateOfUnit, loadInScope, requireEstate } from '../auth.js';
import { presentCreditNote, presentReceipt } from '../present.js';
import { route } from '../route.js';
import * as s from '../schemas.js';
import { page, STAFF } from './common.js';

export const reprintRoutes = [
  route({
    method: 'GET',
    path: '/v1/receipts',
    operationId: 'listReceipts',
    summary:
      "Receipts for lookup and reprint, newest first: an estate's (of one business date), a unit's or a plate's",
    group: 'billing',
    access: 'RO',
    roles: STAFF,
    schemas: () => ({
      query: z.strictObject({
        estateId: s.estateId(),
        date: z.optional(s.date()),
        unitId: z.optional(s.docId()),
        plate: z.optional(z.string().check(z.minLength(1), z.maxLength(20))),
        limit: s.limit(),
        cursor: s.cursor(),
      }),
      response: page(s.receipt()),
    }),
    status: 200,
    async handler({ query, actor, ctx }) {
      requireEstate(actor, query.estateId);
      if (query.unitId !== undefined && estateOfUnit(query.unitId) !== query.estateId) {
        throw ValidationError.of(
          'unitId',
          'UNIT_NOT_IN_ESTATE',
          `unit ${query.unitId} is not in estate ${query.estateId}`,
        );
      }
      const list = await listReceipts(ctx, query);
      return {
        items: list.items.map(presentReceipt),
        ...(list.nextCursor ? { nextCursor: list.nextCursor } : {}),
      };
    },
  }),
  route({
    method: 'GET',
    path: '/v1/credit-notes/{creditNoteNo}',
    operationId: 'getCreditNote',
    summary: 'A credit note (红冲), for reprint',
    group: 'billing',
    access: 'RO',
    roles: [...STAFF, 'owner'],
    schemas: () => ({
      params: z.strictObject({ creditNoteNo: s.docId() }),
      response: s.creditNote(),
    }),
    status: 200,
    async handler({ params, actor, ctx }) {
      const note = await loadInScope(actor, `credit note ${params.creditNoteNo}`, () =>
        getCreditNote(ctx, params.creditNoteNo),
      );
      return presentCreditNote(await new Reprinter(ctx).creditNote(note));
    },
  }),
];
