/**
 * The steps of `npm start` that need the AWS SDK and the domain code. start.ts imports this module
 * only after it has spawned DynamoDB Local, so that loading it overlaps the JVM's boot.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  ScanCommand,
  waitUntilTableExists,
  waitUntilTableNotExists,
} from '@aws-sdk/client-dynamodb';
import type { Ctx } from '../../lib/billing/context.js';
import type { Unit } from '../../lib/billing/records.js';
import { Db, documentClient } from '../../lib/store/db.js';
import { createTableInput } from '../../lib/store/table.js';
import { signDevToken } from './dev-auth.js';
import { localDynamoClientConfig } from './dynamodb-local.js';
import { chainHandlers, startSandbox } from './sandbox-start.js';
import { DEMO_ESTATE, DEMO_OWNER, findDemoOwnerUnit, seedDemo } from './seed.js';
import { localRequestHandler } from './server.js';
import { buildWeb, webStaticHandler } from './web.js';

export { buildWeb, chainHandlers, localRequestHandler, startSandbox, webStaticHandler };

export interface Store {
  client: DynamoDBClient;
  db: Db;
  table: string;
}

export function openStore(endpoint: string, table: string): Store {
  const config = localDynamoClientConfig(endpoint);
  return { client: new DynamoDBClient(config), db: new Db(documentClient(config), table), table };
}

/** `--fresh` against a DynamoDB we did not start: its table is the only thing that is ours. */
export async function deleteTable({ client, table }: Store): Promise<boolean> {
  try {
    await client.send(new DeleteTableCommand({ TableName: table }));
  } catch (e) {
    if (e instanceof ResourceNotFoundException) return false;
    throw e;
  }
  await waitUntilTableNotExists({ client, maxWaitTime: 60, minDelay: 0.2 }, { TableName: table });
  return true;
}

/** Creates the table unless it exists, and says whether it holds anything (one Scan of one item). */
export async function ensureTable({ client, table }: Store): Promise<{ created: boolean; empty: boolean }> {
  try {
    const any = await client.send(new ScanCommand({ TableName: table, Limit: 1, Select: 'COUNT' }));
    return { created: false, empty: (any.Count ?? 0) === 0 && !any.LastEvaluatedKey };
  } catch (e) {
    if (!(e instanceof ResourceNotFoundException)) throw e;
  }
  await client.send(new CreateTableCommand(createTableInput(table)));
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 0.2 }, { TableName: table });
  return { created: true, empty: true };
}

export interface Seeded {
  /** The units seeded now, or undefined when the store already had data. */
  units?: Unit[];
  /** The demo owner's unit, seeded now or found from an earlier start. */
  ownerUnit?: string;
}

/** The demo estate goes into an empty store only: a restart must find the data as it was left. */
export async function seedIfEmpty(store: Store, now: () => number, empty: boolean): Promise<Seeded> {
  const admin: Ctx = {
    db: store.db,
    now,
    actor: { sub: 'admin-dev', role: 'admin', estates: [DEMO_ESTATE], units: [] },
  };
  if (!empty) {
    const ownerUnit = await findDemoOwnerUnit(admin);
    return ownerUnit ? { ownerUnit } : {};
  }
  const units = await seedDemo(admin);
  return { units, ownerUnit: units[0]!.unitId };
}

/** The names `.local/tokens.env` defines, with the role each token carries. */
export const TOKEN_ROLES = [
  ['CASHIER', 'cashier'],
  ['ACCOUNTANT', 'accountant'],
  ['ADMIN', 'admin'],
  ['OWNER', 'owner'],
  ['KIOSK', 'kiosk'],
  ['GATE', 'gate'],
] as const;

/** Display names (`name` claim) of the demo's people: receipts print these, not `cashier-dev`. */
const DEMO_NAMES: Readonly<Record<string, string>> = {
  admin: '演示管理员',
  cashier: '演示收银员',
  accountant: '演示会计',
};

/** One token per role: staff scoped to the demo estate, the owner to the demo owner's unit. */
export async function demoTokens(ownerUnit: string | undefined): Promise<Map<string, string>> {
  const tokens = new Map<string, string>();
  for (const [name, role] of TOKEN_ROLES) {
    const token =
      role === 'owner'
        ? // API.md: the owner's scope is its units (their estate is the unit id's prefix).
          await signDevToken({ role, estates: [], units: ownerUnit ? [ownerUnit] : [], sub: DEMO_OWNER })
        : await signDevToken({
            role,
            estates: [DEMO_ESTATE],
            sub: `${role}-dev`,
            ...(DEMO_NAMES[role] ? { name: DEMO_NAMES[role] } : {}),
          });
    tokens.set(name, token);
  }
  return tokens;
}

/** `source .local/tokens.env` makes the README's curl examples work as written. */
export function writeTokensFile(dir: string, url: string, tokens: Map<string, string>): string {
  const file = join(dir, 'tokens.env');
  const lines = [
    `# Written by npm start at ${new Date().toISOString()}; tokens are valid for 12 hours.`,
    `API=${url}`,
    ...[...tokens].map(([name, token]) => `${name}=${token}`),
  ];
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return file;
}
