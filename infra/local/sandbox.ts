/**
 * The sandbox payment provider of `npm start` and the tests (SPEC.md §9, API.md "Local server"):
 * it speaks WeChat Pay API v3 (Native order, query, close) and the Alipay gateway (precreate,
 * query, close) with the generated test keys, verifying the service's signatures and signing its
 * answers; it serves the pay page the kiosk's QR code links to; and `POST /local/sandbox/pay`
 * pays an order as an owner would, answering once the service has answered every notification.
 * Trades live in memory: a restart forgets them (an order then stays unpaid until it expires).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { formatFen, parseMoney } from '../../lib/money.js';
import { alipayTime, signContent } from '../../lib/payments/alipay.js';
import { encryptResource, rsaSign, rsaVerify, signedHeaders } from '../../lib/payments/wechat.js';
import type { SandboxKeys } from './sandbox-keys.js';
import { payPage } from './sandbox-page.js';
import { SandboxRefunds } from './sandbox-refund.js';
import { alipayStatement, paidOn, wechatStatement } from './sandbox-statement.js';

export interface SandboxTrade {
  provider: 'WECHAT' | 'ALIPAY';
  outTradeNo: string;
  amount: bigint;
  notifyUrl: string;
  state: 'NOTPAY' | 'SUCCESS' | 'CLOSED';
  transactionId?: string;
  paidAmount?: bigint;
  paidAtMs?: number;
  description: string;
}

type Answer = { status: number; headers: Record<string, string>; body: Buffer };

/** A WeChat Pay notification of `trade`, signed and encrypted as the platform sends it. */
export function wechatNotification(
  k: SandboxKeys,
  t: {
    outTradeNo: string;
    transactionId: string;
    amount: bigint;
    mchid?: string;
    appid?: string;
    tradeState?: string;
  },
  nowMs: number,
): { headers: Record<string, string>; body: string } {
  const transaction = {
    mchid: t.mchid ?? k.wechat.mchid,
    appid: t.appid ?? k.wechat.appid,
    out_trade_no: t.outTradeNo,
    transaction_id: t.transactionId,
    trade_type: 'NATIVE',
    trade_state: t.tradeState ?? 'SUCCESS',
    trade_state_desc: '支付成功',
    success_time: new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, '+00:00'),
    payer: { openid: 'oSandboxPayer' },
    amount: {
      total: Number(t.amount),
      payer_total: Number(t.amount),
      currency: 'CNY',
      payer_currency: 'CNY',
    },
  };
  const body = JSON.stringify({
    id: randomBytes(16).toString('hex'),
    create_time: transaction.success_time,
    resource_type: 'encrypt-resource',
    event_type: 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    resource: encryptResource(JSON.stringify(transaction), k.wechat.apiV3Key),
  });
  const headers = {
    'content-type': 'application/json',
    ...signedHeaders(body, k.wechat.platformPrivateKey, k.wechat.platformSerial, Math.floor(nowMs / 1000)),
  };
  return { headers, body };
}

/** An Alipay asynchronous notification, form-encoded and RSA2-signed with Alipay's key. */
export function alipayNotification(
  k: SandboxKeys,
  t: { outTradeNo: string; transactionId: string; amount: bigint; appId?: string; tradeStatus?: string },
  nowMs: number,
): { headers: Record<string, string>; body: string } {
  const params: Record<string, string> = {
    notify_time: alipayTime(nowMs),
    notify_type: 'trade_status_sync',
    notify_id: randomBytes(16).toString('hex'),
    app_id: t.appId ?? k.alipay.appId,
    charset: 'utf-8',
    version: '1.0',
    trade_no: t.transactionId,
    out_trade_no: t.outTradeNo,
    trade_status: t.tradeStatus ?? 'TRADE_SUCCESS',
    total_amount: formatFen(t.amount),
    receipt_amount: formatFen(t.amount),
    gmt_payment: alipayTime(nowMs),
  };
  params['sign'] = rsaSign(signContent(params), k.alipay.alipayPrivateKey);
  params['sign_type'] = 'RSA2';
  return {
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: new URLSearchParams(params).toString(),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks as unknown as Uint8Array[]).toString('utf8');
}

const json = (status: number, value: unknown, headers: Record<string, string> = {}): Answer => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: Buffer.from(value === undefined ? '' : JSON.stringify(value)),
});

export class Sandbox {
  readonly trades = new Map<string, SandboxTrade>();
  readonly refunds = new SandboxRefunds(this.trades);
  private seq = 0;

  constructor(
    readonly keys: SandboxKeys,
    private readonly now: () => number = Date.now,
  ) {}

  private transactionId(provider: 'WECHAT' | 'ALIPAY'): string {
    const n = `${Date.now()}${String(++this.seq).padStart(6, '0')}`;
    return provider === 'WECHAT' ? `4200${n}` : `2025${n}`;
  }

  /** A WeChat answer, signed with the platform key as the service verifies it. */
  private wechatAnswer(status: number, value: unknown): Answer {
    const body = value === undefined ? '' : JSON.stringify(value);
    const signed = signedHeaders(
      body,
      this.keys.wechat.platformPrivateKey,
      this.keys.wechat.platformSerial,
      Math.floor(this.now() / 1000),
    );
    return { status, headers: { 'content-type': 'application/json', ...signed }, body: Buffer.from(body) };
  }

  private wechatQuery(t: SandboxTrade) {
    const w = this.keys.wechat;
    return {
      mchid: w.mchid,
      appid: w.appid,
      out_trade_no: t.outTradeNo,
      trade_state: t.state,
      ...(t.transactionId ? { transaction_id: t.transactionId } : {}),
      amount: { total: Number(t.paidAmount ?? t.amount), currency: 'CNY' },
    };
  }

  private async wechat(req: IncomingMessage, path: string, base: string): Promise<Answer> {
    const method = (req.method ?? 'GET').toUpperCase();
    const body = method === 'POST' ? await readBody(req) : '';
    const auth = req.headers['authorization'] ?? '';
    const f = Object.fromEntries([...auth.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    // The client signs the path it sent, base path included (WeChat's own base has none).
    const signedPath = req.url ?? '';
    const message = `${method}\n${signedPath}\n${f['timestamp']}\n${f['nonce_str']}\n${body}\n`;
    if (
      !auth.startsWith('WECHATPAY2-SHA256-RSA2048 ') ||
      f['mchid'] !== this.keys.wechat.mchid ||
      !rsaVerify(message, f['signature'] ?? '', this.keys.wechat.merchantPublicKey)
    )
      return this.wechatAnswer(401, { code: 'SIGN_ERROR', message: '签名错误' });
    if (method === 'POST' && path === '/v3/pay/transactions/native') {
      const o = JSON.parse(body) as {
        out_trade_no: string;
        amount: { total: number };
        notify_url: string;
        description: string;
        appid: string;
      };
      if (o.appid !== this.keys.wechat.appid)
        return this.wechatAnswer(400, { code: 'APPID_MCHID_NOT_MATCH' });
      if (!this.trades.has(o.out_trade_no))
        this.trades.set(o.out_trade_no, {
          provider: 'WECHAT',
          outTradeNo: o.out_trade_no,
          amount: BigInt(o.amount.total),
          notifyUrl: o.notify_url,
          state: 'NOTPAY',
          description: o.description,
        });
      return this.wechatAnswer(200, {
        code_url: `${base}/local/sandbox/pay-page?outTradeNo=${encodeURIComponent(o.out_trade_no)}`,
      });
    }
    if (method === 'POST' && path === '/v3/refund/domestic/refunds') {
      const r = this.refunds.wechat(body, this.keys.wechat.mchid);
      return this.wechatAnswer(r.status, r.value);
    }
    const m = /^\/v3\/pay\/transactions\/out-trade-no\/([^/?]+)(\/close)?$/.exec(path);
    const t = m ? this.trades.get(decodeURIComponent(m[1]!)) : undefined;
    if (!m || !t || t.provider !== 'WECHAT')
      return this.wechatAnswer(404, { code: 'ORDER_NOT_EXIST', message: '订单不存在' });
    if (m[2]) {
      if (t.state === 'SUCCESS') return this.wechatAnswer(400, { code: 'ORDERPAID', message: '订单已支付' });
      t.state = 'CLOSED';
      return this.wechatAnswer(204, undefined);
    }
    return this.wechatAnswer(200, this.wechatQuery(t));
  }

  private alipayAnswer(method: string, value: Record<string, unknown>): Answer {
    const member = JSON.stringify(value);
    const sign = rsaSign(member, this.keys.alipay.alipayPrivateKey);
    const text = `{"${method.replace(/\./g, '_')}_response":${member},"sign":${JSON.stringify(sign)}}`;
    return {
      status: 200,
      headers: { 'content-type': 'application/json;charset=utf-8' },
      body: Buffer.from(text),
    };
  }

  private async alipay(req: IncomingMessage, base: string): Promise<Answer> {
    const params: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(await readBody(req))) params[k] = v;
    const method = params['method'] ?? '';
    if (
      params['app_id'] !== this.keys.alipay.appId ||
      !rsaVerify(signContent(params), params['sign'] ?? '', this.keys.alipay.appPublicKey)
    )
      return this.alipayAnswer(method, {
        code: '40002',
        msg: 'Invalid Arguments',
        sub_code: 'isv.invalid-signature',
      });
    const biz = JSON.parse(params['biz_content'] ?? '{}') as Record<string, string>;
    const no = biz['out_trade_no'] ?? '';
    const t = this.trades.get(no);
    if (method === 'alipay.trade.precreate') {
      if (!t)
        this.trades.set(no, {
          provider: 'ALIPAY',
          outTradeNo: no,
          amount: parseMoney(biz['total_amount'], 'total_amount'),
          notifyUrl: params['notify_url'] ?? '',
          state: 'NOTPAY',
          description: biz['subject'] ?? '',
        });
      return this.alipayAnswer(method, {
        code: '10000',
        msg: 'Success',
        out_trade_no: no,
        qr_code: `${base}/local/sandbox/pay-page?outTradeNo=${encodeURIComponent(no)}`,
      });
    }
    if (t?.provider !== 'ALIPAY')
      return this.alipayAnswer(method, {
        code: '40004',
        msg: 'Business Failed',
        sub_code: 'ACQ.TRADE_NOT_EXIST',
      });
    if (method === 'alipay.trade.refund')
      return this.alipayAnswer(
        method,
        this.refunds.alipay(biz, (v) => parseMoney(v, 'refund_amount'), formatFen),
      );
    if (method === 'alipay.trade.close') {
      if (t.state === 'SUCCESS')
        return this.alipayAnswer(method, { code: '40004', sub_code: 'ACQ.TRADE_STATUS_ERROR' });
      t.state = 'CLOSED';
      return this.alipayAnswer(method, { code: '10000', msg: 'Success', out_trade_no: no });
    }
    const status = { NOTPAY: 'WAIT_BUYER_PAY', SUCCESS: 'TRADE_SUCCESS', CLOSED: 'TRADE_CLOSED' }[t.state];
    return this.alipayAnswer(method, {
      code: '10000',
      msg: 'Success',
      out_trade_no: no,
      trade_status: status,
      total_amount: formatFen(t.paidAmount ?? t.amount),
      ...(t.transactionId ? { trade_no: t.transactionId } : {}),
    });
  }

  /**
   * Pays a trade (or pays it again: the same transaction is sent again) and delivers the signed
   * notification `repeat` times, one after another, answering what the service answered.
   */
  async pay(input: { outTradeNo?: unknown; amount?: unknown; repeat?: unknown }): Promise<Answer> {
    const t = typeof input.outTradeNo === 'string' ? this.trades.get(input.outTradeNo) : undefined;
    if (!t)
      return json(404, {
        error: { code: 'TRADE_NOT_FOUND', message: 'the sandbox made no such order', details: [] },
      });
    const repeat = input.repeat === undefined ? 1 : Number(input.repeat);
    if (!Number.isInteger(repeat) || repeat < 1 || repeat > 20)
      return json(400, { error: { code: 'INVALID_REPEAT', message: 'repeat is 1-20', details: [] } });
    let amount = t.amount;
    try {
      if (input.amount !== undefined) amount = parseMoney(input.amount, 'amount');
    } catch {
      return json(400, {
        error: { code: 'INVALID_MONEY', message: 'amount is a money string like "2.00"', details: [] },
      });
    }
    if (t.state === 'CLOSED')
      return json(409, { error: { code: 'TRADE_CLOSED', message: 'the order was closed', details: [] } });
    if (t.state !== 'SUCCESS') {
      t.state = 'SUCCESS';
      t.transactionId = this.transactionId(t.provider);
      t.paidAmount = amount;
      t.paidAtMs = this.now();
    }
    const notifications: { status: number; body: string }[] = [];
    for (let i = 0; i < repeat; i++) {
      const trade = { outTradeNo: t.outTradeNo, transactionId: t.transactionId!, amount: t.paidAmount! };
      const n =
        t.provider === 'WECHAT'
          ? wechatNotification(this.keys, trade, this.now())
          : alipayNotification(this.keys, trade, this.now());
      const res = await fetch(t.notifyUrl, { method: 'POST', headers: n.headers, body: n.body });
      notifications.push({ status: res.status, body: await res.text() });
    }
    return json(200, {
      outTradeNo: t.outTradeNo,
      provider: t.provider,
      transactionId: t.transactionId,
      amount: formatFen(t.paidAmount!),
      notifications,
    });
  }

  /** `?provider=WECHAT|ALIPAY&date=YYYY-MM-DD`: the day's statement file, as the provider serves it. */
  private statement(url: URL): Answer {
    const provider = url.searchParams.get('provider');
    const date = url.searchParams.get('date') ?? '';
    if ((provider !== 'WECHAT' && provider !== 'ALIPAY') || !/^\d{4}-\d{2}-\d{2}$/.test(date))
      return json(400, {
        error: {
          code: 'INVALID_QUERY',
          message: 'send ?provider=WECHAT|ALIPAY&date=YYYY-MM-DD',
          details: [],
        },
      });
    const trades = paidOn(this.trades.values(), provider, date);
    const text =
      provider === 'WECHAT'
        ? wechatStatement(trades, this.keys.wechat)
        : alipayStatement(trades, this.keys.alipay, date);
    return { status: 200, headers: { 'content-type': 'text/csv; charset=utf-8' }, body: Buffer.from(text) };
  }

  /** Serves `/local/sandbox/...`; anything else is left to the next handler. */
  readonly handle = async (req: IncomingMessage): Promise<Answer | undefined> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/local/sandbox/')) return undefined;
    const base = `http://${req.headers.host ?? 'localhost'}`;
    try {
      if (url.pathname.startsWith('/local/sandbox/wechat/'))
        return await this.wechat(req, url.pathname.slice('/local/sandbox/wechat'.length), base);
      if (url.pathname === '/local/sandbox/alipay/gateway.do' && req.method === 'POST')
        return await this.alipay(req, base);
      if (url.pathname === '/local/sandbox/pay' && req.method === 'POST') {
        let input: Record<string, unknown>;
        try {
          input = JSON.parse(await readBody(req)) as Record<string, unknown>;
        } catch {
          return json(400, {
            error: { code: 'INVALID_JSON', message: 'send {outTradeNo, amount?, repeat?}', details: [] },
          });
        }
        return await this.pay(input ?? {});
      }
      if (url.pathname === '/local/sandbox/statement' && req.method === 'GET') return this.statement(url);
      if (url.pathname === '/local/sandbox/pay-page' && req.method === 'GET') {
        const t = this.trades.get(url.searchParams.get('outTradeNo') ?? '');
        return {
          status: t ? 200 : 404,
          headers: { 'content-type': 'text/html; charset=utf-8' },
          body: Buffer.from(payPage(t)),
        };
      }
    } catch (e) {
      return json(400, {
        error: { code: 'SANDBOX_BAD_REQUEST', message: (e as Error).message, details: [] },
      });
    }
    return json(404, {
      error: { code: 'ROUTE_NOT_FOUND', message: `no sandbox route ${url.pathname}`, details: [] },
    });
  };
}
