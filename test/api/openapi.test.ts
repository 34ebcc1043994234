/**
 * GET /openapi.json: generated from the route table and its zod schemas, linted with Redocly's
 * `recommended` rules (a third-party linter), and checked to say what the validators enforce.
 */
import { BaseResolver, createConfig, lintDocument, makeDocumentFromString } from '@redocly/openapi-core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../lib/api/routes.js';
import * as s from '../../lib/api/schemas.js';
import { type ApiHarness, apiHarness } from '../support/api.js';

// biome-ignore lint/suspicious/noExplicitAny: the document is walked by path; the assertions check each step.
type Json = Record<string, any>;

let h: ApiHarness;
let doc: Json;
let text: string;

beforeAll(async () => {
  h = await apiHarness();
  const r = await h.call('GET', '/openapi.json');
  expect(r.status).toBe(200);
  expect(r.headers['content-type']).toMatch(/^application\/json/);
  text = r.text;
  doc = r.json;
});

afterAll(() => h?.close());

const operation = (method: string, path: string) =>
  doc['paths']?.[path]?.[method.toLowerCase()] as Json | undefined;

describe('the OpenAPI document', () => {
  it('passes the Redocly recommended ruleset with no error and no warning', async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintDocument({
      document: makeDocumentFromString(text, '/openapi.json'),
      config,
      externalRefResolver: new BaseResolver(),
    });
    const found = problems
      .filter((p) => p.severity === 'error' || p.severity === 'warn')
      .map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? '?'}`);
    expect(found).toEqual([]);
    expect(doc['openapi']).toBe('3.1.0');
  });

  it('lists every route of the table under its method, with its operationId, once', () => {
    const missing = ROUTES.filter((r) => operation(r.method, r.path)?.['operationId'] !== r.operationId).map(
      (r) => `${r.method} ${r.path}`,
    );
    expect(missing).toEqual([]);
    const documented = Object.entries(doc['paths'] as Json).flatMap(([path, ops]) =>
      Object.keys(ops as Json).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    expect(new Set(ROUTES.map((r) => r.operationId)).size).toBe(ROUTES.length);
  });

  it('says which routes need a token and which need an Idempotency-Key', () => {
    for (const r of ROUTES) {
      const op = operation(r.method, r.path)!;
      expect([r.operationId, op['security']]).toEqual([r.operationId, r.roles === 'public' ? [] : undefined]);
      const key = (op['parameters'] as Json[] | undefined)?.find((p) => p['name'] === 'Idempotency-Key');
      expect([r.operationId, key?.['in'], key?.['required']]).toEqual(
        r.idempotent ? [r.operationId, 'header', true] : [r.operationId, undefined, undefined],
      );
    }
    expect(doc['security']).toEqual([{ bearer: [] }]);
  });

  it('describes request bodies as strictly as zod validates them', () => {
    const body = operation('POST', '/v1/invoices/{invoiceId}/payments')?.['requestBody']?.['content']?.[
      'application/json'
    ]?.['schema'] as Json;
    expect(body['additionalProperties']).toBe(false);
    expect(body['required']).toEqual(expect.arrayContaining(['channel', 'amount']));
    const amount = body['properties']['amount'] as Json;
    expect(amount['type']).toBe('string');
    const pattern = new RegExp(amount['pattern'] as string, 'u');
    const sameVerdict = (v: string) =>
      expect([v, pattern.test(v)]).toEqual([v, s.money().safeParse(v).success]);
    for (const v of [
      '1934.50',
      '0',
      '0.05',
      '1934.505',
      '1e3',
      '-1.00',
      '01.00',
      '1934.',
      '.50',
      ' 1.00',
      '１２.00',
    ])
      sameVerdict(v);
    fc.assert(
      fc.property(
        fc.oneof(fc.stringMatching(/^-?\d{0,15}(\.\d{0,3})?$/), fc.string({ maxLength: 12 })),
        (v) => {
          sameVerdict(v);
        },
      ),
      { numRuns: 300 },
    );
    expect(body['properties']['channel']['enum']).toEqual([
      'CASH',
      'CHEQUE',
      'TRANSFER',
      'KIOSK_CARD',
      'KIOSK_WECHAT',
      'KIOSK_ALIPAY',
    ]);

    const unit = operation('POST', '/v1/estates/{estateId}/units')?.['requestBody']?.['content']?.[
      'application/json'
    ]?.['schema'] as Json;
    expect(unit['properties']['area']['pattern']).toBeTypeOf('string');
    expect(new RegExp(unit['properties']['deliveryDate']['pattern'] as string).test('2025-06-01')).toBe(true);
  });

  it('describes the error shape every 4xx carries', () => {
    expect(doc['components']['schemas']['Error']).toMatchObject({
      type: 'object',
      required: ['error'],
      properties: { error: { required: expect.arrayContaining(['code', 'message', 'details']) } },
    });
    const pay = operation('POST', '/v1/invoices/{invoiceId}/payments')!;
    for (const code of ['400', '401', '403', '404', '409', '422', '503']) {
      expect(pay['responses'][code]).toMatchObject({ $ref: `#/components/responses/E${code}` });
    }
  });
});
