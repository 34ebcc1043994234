/**
 * The Lambda side of every route group: parse → authorize → call lib → respond happens in
 * `dispatch`; this adds the structured access log (never a token or a body) and per-group routing.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { NotFoundError } from '../errors.js';
import { dispatch } from './dispatch.js';
import { toHttpError } from './errors.js';
import type { Deps, FunctionGroup } from './route.js';
import { router } from './routes.js';

export const logger = new Logger({ serviceName: 'property-billing' });

export async function handleEvent(
  group: FunctionGroup | 'all',
  event: APIGatewayProxyEventV2,
  deps: Deps,
  requestId: string,
): Promise<APIGatewayProxyStructuredResultV2> {
  const started = performance.now();
  const result = await dispatch(router, event, deps);
  let response = result.response;
  if (group !== 'all' && result.route && result.route.group !== group) {
    // API Gateway never sends another group's route here; answer as if it did not exist.
    const err = toHttpError(new NotFoundError('ROUTE_NOT_FOUND', 'no such route'));
    response = { statusCode: err.status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(err.body) };
  }
  const status = response.statusCode ?? 200;
  const entry = {
    requestId,
    route: result.route ? `${result.route.method} ${result.route.path}` : `${event.requestContext?.http?.method} ?`,
    status,
    latencyMs: Math.round(performance.now() - started),
    role: result.actor?.role,
  };
  if (status >= 500) {
    const e = result.error as Error | undefined;
    logger.error('request failed', { ...entry, error: { name: e?.name, message: e?.message, stack: e?.stack } });
  } else {
    logger.info('request', entry);
  }
  response.headers = { ...response.headers, 'x-request-id': requestId };
  return response;
}

/** A Lambda handler for one route group. */
export function lambdaHandler(group: FunctionGroup, deps: () => Deps) {
  return (event: APIGatewayProxyEventV2, context: Context) =>
    handleEvent(group, event, deps(), context.awsRequestId ?? event.requestContext?.requestId ?? 'unknown');
}
