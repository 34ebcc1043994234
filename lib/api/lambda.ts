/**
 * The Lambda side of every route group: parse → authorize → call lib → respond happens in
 * `dispatch`; this adds the structured access log (never a token or a body).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { dispatch, Router } from './dispatch.js';
import type { AnyRoute, Deps } from './route.js';

// POWERTOOLS_SERVICE_NAME (set per function by the stack) names the service when present.
export const logger = new Logger({
  serviceName: process.env['POWERTOOLS_SERVICE_NAME'] ?? 'property-billing',
});

export async function handleEvent(
  router: Router,
  event: APIGatewayProxyEventV2,
  deps: Deps,
  requestId: string,
): Promise<APIGatewayProxyStructuredResultV2> {
  const started = performance.now();
  const result = await dispatch(router, event, deps);
  const response = result.response;
  const status = response.statusCode ?? 200;
  const entry = {
    requestId,
    route: result.route
      ? `${result.route.method} ${result.route.path}`
      : `${event.requestContext?.http?.method} ?`,
    status,
    latencyMs: Math.round(performance.now() - started),
    role: result.actor?.role,
  };
  if (status >= 500) {
    const e = result.error as Error | undefined;
    logger.error('request failed', {
      ...entry,
      error: { name: e?.name, message: e?.message, stack: e?.stack },
    });
  } else {
    logger.info('request', entry);
  }
  response.headers = { ...response.headers, 'x-request-id': requestId };
  return response;
}

/**
 * A Lambda handler for one route group. It routes only its own group's routes (anything else is a
 * 404, though API Gateway never sends it one), and its bundle contains only their code.
 */
export function lambdaHandler(routes: readonly AnyRoute[], deps: () => Deps | Promise<Deps>) {
  const router = new Router(routes);
  return async (event: APIGatewayProxyEventV2, context: Context) =>
    handleEvent(
      router,
      event,
      await deps(),
      context.awsRequestId ?? event.requestContext?.requestId ?? 'unknown',
    );
}
