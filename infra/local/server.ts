/**
 * The local stand-in for API Gateway: serves the route table over HTTP, verifies bearer tokens as
 * the JWT authorizer would (401 before the handler runs), builds payload-v2 events and calls the
 * same `handleEvent` the Lambdas use.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { handleEvent, logger } from '../../lib/api/lambda.js';
import type { Deps } from '../../lib/api/route.js';
import { router } from '../../lib/api/routes.js';
import { inProcessDispatcher, setImportDispatcher } from '../../lib/onboarding/worker.js';
import { verifyDevToken } from './dev-auth.js';

/** API Gateway's own cap on a request; each route checks its own, smaller limit. */
const MAX_BODY = 10 * 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return chunks.length ? Buffer.concat(chunks as unknown as Uint8Array[]) : undefined;
}

function unauthorized() {
  // API Gateway's own answer when its JWT authorizer rejects a request.
  return {
    statusCode: 401,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      error: { code: 'UNAUTHORIZED', message: 'a valid bearer token is required', details: [] },
    }),
  };
}

export interface LocalServerOptions {
  signingKey?: Uint8Array;
  staticHandler?: (
    req: IncomingMessage,
  ) => Promise<{ status: number; headers: Record<string, string>; body: Buffer } | undefined>;
}

export function createLocalServer(deps: Deps, opts: LocalServerOptions = {}): Server {
  return createServer(localRequestHandler(deps, opts));
}

/** The server's request handler, for a server that listens before the store is ready (npm start). */
export function localRequestHandler(deps: Deps, opts: LocalServerOptions = {}): RequestListener {
  // Large roster commits finish in this process after their 202, through the worker code the
  // stack's import-worker function runs (the stack queues the job on SQS instead).
  setImportDispatcher(
    inProcessDispatcher(deps, (e) => logger.error('roster import worker failed', { error: String(e) })),
  );
  return async (req, res) => {
    const requestId = randomUUID();
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const method = (req.method ?? 'GET').toUpperCase();
      if (opts.staticHandler) {
        const file = await opts.staticHandler(req);
        if (file) {
          res.writeHead(file.status, file.headers).end(file.body);
          return;
        }
      }
      let body: Buffer | undefined;
      try {
        body = await readBody(req);
      } catch {
        res.writeHead(413, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            error: { code: 'PAYLOAD_TOO_LARGE', message: 'request body too large', details: [] },
          }),
        );
        return;
      }
      // Built with fromEntries, as JSON.parse builds API Gateway's event: `?__proto__=1` or
      // `?toString=1` must stay plain own keys (which the strict schemas then refuse), not touch the prototype.
      const headers: Record<string, string> = Object.fromEntries(
        Object.entries(req.headers).flatMap(([k, v]) =>
          v === undefined ? [] : [[k.toLowerCase(), Array.isArray(v) ? v.join(',') : v]],
        ),
      );
      const params = new Map<string, string>();
      for (const [k, v] of url.searchParams) params.set(k, params.has(k) ? `${params.get(k)},${v}` : v);
      const query: Record<string, string> = Object.fromEntries(params);

      // The authorizer guards every route that is not public, before any handler runs.
      let claims: Record<string, unknown> | undefined;
      let needsAuth = true;
      try {
        needsAuth = router.match(method, url.pathname).route.roles !== 'public';
      } catch {
        needsAuth = false; // unknown routes and wrong methods: the dispatcher answers 404/405
      }
      if (needsAuth) {
        const auth = headers['authorization'] ?? '';
        const token = /^Bearer\s+(.+)$/i.exec(auth)?.[1];
        claims = token ? await verifyDevToken(token, opts.signingKey) : undefined;
        if (!claims) {
          const r = unauthorized();
          res.writeHead(r.statusCode, { ...r.headers, 'x-request-id': requestId }).end(r.body);
          return;
        }
      }
      const event = {
        version: '2.0',
        routeKey: `${method} ${url.pathname}`,
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        headers,
        ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
        requestContext: {
          accountId: 'local',
          apiId: 'local',
          domainName: headers['host'] ?? 'localhost',
          domainPrefix: 'localhost',
          http: {
            method,
            path: url.pathname,
            protocol: 'HTTP/1.1',
            sourceIp: req.socket.remoteAddress ?? '',
            userAgent: headers['user-agent'] ?? '',
          },
          requestId,
          routeKey: `${method} ${url.pathname}`,
          stage: '$default',
          time: new Date().toISOString(),
          timeEpoch: Date.now(),
          ...(claims ? { authorizer: { jwt: { claims, scopes: [] } } } : {}),
        },
        // Bodies go base64-encoded, as API Gateway sends binary ones: uploads arrive byte for byte.
        ...(body !== undefined ? { body: body.toString('base64') } : {}),
        isBase64Encoded: body !== undefined,
      } as unknown as APIGatewayProxyEventV2;
      const out = await handleEvent(router, event, deps, requestId);
      const payload = out.isBase64Encoded ? Buffer.from(out.body ?? '', 'base64') : (out.body ?? '');
      res.writeHead(out.statusCode ?? 200, out.headers as Record<string, string>).end(payload);
    } catch {
      res.writeHead(500, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          error: { code: 'INTERNAL', message: 'something went wrong on our side', details: [] },
        }),
      );
    }
  };
}
