// Issue 17, item 14: a call without a token is logged and audited as `anonymous`, never as a role
// it does not hold (it used to say `kiosk`).
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { dispatch } from '../../lib/api/dispatch.js';
import { logger } from '../../lib/api/lambda.js';
import { router } from '../../lib/api/routes.js';
import { auditItem } from '../../lib/billing/context.js';
import { type ApiHarness, apiHarness } from '../support/api.js';

let h: ApiHarness;

beforeAll(async () => {
  h = await apiHarness();
});
afterAll(() => h?.close());
afterEach(() => vi.restoreAllMocks());

const logged = (spy: { mock: { calls: unknown[][] } }, route: string) =>
  spy.mock.calls.map((c) => c[1] as { route?: string; role?: string }).filter((e) => e?.route === route);

describe('anonymous calls', () => {
  it('are logged with role anonymous, and a token holder with its role', async () => {
    const info = vi.spyOn(logger, 'info');
    expect((await h.call('GET', '/health')).status).toBe(200);
    expect((await h.call('GET', '/openapi.json')).status).toBe(200);
    const kiosk = await h.token('kiosk');
    await h.call('GET', '/v1/estates/DEMO/tariffs', { token: kiosk });
    expect(logged(info, 'GET /health').map((e) => e.role)).toEqual(['anonymous']);
    expect(logged(info, 'GET /openapi.json').map((e) => e.role)).toEqual(['anonymous']);
    expect(logged(info, 'GET /v1/estates/{estateId}/tariffs').map((e) => e.role)).toEqual(['kiosk']);
  });

  it('would be audited as anonymous: the actor a public route runs as carries no role', async () => {
    const event = {
      rawPath: '/health',
      requestContext: { http: { method: 'GET', path: '/health' } },
      headers: {},
    } as unknown as APIGatewayProxyEventV2;
    const result = await dispatch(router, event, { db: h.db, now: () => h.clock.now });
    expect(result.response.statusCode).toBe(200);
    expect(result.actor).toMatchObject({ sub: 'anonymous', role: 'anonymous', estates: [], units: [] });
    const audit = auditItem({ db: h.db, now: () => h.clock.now, actor: result.actor! }, h.clock.now, {
      estateId: 'DEMO',
      action: 'PROBE',
      document: 'none',
    });
    expect((audit as { Put: { Item: unknown } }).Put.Item).toMatchObject({
      actor: 'anonymous',
      role: 'anonymous',
    });
  });
});
