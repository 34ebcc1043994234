/**
 * The API harness with the sandbox payment provider on the same server, as `npm start` runs it:
 * test keys generated once per test file, the server's settable clock shared by the sandbox (its
 * notification timestamps and signed answers), and helpers to count what a payment wrote.
 */
import { randomUUID } from 'node:crypto';
import type { Sandbox } from '../../infra/local/sandbox.js';
import { generateSandboxKeys, type SandboxKeys } from '../../infra/local/sandbox-keys.js';
import { startSandbox } from '../../infra/local/sandbox-start.js';
import { type ApiHarness, apiHarness } from './api.js';

export interface PaymentHarness {
  h: ApiHarness;
  sandbox: Sandbox;
  keys: SandboxKeys;
}

let keys: SandboxKeys | undefined;

export async function paymentHarness(): Promise<PaymentHarness> {
  keys ??= generateSandboxKeys();
  let sandbox: Sandbox | undefined;
  const h = await apiHarness({ staticHandler: (req) => sandbox!.handle(req) });
  sandbox = startSandbox(keys, h.url, () => h.clock.now);
  return { h, sandbox, keys };
}

/** Every receipt in the table (each payment makes one). */
export async function receiptsIn(h: ApiHarness): Promise<Record<string, unknown>[]> {
  const items = await h.db.scan({
    FilterExpression: 'begins_with(PK, :p)',
    ExpressionAttributeValues: { ':p': 'RECEIPT#' },
  });
  return items.items;
}

export const idem = () => ({ 'Idempotency-Key': randomUUID() });
