/** A fresh billing table per test file, with a settable clock and actors of every role. */

import type { Actor, Ctx, Role } from '../../lib/billing/context.js';
import { Db, type DbOptions } from '../../lib/store/db.js';
import { createTableInput } from '../../lib/store/table.js';
import {
  createTableFromInput,
  freshTableName,
  type TestRetry,
  testDocumentClient,
  testDynamoClient,
} from './dynamo.js';
import { type FaultInjector, injectFaults } from './store-middleware.js';

export interface Harness {
  db: Db;
  table: string;
  clock: { now: number; set(iso: string): void };
  ctx(role: Role, opts?: Partial<Actor> & { db?: Db }): Ctx;
  /** Another Db on the same table, on a client of its own: its own retries, faults injected into it. */
  dbWith(opts: DbOptions & TestRetry & { faults?: FaultInjector }): Db;
}

export async function billingHarness(): Promise<Harness> {
  const table = await freshTableName('billing');
  await createTableFromInput(testDynamoClient(), createTableInput(table));
  const db = new Db(testDocumentClient(), table);
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
    dbWith({ maxAttempts, baseDelayMs, faults, ...opts }) {
      const doc = testDocumentClient({ maxAttempts, baseDelayMs });
      if (faults) injectFaults(doc, faults);
      return new Db(doc, table, opts);
    },
  };
}
