/**
 * GET /openapi.json serves lib/api/openapi.generated.json, a committed copy of `openApi()` (so the
 * meta Lambda does not bundle every route). This fails whenever a route or schema changed and the
 * copy was not regenerated.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openApi } from '../../lib/api/routes.js';

const FILE = new URL('../../lib/api/openapi.generated.json', import.meta.url);
const STALE = 'lib/api/openapi.generated.json differs from the route table: run npm run openapi';

describe('the committed OpenAPI document', () => {
  it('is the document the route table gives', () => {
    const committed: unknown = JSON.parse(readFileSync(FILE, 'utf8'));
    const computed: unknown = JSON.parse(JSON.stringify(openApi()));
    expect(committed, STALE).toEqual(computed);
    // toEqual ignores key order; the served document should not differ even in that.
    expect(JSON.stringify(committed) === JSON.stringify(computed), STALE).toBe(true);
  });
});
