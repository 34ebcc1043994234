/**
 * The load bench's clients (load-clients.ts): autocannon, in a worker thread of its own. Plain
 * JavaScript: a worker thread does not inherit tsx's loader. Receives `{ base, flows, concurrency }`,
 * where each flow is the list of requests one connection sends one after another (every flow of a
 * run has the same length), and answers `{ ms, latencies, statuses }` per flow: a flow's latency is
 * the sum of its requests' response times, its status the first failure's, else its last request's.
 */
import { parentPort } from 'node:worker_threads';
import autocannon from 'autocannon';

async function run({ base, flows, concurrency }) {
  const steps = flows[0].length;
  const connections = Math.min(concurrency, flows.length);
  if (flows.length % connections !== 0)
    throw new Error(`${flows.length} flows do not share evenly among ${connections} connections`);
  let next = 0;
  const requests = Array.from({ length: steps }, (_, i) => ({
    setupRequest: (req, context) => {
      // A connection takes the next flow at its first step; autocannon may build one request more
      // than it sends at the end, which then reuses the last flow and is never sent.
      if (i === 0) context.flow = flows[Math.min(next++, flows.length - 1)];
      const { method, path, headers, body } = context.flow[i];
      return { ...req, method, path, headers, body };
    },
  }));
  const latencies = [];
  const statuses = {};
  const perClient = new Map();
  const started = performance.now();
  // autocannon reports on its one-second ticks: the run ends at the last answer, not at its report.
  let ended = started;
  const instance = autocannon({
    url: base,
    connections,
    // Divisible by the connections in every run: each connection sends whole flows.
    amount: flows.length * steps,
    requests,
    timeout: 60,
  });
  instance.on('response', (client, status, _bytes, responseTime) => {
    const acc = perClient.get(client) ?? { step: 0, ms: 0, status: 0 };
    acc.ms += responseTime;
    if (acc.status < 300) acc.status = status;
    if (++acc.step === steps) {
      latencies.push(acc.ms);
      statuses[acc.status] = (statuses[acc.status] ?? 0) + 1;
      ended = performance.now();
      perClient.set(client, { step: 0, ms: 0, status: 0 });
    } else perClient.set(client, acc);
  });
  const result = await instance;
  const ms = ended - started;
  if (result.errors > 0 || result.timeouts > 0)
    throw new Error(`${result.errors} connection errors, ${result.timeouts} timeouts`);
  return { ms, latencies, statuses };
}

parentPort?.on('message', (job) => {
  run(job).then(
    (result) => parentPort.postMessage({ result }),
    (error) => parentPort.postMessage({ error: String(error?.stack ?? error) }),
  );
});
