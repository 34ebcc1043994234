/** Unauthenticated routes: health and the OpenAPI document. */
import * as z from 'zod/mini';
import { key } from '../../store/keys.js';
import { route } from '../route.js';

export const metaRoutes = [
  route({
    method: 'GET',
    path: '/health',
    operationId: 'health',
    summary: 'Answers once the store answers',
    group: 'meta',
    access: 'RO',
    roles: 'public',
    response: z.object({ status: z.literal('ok') }),
    status: 200,
    async handler({ ctx }) {
      await ctx.db.get(key.estate('HEALTH'), false);
      return { status: 'ok' };
    },
  }),
  route({
    method: 'GET',
    path: '/openapi.json',
    operationId: 'openapi',
    summary: 'This API as an OpenAPI 3.1 document',
    group: 'meta',
    access: 'RO',
    roles: 'public',
    response: z.record(z.string(), z.unknown()),
    status: 200,
    async handler() {
      // Imported lazily: the document is built from every route, including this one.
      const { openApi } = await import('../routes.js');
      return openApi();
    },
  }),
];
