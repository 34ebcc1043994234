/**
 * The HTTP API as `npm start` serves it (infra/local/server.ts), on a free port, against a fresh
 * table, with a settable clock and a random signing key: tests sign their own tokens and never read
 * or write the developer's `.local/` key.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { type AttributeValue, ScanCommand } from '@aws-sdk/client-dynamodb';
import { signDevToken } from '../../infra/local/dev-auth.js';
import { DEMO_ESTATE, DEMO_OWNER, seedDemo } from '../../infra/local/seed.js';
import { createLocalServer, type LocalServerOptions } from '../../infra/local/server.js';
import { logger } from '../../lib/api/lambda.js';
import type { Ctx, Role } from '../../lib/billing/context.js';
import type { Unit } from '../../lib/billing/records.js';
import { Db } from '../../lib/store/db.js';
import { createTableInput } from '../../lib/store/table.js';
import { createTableFromInput, freshTableName, testDocumentClient, testDynamoClient } from './dynamo.js';

export { DEMO_ESTATE, DEMO_OWNER };

export interface TokenOptions {
  estates?: string[];
  units?: string[];
  sub?: string;
  /** The `name` claim: the display name documents print. */
  name?: string;
  ttlSeconds?: number;
}

export interface CallOptions {
  token?: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent byte for byte (malformed JSON, huge bodies, an uploaded file). */
  raw?: string | Uint8Array;
  headers?: Record<string, string>;
  query?: Record<string, string>;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  /** The parsed body, or undefined when it is not JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read bodies field by field and the assertions check them.
  json: any;
  text: string;
  /** The body's bytes (an XLSX download). */
  bytes: Uint8Array;
}

export interface ApiHarness {
  url: string;
  db: Db;
  table: string;
  signingKey: Uint8Array;
  clock: { now: number; set(iso: string): void };
  /** A token the server accepts; staff default to estate DEMO. */
  token(role: Role, opts?: TokenOptions): Promise<string>;
  call(method: string, path: string, opts?: CallOptions): Promise<ApiResponse>;
  /** A domain context on the same table and clock (for seeding without HTTP). */
  ctx(role: Role, opts?: TokenOptions): Ctx;
  /** The demo estate of `npm start` (five units, an owned space on the first), owned by DEMO_OWNER. */
  seedDemo(): Promise<Unit[]>;
  /** Every item of the table, in the store's own encoding, sorted by key: compare two scans with toEqual. */
  scan(): Promise<Record<string, AttributeValue>[]>;
  close(): Promise<void>;
}

/** Access logs off unless a test turns them on: a fuzz run would print thousands of lines. Errors stay on. */
logger.setLogLevel('WARN');

/** `staticHandler`: requests it answers never reach the API (the payment sandbox, test/support/payments.ts). */
export async function apiHarness(
  opts: { staticHandler?: LocalServerOptions['staticHandler'] } = {},
): Promise<ApiHarness> {
  const table = await freshTableName('api');
  const client = testDynamoClient();
  await createTableFromInput(client, createTableInput(table));
  const db = new Db(testDocumentClient(), table);
  const clock = {
    now: Date.parse('2025-03-01T10:00:00+08:00'),
    set(iso: string) {
      const at = Date.parse(iso);
      if (Number.isNaN(at)) throw new Error(`clock.set: not an ISO time: ${iso}`);
      this.now = at;
    },
  };
  const signingKey = new Uint8Array(randomBytes(32));
  const server = createLocalServer(
    { db, now: () => clock.now },
    { signingKey, ...(opts.staticHandler ? { staticHandler: opts.staticHandler } : {}) },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const actorOf = (role: Role, opts: TokenOptions = {}) => ({
    sub: opts.sub ?? `${role}-test`,
    role,
    estates: opts.estates ?? [DEMO_ESTATE],
    units: opts.units ?? [],
    ...(opts.name ? { name: opts.name } : {}),
  });

  const ctx = (role: Role, opts: TokenOptions = {}): Ctx => ({
    db,
    now: () => clock.now,
    actor: actorOf(role, opts),
  });

  return {
    url,
    db,
    table,
    signingKey,
    clock,
    token(role, opts = {}) {
      const actor = actorOf(role, opts);
      return signDevToken(
        { ...actor, ...(opts.ttlSeconds !== undefined ? { ttlSeconds: opts.ttlSeconds } : {}) },
        signingKey,
      );
    },
    async call(method, path, opts = {}) {
      const target = new URL(path, url);
      for (const [k, v] of Object.entries(opts.query ?? {})) target.searchParams.set(k, v);
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
      let body: string | Blob | undefined;
      if (opts.raw !== undefined)
        body = typeof opts.raw === 'string' ? opts.raw : new Blob([opts.raw as Uint8Array<ArrayBuffer>]);
      else if (opts.body !== undefined) body = JSON.stringify(opts.body);
      if (body !== undefined) headers['content-type'] ??= 'application/json';
      const res = await fetch(target, { method, headers, ...(body !== undefined ? { body } : {}) });
      const bytes = new Uint8Array(await res.arrayBuffer());
      const text = new TextDecoder().decode(bytes);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, headers: Object.fromEntries(res.headers), json, text, bytes };
    },
    ctx,
    seedDemo() {
      return seedDemo(ctx('admin', { sub: 'admin-seed' }));
    },
    async scan() {
      const items: Record<string, AttributeValue>[] = [];
      let start: Record<string, AttributeValue> | undefined;
      do {
        const page = await client.send(
          new ScanCommand({
            TableName: table,
            ConsistentRead: true,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        items.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      const keyOf = (i: Record<string, AttributeValue>) => `${i['PK']?.S}\u0000${i['SK']?.S}`;
      return items.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      client.destroy();
    },
  };
}

/** The error shape of API.md, checked field by field so a failure says which part is missing. */
export function isErrorBody(json: unknown): boolean {
  const e = (json as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.code === 'string' &&
    /^[A-Z][A-Z0-9_]*$/.test(e.code) &&
    typeof e.message === 'string' &&
    e.message.length > 0 &&
    Array.isArray(e.details)
  );
}
