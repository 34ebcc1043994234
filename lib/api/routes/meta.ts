/** Unauthenticated routes: health and the OpenAPI document. */
import * as z from 'zod/mini';
import { key } from '../../store/keys.js';
import { route } from '../route.js';

/** Replaced by esbuild in a function bundle (BUNDLE.define); undefined when run from source. */
declare const __OPENAPI_FILE__: string | undefined;

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
      // Read on first use from a file: inlined into the bundle, its ~200 KB would be read and parsed at
      // every cold start of the meta function. In a bundle the file lies beside the handler
      // (__OPENAPI_FILE__, set by the bundling, infra/constructs/bundling.ts); from source, here.
      const { readFile } = await import('node:fs/promises');
      const file = typeof __OPENAPI_FILE__ === 'string' ? __OPENAPI_FILE__ : '../openapi.generated.json';
      return JSON.parse(await readFile(new URL(file, import.meta.url), 'utf8')) as Record<string, unknown>;
    },
  }),
];
