/**
 * One payment attempt = one Idempotency-Key, made when the pay screen opens (SPEC.md §5). A double
 * tap joins the request already in flight; a retry after an unknown outcome resends the same key
 * and the same bytes, so the server replays its first answer instead of taking money twice. Only a
 * definite refusal (a 4xx: nothing was charged) starts a new attempt with a new key.
 */
import { ApiProblem } from './api.js';

export class PaymentAttempt<T> {
  key = crypto.randomUUID();
  /** The exact body sent under `key`; fixed once sent until a definite refusal. */
  private sentBody: string | undefined;
  private inFlight: Promise<T> | undefined;
  private done: T | undefined;

  constructor(private readonly send: (key: string, rawBody: string) => Promise<T>) {}

  get busy(): boolean {
    return this.inFlight !== undefined;
  }

  /** True after an unknown outcome: the next submit resends the first body whatever is passed. */
  get pendingRetry(): boolean {
    return this.sentBody !== undefined && this.done === undefined && this.inFlight === undefined;
  }

  submit(body: unknown): Promise<T> {
    if (this.done !== undefined) return Promise.resolve(this.done);
    if (this.inFlight) return this.inFlight;
    this.sentBody ??= JSON.stringify(body);
    const raw = this.sentBody;
    this.inFlight = this.send(this.key, raw).then(
      (result) => {
        this.done = result;
        this.inFlight = undefined;
        return result;
      },
      (e: unknown) => {
        this.inFlight = undefined;
        if (!(e instanceof ApiProblem) || !e.outcomeUnknown) {
          // Refused for good: nothing was charged, so the next try is a new request.
          this.key = crypto.randomUUID();
          this.sentBody = undefined;
        }
        throw e;
      },
    );
    return this.inFlight;
  }
}
