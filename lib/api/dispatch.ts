/**
 * API Gateway HTTP API (payload v2) event → response, for every route. The Lambda handlers and the
 * local server both call `dispatch`, so what runs locally is what runs in AWS.
 */
import { createHash } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type * as z from 'zod/mini';
import type { Actor, Ctx } from '../billing/context.js';
import { fingerprint, withIdempotency } from '../billing/idempotency.js';
import { NotFoundError, PayloadTooLargeError, ValidationError } from '../errors.js';
import { actorFromClaims } from './auth.js';
import { isReplayableError, MethodNotAllowedError, toHttpError, zodProblems } from './errors.js';
import { type AnyRoute, type Deps, RawResponse, type Request } from './route.js';
import { presentTimes } from './timestamps.js';

const MAX_BODY_BYTES = 256 * 1024;
const IDEMPOTENCY_KEY_RE = /^[\x21-\x7e]{1,255}$/;

interface Compiled {
  route: AnyRoute;
  regex: RegExp;
  names: string[];
}

export class Router {
  private readonly compiled: Compiled[];
  constructor(readonly routes: readonly AnyRoute[]) {
    this.compiled = routes.map((route) => {
      const names: string[] = [];
      const pattern = route.path.replace(/\./g, '\\.').replace(/\{(\w+)\}/g, (_m, name: string) => {
        names.push(name);
        return '([^/]+)';
      });
      return { route, regex: new RegExp(`^${pattern}$`), names };
    });
  }

  match(method: string, path: string): { route: AnyRoute; params: Record<string, string> } {
    const hits = this.compiled.filter((c) => c.regex.test(path));
    if (hits.length === 0) throw new NotFoundError('ROUTE_NOT_FOUND', `no route ${path}`);
    // A literal segment beats a parameter (GET /v1/ledger.csv vs a {param}).
    const exact = hits
      .filter((h) => h.route.method === method)
      .sort((a, b) => a.names.length - b.names.length)[0];
    if (!exact) throw new MethodNotAllowedError([...new Set(hits.map((h) => h.route.method))]);
    const m = exact.regex.exec(path)!;
    const params: Record<string, string> = {};
    exact.names.forEach((n, i) => {
      try {
        params[n] = decodeURIComponent(m[i + 1]!);
      } catch {
        throw ValidationError.of(n, 'INVALID_PATH', `${n} is not valid URL encoding`);
      }
    });
    return { route: exact.route, params };
  }
}

function parseWith<T extends z.ZodMiniType>(
  schema: T | undefined,
  value: unknown,
  where: 'path' | 'query' | 'body',
): z.infer<T> {
  if (!schema) return undefined as z.infer<T>;
  const r = schema.safeParse(value);
  if (!r.success) throw new ValidationError(zodProblems(r.error, '', where));
  return r.data;
}

function bodyBytes(event: APIGatewayProxyEventV2): Buffer {
  const raw = event.body ?? '';
  return event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
}

/** A raw body (file upload, provider form): size and content type checked, bytes handed over. */
function readRawBody(event: APIGatewayProxyEventV2, route: AnyRoute): Buffer | undefined {
  const spec = route.rawBody;
  if (!spec) return undefined;
  const bytes = bodyBytes(event);
  if (bytes.length > spec.maxBytes) {
    throw new PayloadTooLargeError(
      `the body is ${bytes.length} bytes; at most ${spec.maxBytes} bytes are accepted here${spec.tooLarge ? `; ${spec.tooLarge}` : ''}`,
    );
  }
  if (bytes.length === 0) throw ValidationError.of('body', 'BODY_REQUIRED', 'a body is required');
  const type = (header(event, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (spec.types.length > 0 && !spec.types.includes(type)) {
    throw ValidationError.of(
      'Content-Type',
      'UNSUPPORTED_MEDIA_TYPE',
      `send the body as one of: ${spec.types.join(', ')}`,
    );
  }
  return bytes;
}

function readBody(event: APIGatewayProxyEventV2, route: AnyRoute): unknown {
  if (!route.body || route.rawBody) return undefined;
  const raw = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
    throw ValidationError.of('body', 'BODY_TOO_LARGE', `the body must be at most ${MAX_BODY_BYTES} bytes`);
  }
  if (text.trim() === '') throw ValidationError.of('body', 'BODY_REQUIRED', 'a JSON body is required');
  try {
    return JSON.parse(text);
  } catch {
    throw ValidationError.of('body', 'INVALID_JSON', 'the body is not valid JSON');
  }
}

function lowerCased(h: Record<string, string | undefined> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) if (v !== undefined) out[k.toLowerCase()] = v;
  return out;
}

function digest(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('base64url');
}

/** Text goes as is; bytes (XLSX) go base64-encoded with the flag API Gateway reads. */
export function rawResponse(out: RawResponse): APIGatewayProxyStructuredResultV2 {
  if (typeof out.body === 'string') return { statusCode: out.status, headers: out.headers, body: out.body };
  return {
    statusCode: out.status,
    headers: out.headers,
    body: Buffer.from(out.body).toString('base64'),
    isBase64Encoded: true,
  };
}

function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const h = event.headers ?? {};
  for (const [k, v] of Object.entries(h)) if (k.toLowerCase() === name) return v;
  return undefined;
}

function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(presentTimes(body)),
  };
}

export interface DispatchResult {
  response: APIGatewayProxyStructuredResultV2;
  route?: AnyRoute;
  actor?: Actor;
  error?: unknown;
}

export async function dispatch(
  router: Router,
  event: APIGatewayProxyEventV2,
  deps: Deps,
): Promise<DispatchResult> {
  let route: AnyRoute | undefined;
  let actor: Actor | undefined;
  try {
    const method = event.requestContext?.http?.method ?? 'GET';
    const path = event.rawPath ?? event.requestContext?.http?.path ?? '/';
    const matched = router.match(method, path);
    route = matched.route;
    const claims = (event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } })
      .authorizer?.jwt?.claims;
    actor =
      route.roles === 'public'
        ? { sub: 'anonymous', role: 'anonymous', estates: [], units: [] }
        : actorFromClaims(claims, route.roles);
    const params = parseWith(route.params, matched.params, 'path');
    const query = parseWith(route.query, event.queryStringParameters ?? {}, 'query');
    const raw = readRawBody(event, route);
    const body = parseWith(route.body, readBody(event, route), 'body');
    const idemKey = header(event, 'idempotency-key');
    if (route.idempotent && (idemKey === undefined || !IDEMPOTENCY_KEY_RE.test(idemKey))) {
      throw ValidationError.of(
        'Idempotency-Key',
        'IDEMPOTENCY_KEY_REQUIRED',
        'this request moves money: send an Idempotency-Key header (1-255 printable ASCII characters)',
      );
    }
    const ctx: Ctx = { db: deps.db, now: deps.now, actor };
    const req: Request<unknown, unknown, unknown> = {
      params,
      query,
      body,
      actor,
      ctx,
      headers: lowerCased(event.headers),
      path,
      ...(raw ? { raw } : {}),
      idem: () => undefined,
    };
    const theRoute = route;

    if (route.idempotent && idemKey) {
      const result = await withIdempotency(
        deps.db,
        deps.now,
        {
          actor: actor.sub,
          key: idemKey,
          // A raw body (an uploaded file) is fingerprinted by its digest, not its bytes.
          fingerprint: fingerprint([method, path, body ?? (raw ? digest(raw) : undefined)]),
        },
        async (handle) => {
          let presented: unknown;
          const out = await theRoute.handler({
            ...req,
            idem: (present) => ({
              handle,
              present: (r) => {
                presented = present(r as never);
                return { status: theRoute.status, body: presented };
              },
            }),
          });
          return { status: theRoute.status, body: out ?? presented };
        },
        (e) =>
          isReplayableError(e) ? (({ status, body }) => ({ status, body }))(toHttpError(e)) : undefined,
        { overlap: route.readsDuringLock === true },
      );
      return {
        response: json(result.status, result.body, result.replayed ? { 'idempotent-replayed': 'true' } : {}),
        route,
        actor,
      };
    }

    const out = await route.handler(req);
    if (out instanceof RawResponse) {
      return { response: rawResponse(out), route, actor };
    }
    return { response: json(route.status, out), route, actor };
  } catch (e) {
    const err = toHttpError(e);
    return { response: json(err.status, err.body, err.headers), route, actor, error: e };
  }
}
