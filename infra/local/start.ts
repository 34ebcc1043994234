/**
 * `npm start [-- --fresh]`: DynamoDB Local keeping its data under LOCAL_DATA_DIR (or the DynamoDB at
 * DYNAMO_ENDPOINT), the table, the demo estate (into an empty store only), and the API on PORT
 * (default 3000), with one ready-to-use token per role in tokens.env. Ctrl-C (or a kill) stops
 * everything it started. A mistake the user can fix stops start-up with one line and exit code 1.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type DynamoDbLocal, dynamoAnswers, startDynamoDbLocal } from './dynamodb-local.js';
import { dataDir, lockDataDir, prepareDataDir, removeData } from './local-data.js';
import { LOCAL_STATE_DIR, refuseInProduction } from './local-state.js';
import { StartupError } from './startup-error.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TABLE = 'property-billing-local';
const USAGE = `usage: npm start [-- --fresh]
  --fresh   start with an empty store: removes LOCAL_DATA_DIR's data file (or, with
            DYNAMO_ENDPOINT, deletes the table ${TABLE}), asks nothing
environment:
  PORT             the API's port (default 3000)
  LOCAL_DATA_DIR   where DynamoDB Local keeps its data (default .local/data)
  DYNAMO_ENDPOINT  http://host:port of a DynamoDB that is already running: no DynamoDB Local is started`;

const started = Date.now();
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const step = (name: string, text: string) => console.log(`${`${name}:`.padEnd(7)} ${text}`);
const show = (path: string) => (path.startsWith(ROOT) ? relative(ROOT, path) || '.' : path);

/** What has been started so far, stopped in reverse on Ctrl-C, a kill or a failed start. */
const cleanups: (() => Promise<void> | void)[] = [];
async function cleanUp(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

function options(): { fresh: boolean } {
  let values: { fresh?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: { fresh: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: false,
    }));
  } catch (e) {
    console.error(`npm start: ${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  return { fresh: values.fresh === true };
}

function port(): number {
  const raw = process.env['PORT'] ?? '3000';
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 65535) {
    throw new StartupError(`PORT=${raw} is not a port number: use 1-65535, e.g. PORT=3001 npm start`);
  }
  return n;
}

/** The port is claimed first, so that a port in use stops start-up before any JVM starts. */
async function listen(n: number, app: Promise<RequestListener>): Promise<Server> {
  const server = createServer((req, res) => {
    // Requests that arrive while the store starts wait for it rather than being refused.
    app.then((handle) => handle(req, res)).catch(() => res.writeHead(503).end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const fix = `stop what is using it (\`ss -ltnp 'sport = :${n}'\` shows it) or choose another, e.g. PORT=${n + 1} npm start`;
      if (e.code === 'EADDRINUSE') reject(new StartupError(`port ${n} is already in use: ${fix}`));
      else if (e.code === 'EACCES')
        reject(new StartupError(`port ${n} needs privileges: choose one above 1023, e.g. PORT=3000`));
      else reject(e);
    });
    server.listen(n, '127.0.0.1', resolve);
  });
  // Longer than any client's idle pool (undici keeps sockets 4 s, browsers longer): a reused socket
  // that the server closed at the same moment fails the request ("other side closed").
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  cleanups.push(() => void server.close());
  return server;
}

async function main(): Promise<void> {
  const { fresh } = options();
  refuseInProduction('npm start');
  // Local development runs on the machine's Node 20; the Lambdas run on Node 22, where the SDK's
  // "Node 22 will be required" warning does not apply.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const given = process.env['DYNAMO_ENDPOINT'];
  let resolveApp!: (handler: RequestListener) => void;
  const app = new Promise<RequestListener>((resolve) => (resolveApp = resolve));
  const n = port();
  await listen(n, app);
  const url = `http://localhost:${n}`;

  // The store: DynamoDB Local is spawned before the SDK and the domain code load, which overlap its boot.
  let endpoint: string;
  // tokens.env and dynamodb.json: in .local/, or beside a chosen LOCAL_DATA_DIR's data, so that two
  // servers side by side (and the tests) each keep their own.
  const stateDir = process.env['LOCAL_DATA_DIR'] ? dataDir(ROOT) : LOCAL_STATE_DIR;
  let freshNote: string | undefined;
  let dynamo: Promise<DynamoDbLocal> | undefined;
  if (given) {
    if (!/^https?:\/\/[^/\s]+/.test(given)) {
      throw new StartupError(`DYNAMO_ENDPOINT=${given} is not a URL: write it like http://localhost:8000`);
    }
    endpoint = given.replace(/\/+$/, '');
  } else {
    const dir = dataDir(ROOT);
    prepareDataDir(dir);
    cleanups.push(lockDataDir(dir));
    if (fresh) freshNote = removeData(dir);
    dynamo = startDynamoDbLocal({ dbPath: dir });
    dynamo.then((d) => cleanups.push(() => d.stop())).catch(() => undefined);
  }
  const steps = import('./start-steps.js');
  steps.catch(() => undefined); // awaited below; this only keeps an early failure from being unhandled
  const storeAt = Date.now();
  if (dynamo) {
    endpoint = (await dynamo).endpoint;
    step('store', `DynamoDB Local, data in ${show(dataDir(ROOT))}, ready in ${seconds(storeAt)}`);
  } else {
    endpoint = given!;
    if (!(await dynamoAnswers(endpoint, 5_000))) {
      throw new StartupError(
        `DYNAMO_ENDPOINT ${endpoint} does not answer: start that DynamoDB, or unset DYNAMO_ENDPOINT to let npm start run DynamoDB Local`,
      );
    }
    step('store', `DynamoDB at ${endpoint} (DYNAMO_ENDPOINT: no DynamoDB Local started)`);
  }
  const s = await steps;
  const web = s.buildWeb();
  web.catch(() => undefined);
  const store = s.openStore(endpoint, TABLE);
  if (fresh && given) {
    freshNote = (await s.deleteTable(store))
      ? `deleted table ${TABLE} at ${endpoint}`
      : `no table ${TABLE} at ${endpoint} to delete`;
  }
  if (freshNote) step('fresh', freshNote);

  const tableAt = Date.now();
  const table = await s.ensureTable(store);
  step('table', `${TABLE} ${table.created ? 'created' : 'found'} in ${seconds(tableAt)}`);

  const seedAt = Date.now();
  const now = () => Date.now();
  const seeded = await s.seedIfEmpty(store, now, table.empty);
  step(
    'seed',
    seeded.units
      ? `demo estate DEMO in ${seconds(seedAt)}: units ${seeded.units.map((u) => `${u.unitId} ${u.building}${u.room} ${u.unitType}`).join(', ')}`
      : `skipped: the store already has data (npm start -- --fresh starts empty)${seeded.ownerUnit ? '' : '; no demo unit found for OWNER'}`,
  );

  const built = await web;
  // The sandbox payment provider (SPEC.md §9): test keys beside tokens.env, pay page and /local/sandbox/pay.
  const sandbox = s.startSandbox(stateDir, url, now);
  resolveApp(
    s.localRequestHandler(
      { db: store.db, now },
      { staticHandler: s.chainHandlers(sandbox.handle, s.webStaticHandler(built.outDir)) },
    ),
  );
  step('server', `${url} in ${seconds(started)}  (health: ${url}/health, OpenAPI: ${url}/openapi.json)`);

  const tokens = await s.demoTokens(seeded.ownerUnit);
  mkdirSync(stateDir, { recursive: true });
  const tokensFile = s.writeTokensFile(stateDir, url, tokens);
  // `npm run ledger` finds this store here (docs/ledger.md).
  writeFileSync(join(stateDir, 'dynamodb.json'), JSON.stringify({ endpoint, table: TABLE }));

  console.log(
    `\nCounter: ${url}/counter/  Kiosk: ${url}/kiosk/  (${built.cached ? 'unchanged since the last build' : `built in ${built.ms} ms`})`,
  );
  console.log(
    `Tokens (valid 12 h) are in ${show(tokensFile)}: \`source ${show(tokensFile)}\` sets $API, $CASHIER, …`,
  );
  for (const [name, token] of tokens) console.log(`  ${name.toLowerCase().padEnd(10)} ${token}`);
  console.log('More with `npm run token -- --role cashier --estate DEMO`.');
  console.log('\nCtrl-C stops the API and DynamoDB Local.');
}

let stopping = false;
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await cleanUp().catch(() => undefined);
  }
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    console.log(`npm start: ${signal}, stopping`);
    void stop(0);
  });
}

main().catch(async (e: unknown) => {
  const message = e instanceof Error ? e.message : String(e);
  console.error(e instanceof StartupError ? `npm start: ${message}` : `npm start failed: ${message}`);
  await stop(1);
});
