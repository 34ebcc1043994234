/**
 * What a route is. The route table built from these (routes.ts) is the single source for the local
 * server, the Lambda handlers, the CDK routes and authorizer, the OpenAPI document and the
 * authorization tests.
 */
import type * as z from 'zod/mini';
import type { Actor, Ctx, Role } from '../billing/context.js';
import type { IdempotentCall } from '../billing/invoices.js';
import type { Db } from '../store/db.js';

/** Lambda functions, one per route group (least privilege is granted per group). */
export const FUNCTION_GROUPS = [
  'meta',
  'billing',
  'parking',
  'renovation',
  'ledger',
  'onboarding',
  'payments',
  'payments-notify',
  'accounting',
] as const;
export type FunctionGroup = (typeof FUNCTION_GROUPS)[number];

export interface Request<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  actor: Actor;
  ctx: Ctx;
  /** Request headers, names lower-cased (content negotiation: `accept`, `content-type`). */
  headers: Record<string, string>;
  /** The request path as sent (`/v1/reports/arrears.xlsx`): report routes read their format from it. */
  path: string;
  /** For `rawBody` routes: the body's bytes, undecoded (a spreadsheet, a form, a statement file). */
  raw?: Buffer;
  /** For money-moving routes: hand this to the domain service so its transaction completes the key. */
  idem: <T>(present: (result: T) => unknown) => IdempotentCall | undefined;
}

/** A non-JSON answer: CSV or HTML as text, XLSX as bytes (sent base64-encoded, as API Gateway wants). */
export class RawResponse {
  constructor(
    readonly body: string | Uint8Array,
    readonly headers: Record<string, string>,
    readonly status = 200,
  ) {}
}

export interface RouteDef<
  P extends z.ZodMiniType = z.ZodMiniType,
  Q extends z.ZodMiniType = z.ZodMiniType,
  B extends z.ZodMiniType = z.ZodMiniType,
> {
  method: 'GET' | 'POST' | 'PUT';
  /** API Gateway style: `/v1/invoices/{invoiceId}`. */
  path: string;
  operationId: string;
  summary: string;
  /** More for the OpenAPI description: rules a client must know (header use, error codes). */
  notes?: string;
  group: FunctionGroup;
  /** The table access the group needs for this route (CDK grants the union per group). */
  access: 'RO' | 'RW';
  /** `public` routes carry no authorizer. */
  roles: readonly Role[] | 'public';
  params?: P;
  query?: Q;
  body?: B;
  response: z.ZodMiniType;
  status: 200 | 201;
  /** Moves money: requires an Idempotency-Key and replays the first answer. */
  idempotent?: boolean;
  /**
   * The handler's reads may run while the idempotency lock is being taken (one round trip less):
   * its service awaits `idem.handle.ready` and writes only in the transaction that completes the key.
   */
  readsDuringLock?: boolean;
  /**
   * The body is not JSON: the handler gets its bytes in `raw` (and `body` is undefined). `maxBytes`
   * is checked before the handler runs (413 with a message); `types` are the accepted content types.
   */
  rawBody?: {
    maxBytes: number;
    types: readonly string[] /** Added to the 413 message: how to split. */;
    tooLarge?: string;
  };
  /** Content type of a successful answer when it is not JSON. */
  produces?: string;
  handler: (req: Request<z.infer<P>, z.infer<Q>, z.infer<B>>) => Promise<unknown>;
}

export type AnyRoute = RouteDef<z.ZodMiniType, z.ZodMiniType, z.ZodMiniType>;

type SchemaFields = 'params' | 'query' | 'body' | 'response';

/**
 * A route whose schemas are built on first use (issue #16): building every route's zod schemas at
 * import was the largest part of a function's cold start after compiling the bundle, and a request
 * needs only its own route's. `schemas` runs once, when the dispatcher (or the OpenAPI generator,
 * or a test) first reads one of them.
 */
export type LazyRouteDef<P extends z.ZodMiniType, Q extends z.ZodMiniType, B extends z.ZodMiniType> = Omit<
  RouteDef<P, Q, B>,
  SchemaFields
> & { schemas: () => Pick<RouteDef<P, Q, B>, SchemaFields> };

/** Keeps the param/query/body types of one route tied to its handler. */
export function route<P extends z.ZodMiniType, Q extends z.ZodMiniType, B extends z.ZodMiniType>(
  def: RouteDef<P, Q, B> | LazyRouteDef<P, Q, B>,
): AnyRoute {
  if (!('schemas' in def)) return def as unknown as AnyRoute;
  const { schemas, ...rest } = def;
  let built: Pick<RouteDef<P, Q, B>, SchemaFields> | undefined;
  const field = (name: SchemaFields) => ({
    get: () => {
      built ??= schemas();
      return built[name];
    },
    enumerable: true,
  });
  return Object.defineProperties(rest, {
    params: field('params'),
    query: field('query'),
    body: field('body'),
    response: field('response'),
  }) as unknown as AnyRoute;
}

/** A schema built on first use and kept: for the pieces several lazy routes share. */
export function once<T>(build: () => T): () => T {
  let value: T | undefined;
  let done = false;
  return () => {
    if (!done) {
      value = build();
      done = true;
    }
    return value as T;
  };
}

export interface Deps {
  db: Db;
  now: () => number;
}
