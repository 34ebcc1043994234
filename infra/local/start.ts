/**
 * `npm start`: DynamoDB Local, the table, the demo estate, and the API on PORT (default 3000),
 * with one ready-to-use token per role. Ctrl-C (or a kill) stops everything it started.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Ctx } from '../../lib/billing/context.js';
import { Db, documentClient } from '../../lib/store/db.js';
import { createTableInput } from '../../lib/store/table.js';
import { LOCAL_STATE_DIR, refuseInProduction, signDevToken } from './dev-auth.js';
import { localDynamoClientConfig, startDynamoDbLocal } from './dynamodb-local.js';
import { DEMO_ESTATE, DEMO_OWNER, seedDemo } from './seed.js';
import { createLocalServer } from './server.js';
import { buildWeb, webStaticHandler } from './web.js';

const TABLE = 'property-billing-local';

async function main(): Promise<void> {
  refuseInProduction('npm start');
  // Local development runs on the machine's Node 20; the Lambdas run on Node 22, where the SDK's
  // "Node 22 will be required" warning does not apply.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const port = Number(process.env['PORT'] ?? 3000);
  console.log('Starting DynamoDB Local…');
  const dynamo = await startDynamoDbLocal();
  const config = localDynamoClientConfig(dynamo.endpoint);
  await new DynamoDBClient(config).send(new CreateTableCommand(createTableInput(TABLE)));
  const db = new Db(documentClient(config), TABLE);
  // `npm run ledger` finds this DynamoDB Local here (docs/ledger.md).
  mkdirSync(LOCAL_STATE_DIR, { recursive: true });
  writeFileSync(
    join(LOCAL_STATE_DIR, 'dynamodb.json'),
    JSON.stringify({ endpoint: dynamo.endpoint, table: TABLE }),
  );
  const now = () => Date.now();
  const admin: Ctx = {
    db,
    now,
    actor: { sub: 'admin-dev', role: 'admin', estates: [DEMO_ESTATE], units: [] },
  };
  const units = await seedDemo(admin);

  const web = await buildWeb();
  const server = createLocalServer({ db, now }, { staticHandler: webStaticHandler(web.outDir) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const url = `http://localhost:${port}`;

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    server.close();
    await dynamo.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  const estates = [DEMO_ESTATE];
  const tokens: [string, string][] = [];
  for (const role of ['admin', 'cashier', 'accountant', 'kiosk', 'gate'] as const) {
    tokens.push([role, await signDevToken({ role, estates, sub: `${role}-dev` })]);
  }
  tokens.push([
    'owner',
    await signDevToken({ role: 'owner', estates, units: [units[0]!.unitId], sub: DEMO_OWNER }),
  ]);

  console.log(`\nProperty billing API: ${url}  (OpenAPI: ${url}/openapi.json, health: ${url}/health)`);
  console.log(`Counter: ${url}/counter/  Kiosk: ${url}/kiosk/  (built in ${web.ms} ms)`);
  console.log(
    `Demo estate ${DEMO_ESTATE}: units ${units.map((u) => `${u.unitId} ${u.building}${u.room} ${u.unitType}`).join(', ')}`,
  );
  console.log('\nTokens (valid 12 h; more with `npm run token -- --role cashier --estate DEMO`):');
  for (const [role, token] of tokens) console.log(`  ${role.padEnd(10)} ${token}`);
  console.log('\nTry:');
  console.log(
    `  curl -s ${url}/v1/quotes -H "Authorization: Bearer $CASHIER" -H 'content-type: application/json' \\\n` +
      `    -d '{"estateId":"DEMO","items":[{"type":"PROPERTY_FEE","unitType":"HIGH_RISE","area":"89.56","months":12}]}'`,
  );
  console.log('\nCtrl-C stops the API and DynamoDB Local.');
}

main().catch((e: unknown) => {
  console.error(`npm start failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
