/** Each Lambda serves exactly the routes the route table (and so API Gateway) sends to its group. */
import { describe, expect, it } from 'vitest';
import { FUNCTION_GROUPS } from '../../lib/api/route.js';
import { ROUTES } from '../../lib/api/routes.js';

describe('function route lists', () => {
  for (const group of FUNCTION_GROUPS) {
    it(`functions/${group}.ts serves every ${group} route and no other`, async () => {
      const mod = (await import(`../../functions/${group}.ts`)) as {
        routes: readonly { operationId: string }[];
      };
      const served = mod.routes.map((r) => r.operationId).sort();
      const expected = ROUTES.filter((r) => r.group === group)
        .map((r) => r.operationId)
        .sort();
      expect(served).toEqual(expected);
    });
  }
});
