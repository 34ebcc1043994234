/**
 * The sandbox inside `npm start`: its keys from the local state folder, the service pointed at it
 * (both providers' base URLs, notifications back to this server), every estate using the one
 * test merchant.
 */
import type { IncomingMessage } from 'node:http';
import { configurePayments } from '../../lib/payments/config.js';
import { Sandbox } from './sandbox.js';
import { loadOrCreateSandboxKeys, merchantOf, type SandboxKeys } from './sandbox-keys.js';

type StaticAnswer = { status: number; headers: Record<string, string>; body: Buffer };
export type StaticHandler = (req: IncomingMessage) => Promise<StaticAnswer | undefined>;

export function startSandbox(
  keysOrDir: SandboxKeys | string,
  url: string,
  now: () => number = Date.now,
): Sandbox {
  const keys = typeof keysOrDir === 'string' ? loadOrCreateSandboxKeys(keysOrDir) : keysOrDir;
  const sandbox = new Sandbox(keys, now);
  const merchant = merchantOf(keys);
  configurePayments({
    wechatBaseUrl: `${url}/local/sandbox/wechat`,
    alipayGateway: `${url}/local/sandbox/alipay/gateway.do`,
    notifyBaseUrl: url,
    merchant: async () => merchant,
  });
  return sandbox;
}

/** The first handler that answers a request wins. */
export function chainHandlers(...handlers: StaticHandler[]): StaticHandler {
  return async (req) => {
    for (const h of handlers) {
      const out = await h(req);
      if (out) return out;
    }
    return undefined;
  };
}
