/** Raw request bodies (uploads, provider forms) and binary answers (XLSX) through the dispatcher. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { dispatch, Router } from '../../lib/api/dispatch.js';
import { RawResponse, route } from '../../lib/api/route.js';
import type { Db } from '../../lib/store/db.js';

const seen: { raw?: Buffer; path?: string; accept?: string }[] = [];
const upload = route({
  method: 'POST',
  path: '/v1/uploads',
  operationId: 'upload',
  summary: 'test',
  group: 'meta',
  access: 'RO',
  roles: 'public',
  body: z.unknown(),
  rawBody: { maxBytes: 8, types: ['text/csv', 'application/octet-stream'] },
  response: z.unknown(),
  status: 200,
  handler: async ({ raw, path, headers }) => {
    seen.push({ ...(raw ? { raw } : {}), path, ...(headers['accept'] ? { accept: headers['accept'] } : {}) });
    return new RawResponse(new Uint8Array([0x50, 0x4b, 0, 255]), { 'content-type': 'application/zip' });
  },
});
const router = new Router([upload]);
const deps = { db: {} as Db, now: () => 0 };

function event(body: Buffer, contentType: string): APIGatewayProxyEventV2 {
  return {
    rawPath: '/v1/uploads',
    headers: { 'Content-Type': contentType, Accept: 'text/csv' },
    requestContext: { http: { method: 'POST', path: '/v1/uploads' } },
    body: body.toString('base64'),
    isBase64Encoded: true,
  } as unknown as APIGatewayProxyEventV2;
}

describe('raw bodies and binary answers', () => {
  it('hands the bytes to the handler and answers bytes base64-encoded', async () => {
    const bytes = Buffer.from([0xc4, 0xe3, 0xba, 0xc3]); // 你好 in GB18030: not UTF-8, must arrive intact
    const out = await dispatch(router, event(bytes, 'text/csv; charset=gb18030'), deps);
    expect(out.response.statusCode).toBe(200);
    expect(seen.at(-1)?.raw?.equals(bytes)).toBe(true);
    expect(seen.at(-1)?.accept).toBe('text/csv');
    expect(seen.at(-1)?.path).toBe('/v1/uploads');
    expect(out.response.isBase64Encoded).toBe(true);
    expect([...Buffer.from(out.response.body!, 'base64')]).toEqual([0x50, 0x4b, 0, 255]);
  });

  it('refuses a body over the route limit with 413 before the handler runs', async () => {
    const before = seen.length;
    const out = await dispatch(router, event(Buffer.alloc(9, 1), 'text/csv'), deps);
    expect(out.response.statusCode).toBe(413);
    expect(JSON.parse(out.response.body!).error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(seen.length).toBe(before);
  });

  it('refuses a content type the route does not take, naming the header', async () => {
    const out = await dispatch(router, event(Buffer.from('a'), 'image/png'), deps);
    expect(out.response.statusCode).toBe(400);
    expect(JSON.parse(out.response.body!).error.details[0].field).toBe('Content-Type');
  });
});
