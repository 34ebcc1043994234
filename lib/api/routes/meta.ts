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
    schemas: () => ({
      response: z.object({ status: z.literal('ok') }),
    }),
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
    schemas: () => ({
      response: z.record(z.string(), z.unknown()),
    }),
    status: 200,
    async handler() {
      // Generated from the route table by `npm run openapi` (lib/api/openapi-write.ts) and committed:
      // building it here would put every route's code in the meta Lambda (a test fails when the file
      // is stale). Imported on first use, so the generator, which loads this route, runs without it.
      const { default: document } = await import('../openapi.generated.json', { with: { type: 'json' } });
      return document;
    },
  }),
];
