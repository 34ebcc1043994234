/** The OpenAPI 3.1 document, generated from the same route table and zod schemas that validate requests. */
import * as z from 'zod/mini';
import type { AnyRoute } from './route.js';
import { date, errorBody, signedMoney } from './schemas.js';

type Json = Record<string, unknown>;

function schemaOf(schema: z.ZodMiniType, io: 'input' | 'output'): Json {
  const out = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  delete out['$schema'];
  return out;
}

/**
 * Answers repeat two leaf schemas hundreds of times (every date and amount of every invoice, line
 * and receipt): they are named once under components and referenced, which keeps the document, and
 * the meta function that serves it, small. Requests keep them inline (clients read those patterns).
 */
const SHARED_OUTPUT: Record<string, z.ZodMiniType> = { Date: date(), SignedMoney: signedMoney() };

function hoistShared(node: unknown, shared: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(node)) return node.map((n) => hoistShared(n, shared));
  if (node === null || typeof node !== 'object') return node;
  const name = shared.get(JSON.stringify(node));
  if (name) return { $ref: `#/components/schemas/${name}` };
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, hoistShared(v, shared)]));
}

function parameters(route: AnyRoute): Json[] {
  const params: Json[] = [];
  const add = (schema: z.ZodMiniType | undefined, where: 'path' | 'query') => {
    if (!schema) return;
    const js = schemaOf(schema, 'input') as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, prop] of Object.entries(js.properties ?? {})) {
      params.push({
        name,
        in: where,
        required: where === 'path' || (js.required ?? []).includes(name),
        schema: prop,
      });
    }
  };
  add(route.params, 'path');
  add(route.query, 'query');
  if (route.idempotent) {
    params.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: true,
      description: 'Moves money: a retry with the same key and body returns the first response.',
      schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
    });
  }
  return params;
}

const ERRORS: Record<string, string> = {
  '400': 'Invalid input; details name each bad field',
  '401': 'No or bad token',
  '403': 'Outside role or scope',
  '404': 'Unknown',
  '409': 'Conflict (already paid, period already billed, request in progress)',
  '422': 'Idempotency key reused with a different body',
  '429': 'Throttled',
  '503': 'Store unavailable; retry after Retry-After seconds',
};

export function openApiDocument(routes: readonly AnyRoute[], serverUrl?: string): Json {
  const paths: Record<string, Record<string, Json>> = {};
  const sharedSchemas = Object.fromEntries(
    Object.entries(SHARED_OUTPUT).map(([name, schema]) => [name, schemaOf(schema, 'output')]),
  );
  const sharedByJson = new Map(Object.entries(sharedSchemas).map(([name, js]) => [JSON.stringify(js), name]));
  for (const route of routes) {
    const errorResponses = Object.fromEntries(
      Object.entries(ERRORS)
        .filter(([code]) => route.roles !== 'public' || !['401', '403'].includes(code))
        // The component carries the description: repeating it in every operation cost the meta
        // function's bundle (which ships this document) some 25 KB.
        .map(([code]) => [code, { $ref: `#/components/responses/E${code}` }]),
    );
    const op: Json = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.group],
      description:
        (route.roles === 'public' ? 'No authentication.' : `Roles: ${route.roles.join(', ')}.`) +
        (route.notes ? ` ${route.notes}` : ''),
      ...(route.roles === 'public' ? { security: [] } : {}),
      parameters: parameters(route),
      responses: {
        [String(route.status)]: {
          description: 'Success',
          content: {
            [route.produces ?? 'application/json']: {
              schema: route.produces
                ? { type: 'string' }
                : hoistShared(schemaOf(route.response, 'output'), sharedByJson),
            },
          },
        },
        ...errorResponses,
      },
    };
    if (route.body) {
      op['requestBody'] = {
        required: true,
        content: { 'application/json': { schema: schemaOf(route.body, 'input') } },
      };
    }
    if ((op['parameters'] as Json[]).length === 0) delete op['parameters'];
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Property fee billing and parking charges',
      version: '1.0.0',
      description:
        'Fees of a residential property office (物业服务中心). Money is a string with two decimals.',
      license: { name: 'UNLICENSED', identifier: 'LicenseRef-Proprietary' },
    },
    // Relative: the document is served by the API it describes (npm start, or API Gateway's own URL).
    servers: [{ url: serverUrl ?? '/', description: 'the host serving this document' }],
    security: [{ bearer: [] }],
    tags: [...new Set(routes.map((r) => r.group))].map((name) => ({ name, description: `${name} routes` })),
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Error: schemaOf(errorBody(), 'output'), ...sharedSchemas },
      responses: Object.fromEntries(
        Object.entries(ERRORS).map(([code, description]) => [
          `E${code}`,
          {
            description,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          },
        ]),
      ),
    },
  };
}
