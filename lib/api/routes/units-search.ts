/** Finding a unit by building and room (the counter's first step): `GET /v1/estates/{estateId}/units`. */
import * as z from 'zod/mini';
import { searchUnits } from '../../billing/unit-search.js';
import { requireEstate } from '../auth.js';
import { presentUnit } from '../present.js';
import { once, route } from '../route.js';
import * as s from '../schemas.js';
import { page, STAFF } from './common.js';
import { unitSchema } from './units.js';

const unitSummary = once(() => z.omit(unitSchema(), { spaces: true, openInvoices: true }));

export const unitSearchRoutes = [
  route({
    method: 'GET',
    path: '/v1/estates/{estateId}/units',
    operationId: 'searchUnits',
    summary:
      'Units of an estate by building (and room), or by q (room, owner name or the last four digits of a phone), in natural address order',
    group: 'billing',
    access: 'RO',
    roles: STAFF,
    schemas: () => ({
      params: z.strictObject({ estateId: s.estateId() }),
      query: z.strictObject({
        building: z.optional(s.text(20)),
        room: z.optional(s.text(20)),
        q: z.optional(s.text(50)),
        limit: s.limit(),
        cursor: s.cursor(),
      }),
      response: page(unitSummary()),
    }),
    status: 200,
    async handler({ params, query, actor, ctx }) {
      requireEstate(actor, params.estateId);
      const found = await searchUnits(ctx, params.estateId, {
        limit: query.limit,
        ...(query.building !== undefined ? { building: query.building } : {}),
        ...(query.room !== undefined ? { room: query.room } : {}),
        ...(query.q !== undefined ? { q: query.q } : {}),
        ...(query.cursor ? { cursor: query.cursor } : {}),
      });
      return {
        items: found.items.map((u) => presentUnit(u)),
        ...(found.nextCursor ? { nextCursor: found.nextCursor } : {}),
      };
    },
  }),
];
