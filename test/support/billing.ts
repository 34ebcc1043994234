/** A fresh billing table per test file, with a settable clock and actors of every role. */

import { localDynamoClientConfig } from '../../infra/local/dynamodb-local.js';
import type { Actor, Ctx, Role } from '../../lib/billing/context.js';
import { Db, type DbOptions, documentClient } from '../../lib/store/db.js';
import { createTableInput } from '../../lib/store/table.js';
import { createTableFromInput, freshTableName, testDynamoClient, testEndpoint } from './dynamo.js';

export interface Harness {
  db: Db;
  table: string;
  clock: { now: number; set(iso: string): void };
  ctx(role: Role, opts?: Partial<Actor> & { db?: Db }): Ctx;
  /** Another Db on the same table with its own options (fault injection). */
  dbWith(opts: DbOptions): Db;
}

export async function billingHarness(): Promise<Harness> {
  const table = await freshTableName('billing');
  await createTableFromInput(testDynamoClient(), createTableInput(table));
  const doc = documentClient(localDynamoClientConfig(testEndpoint()));
  const db = new Db(doc, table, { baseDelayMs: 2, maxDelayMs: 20 });
  const clock = {
    now: Date.parse('2025-03-01T10:00:00+08:00'),
    set(iso: string) {
      this.now = Date.parse(iso);
    },
  };
  return {
    db,
    table,
    clock,
    ctx(role, opts = {}) {
      const { db: override, ...actor } = opts;
      return {
        db: override ?? db,
        now: () => clock.now,
        actor: { sub: `${role}-1`, role, estates: ['DEMO'], units: [], ...actor },
      };
    },
    dbWith(opts) {
      return new Db(doc, table, { baseDelayMs: 2, maxDelayMs: 20, ...opts });
    },
  };
}
