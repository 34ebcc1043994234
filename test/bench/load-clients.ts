/**
 * The load bench's clients: autocannon in a worker thread (load-client.mjs). In the field kiosks,
 * gates and counters are other machines; a load generator in the server's own thread (undici's
 * fetch costs about as much as the server's HTTP handling) would be counted as the API's overhead.
 */
import { Worker } from 'node:worker_threads';

/** One HTTP request of a flow, as plain data that crosses to the worker thread. */
export interface LoadRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface LoadResult {
  perSecond: number;
  latencies: number[];
  statuses: Map<number, number>;
}

/** Sends a flow from this thread (recording a flow's store calls, the soak): its first failure's status, else its last. */
export async function send(base: string, flow: LoadRequest[]): Promise<number> {
  let status = 0;
  for (const { method, path, headers, body } of flow) {
    const res = await fetch(base + path, { method, headers, ...(body === undefined ? {} : { body }) });
    await res.arrayBuffer();
    status = res.status;
    if (status >= 300) break;
  }
  return status;
}

export class LoadClients {
  private readonly worker = new Worker(new URL('./load-client.mjs', import.meta.url));

  constructor(private readonly base: string) {
    this.worker.unref();
  }

  /** Sends `flows`, `concurrency` clients at a time, and times them in the worker. */
  run(flows: LoadRequest[][], concurrency: number): Promise<LoadResult> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      this.worker.once('error', onError);
      this.worker.once(
        'message',
        (m: {
          result?: { ms: number; latencies: number[]; statuses: Record<string, number> };
          error?: string;
        }) => {
          this.worker.off('error', onError);
          if (!m.result) return reject(new Error(`load clients failed: ${m.error}`));
          const { ms, latencies, statuses } = m.result;
          resolve({
            perSecond: (flows.length * 1000) / ms,
            latencies,
            statuses: new Map(Object.entries(statuses).map(([s, n]) => [Number(s), n])),
          });
        },
      );
      this.worker.postMessage({ base: this.base, flows, concurrency });
    });
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}
