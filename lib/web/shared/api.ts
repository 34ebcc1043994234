/**
 * The pages' only way to the API. Errors come back as an ApiProblem carrying the polite sentence
 * to show and whether the outcome is unknown (no answer, a 5xx, a request still in progress): a
 * payment whose outcome is unknown must be retried with the same Idempotency-Key and body.
 */
import { politeMessage } from './messages.js';

export interface WebConfig {
  /** Base URL of the HTTP API; empty means the page's own origin (the local server). */
  apiBaseUrl: string;
  /** The estate a kiosk stands in; staff pick theirs from their token. */
  estateId?: string;
  /** Names the kiosk in terminal references. */
  terminalId?: string;
  /** The kiosk's idle timeout in seconds (its terminal settings may override it). */
  idleSeconds?: number;
}

export async function loadConfig(): Promise<WebConfig> {
  try {
    const res = await fetch(new URL('../config.json', location.href), { cache: 'no-store' });
    if (!res.ok) return { apiBaseUrl: '' };
    const c = (await res.json()) as Partial<WebConfig>;
    return { ...c, apiBaseUrl: typeof c.apiBaseUrl === 'string' ? c.apiBaseUrl.replace(/\/+$/, '') : '' };
  } catch {
    return { apiBaseUrl: '' };
  }
}

export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly details: unknown[] = [],
  ) {
    super(politeMessage({ status, code, details }));
    this.name = 'ApiProblem';
  }
  /** The specific rule: a 400's first named rule (QUOTE_EXPIRED), else the code itself. */
  get rule(): string {
    const first = this.details[0] as { code?: unknown } | undefined;
    return this.code === 'INVALID_INPUT' && typeof first?.code === 'string' ? first.code : this.code;
  }
  /** The server may or may not have done it: retry the same request, never a new one. */
  get outcomeUnknown(): boolean {
    return (
      this.status === 0 || this.status >= 500 || this.status === 429 || this.code === 'REQUEST_IN_PROGRESS'
    );
  }
}

export interface CallOptions {
  body?: unknown;
  query?: Record<string, string | undefined>;
  idempotencyKey?: string;
  /** Sent as the body verbatim (a payment retry resends the exact bytes). */
  rawBody?: string;
}

const TIMEOUT_MS = 20_000;

export class Api {
  constructor(
    private readonly baseUrl: string,
    private readonly token: () => string | undefined,
  ) {}

  async call<T>(method: 'GET' | 'POST' | 'PUT', path: string, opts: CallOptions = {}): Promise<T> {
    const url = new URL(`${this.baseUrl}${path}`, location.href);
    for (const [k, v] of Object.entries(opts.query ?? {}))
      if (v !== undefined && v !== '') url.searchParams.set(k, v);
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = this.token();
    if (token) headers['authorization'] = `Bearer ${token}`;
    if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
    const body = opts.rawBody ?? (opts.body !== undefined ? JSON.stringify(opts.body) : undefined);
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (e) {
      throw new ApiProblem(0, (e as Error)?.name === 'TimeoutError' ? 'TIMEOUT' : 'NETWORK');
    }
    const text = await res.text().catch(() => '');
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (res.ok) return json as T;
    const err = (json as { error?: { code?: unknown; details?: unknown } } | undefined)?.error;
    const code =
      typeof err?.code === 'string' ? err.code : res.status === 429 ? 'THROTTLED' : `HTTP_${res.status}`;
    throw new ApiProblem(res.status, code, Array.isArray(err?.details) ? err.details : []);
  }
}

/** Any thrown value as a sentence for the screen. */
export function sentenceFor(e: unknown): string {
  if (e instanceof ApiProblem) return e.message;
  return politeMessage({ status: 500, code: 'INTERNAL' });
}
