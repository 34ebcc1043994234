/**
 * An API Gateway HTTP API (v2) event for a JSON request, as the JWT authorizer hands it to a
 * function: for tests that call the dispatcher directly, without the local server.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

export function gatewayEvent(
  method: string,
  path: string,
  body: unknown,
  opts: { claims: Record<string, string>; headers?: Record<string, string>; userAgent?: string },
): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...opts.headers },
    body: JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: {
      http: {
        method,
        path,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: opts.userAgent ?? 'test',
      },
      authorizer: { jwt: { claims: opts.claims, scopes: [] } },
    },
  } as unknown as APIGatewayProxyEventV2;
}
