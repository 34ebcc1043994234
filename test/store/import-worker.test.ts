/**
 * The import worker (lib/onboarding/worker*.ts) driven as Lambda drives it, with SQS events, against
 * DynamoDB Local: a large commit stores its file and queues a job; the worker resumes after a fault
 * that cut its first run, a duplicate delivery finishes or no-ops, and after its last attempt (or
 * from the dead-letter queue) the import ends FAILED with a reason.
 */
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEstate } from '../../lib/billing/estates.js';
import { chunksDone, getImport } from '../../lib/onboarding/commit.js';
import { runImport } from '../../lib/onboarding/import.js';
import { FILE_PART_BYTES, loadImportFile, storeImportFile } from '../../lib/onboarding/import-file.js';
import { type ImportJob, setImportDispatcher, type WorkerDeps } from '../../lib/onboarding/worker.js';
import { handleImportMessages, MAX_RECEIVES } from '../../lib/onboarding/worker-messages.js';
import type { Db } from '../../lib/store/db.js';
import { billingHarness, type Harness } from '../support/billing.js';
import { generatedRoster, utf8Csv } from '../support/roster-files.js';

let h: Harness;
let estate = 0;
const jobs: ImportJob[] = [];
const DLQ = 'arn:aws:sqs:cn-north-1:111122223333:import-dead-letters';
const QUEUE = 'arn:aws:sqs:cn-north-1:111122223333:import-jobs';
const log = { info: () => {}, error: () => {} };

beforeAll(async () => {
  process.env['IMPORT_INLINE_ROWS'] = '50';
  h = await billingHarness();
  h.clock.set('2026-05-20T10:00:00+08:00');
  // The capturing transport: what the API function would have sent to SQS.
  setImportDispatcher(async (job) => {
    jobs.push(job);
  });
});
afterAll(() => {
  delete process.env['IMPORT_INLINE_ROWS'];
  setImportDispatcher(undefined);
});

async function queuedImport(rows: number, key: string) {
  const estateId = `IW${++estate}`;
  await createEstate(h.ctx('admin', { estates: [estateId] }), { estateId, name: `导入${estate}` });
  const file = utf8Csv(generatedRoster(rows));
  const before = jobs.length;
  const report = await runImport(h.ctx('admin', { estates: [estateId] }), estateId, file, {
    dryRun: false,
    idempotencyKey: key,
  });
  expect(report.state).toBe('RUNNING');
  expect(jobs.length).toBe(before + 1);
  return { estateId, file, job: jobs.at(-1)!, report };
}

const event = (job: ImportJob, receives: number, source = QUEUE): SQSEvent => ({
  Records: [
    {
      messageId: `m-${job.importId}-${receives}`,
      receiptHandle: 'r',
      body: JSON.stringify(job),
      attributes: {
        ApproximateReceiveCount: String(receives),
        SentTimestamp: '0',
        SenderId: 'x',
        ApproximateFirstReceiveTimestamp: '0',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: source,
      awsRegion: 'cn-north-1',
    },
  ],
});

const deps = (db: Db = h.db): WorkerDeps => ({ db, now: () => h.clock.now });
const deliver = (job: ImportJob, receives: number, db?: Db, source?: string) =>
  handleImportMessages(deps(db), event(job, receives, source), { deadLetterArn: DLQ, log });

describe('the stored file', () => {
  it('is kept in parts under 400 KB and read back only whole and unchanged', async () => {
    const bytes = new Uint8Array(FILE_PART_BYTES * 2 + 1234).map((_, i) => (i * 7) % 251);
    const parts = await storeImportFile(h.db, 'IMPFILETEST', bytes, h.clock.now);
    expect(parts).toBe(3);
    expect(FILE_PART_BYTES).toBeLessThan(350 * 1024);
    const { digestOf } = await import('../../lib/onboarding/digest.js');
    const back = await loadImportFile(h.db, 'IMPFILETEST', digestOf(bytes));
    expect(back && Buffer.from(back).equals(Buffer.from(bytes))).toBe(true);
    expect(await loadImportFile(h.db, 'IMPFILETEST', digestOf(new Uint8Array([1])))).toBeUndefined();
  });
});

describe('the import worker', () => {
  it('resumes after a fault cut its first run, and a duplicate delivery writes nothing twice', async () => {
    const { estateId, file, job, report } = await queuedImport(300, 'w-1');
    expect(report.progress).toEqual({ chunksDone: 0, chunks: expect.any(Number) });
    // Nothing is written before the worker runs.
    expect(await chunksDone(h, job.importId)).toBe(0);

    let started = 0;
    let answered = 0;
    const faulty = h.dbWith({
      maxAttempts: 1,
      faults: (op, phase) => {
        // Two transactions reach the store, the first answer is lost; then the store is gone.
        if (op !== 'transact') return;
        if (phase === 'before' && ++started > 2) throw new Error('connection refused');
        if (phase === 'after' && ++answered === 1) throw new Error('connection reset');
      },
    });
    const first = await deliver(job, 1, faulty);
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: `m-${job.importId}-1` }]);
    const cut = (await getImport(h, estateId, job.importId))!;
    expect(cut.state).toBe('RUNNING');
    const written = await chunksDone(h, job.importId);
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(cut.chunks);

    // SQS delivers again, twice at once (a duplicate): both end well, the import is DONE once.
    const [a, b] = await Promise.all([deliver(job, 2), deliver(job, 2)]);
    expect([...a.batchItemFailures, ...b.batchItemFailures]).toEqual([]);
    expect([...a.outcomes, ...b.outcomes]).toContain('DONE');
    const done = (await getImport(h, estateId, job.importId))!;
    expect(done.state).toBe('DONE');
    expect(await chunksDone(h, job.importId)).toBe(done.chunks);

    // One unit per address, one opening-arrears invoice per unit that had one.
    const again = await runImport(h.ctx('admin', { estates: [estateId] }), estateId, file, { dryRun: true });
    expect(again.counts).toMatchObject({ created: 0, unchanged: 300, invalid: 0 });
    expect(await openingMarkers(job.importId)).toBe(Math.ceil(300 / 10));

    // A later delivery of the same job is a no-op.
    expect((await deliver(job, 3)).outcomes).toEqual(['NOOP']);
    expect(await openingMarkers(job.importId)).toBe(Math.ceil(300 / 10));
  });

  it('marks the import FAILED with the reason on its last attempt, and not before', async () => {
    const { estateId, job } = await queuedImport(120, 'w-2');
    const down = h.dbWith({
      maxAttempts: 1,
      faults: (op, phase) => {
        // Every run breaks on its reads (the stored file, the plan); the final mark still gets through.
        if (op === 'query' && phase === 'before') throw new Error('store unreachable');
      },
    });
    for (let r = 1; r < MAX_RECEIVES; r++) {
      const out = await deliver(job, r, down);
      expect(out.batchItemFailures).toHaveLength(1);
      expect((await getImport(h, estateId, job.importId))!.state).toBe('RUNNING');
    }
    const last = await deliver(job, MAX_RECEIVES, down);
    expect(last.batchItemFailures).toEqual([]);
    const rec = (await getImport(h, estateId, job.importId))!;
    expect(rec.state).toBe('FAILED');
    expect(rec.error).toMatch(/failed 3 times \(last: store unreachable\)/);
    // A message still in flight after that changes nothing.
    expect((await deliver(job, 1)).outcomes).toEqual(['NOOP']);
    expect((await getImport(h, estateId, job.importId))!.state).toBe('FAILED');
  });

  it('marks an import FAILED from the dead-letter queue (every attempt cut off), a finished one stays', async () => {
    const { estateId, job } = await queuedImport(60, 'w-3');
    const out = await deliver(job, 1, undefined, DLQ);
    expect(out.outcomes).toEqual(['FAILED']);
    const rec = (await getImport(h, estateId, job.importId))!;
    expect(rec).toMatchObject({
      state: 'FAILED',
      error: expect.stringMatching(/did not finish in 3 attempts/),
    });

    const other = await queuedImport(60, 'w-4');
    expect((await deliver(other.job, 1)).outcomes).toEqual(['DONE']);
    expect((await deliver(other.job, 1, undefined, DLQ)).outcomes).toEqual(['NOOP']);
    expect((await getImport(h, other.estateId, other.job.importId))!.state).toBe('DONE');
  });

  it('ignores a malformed message instead of retrying it forever', async () => {
    const bad = event({ estateId: 'X', importId: 'nope' }, 1);
    const out = await handleImportMessages(deps(), bad, { log });
    expect(out).toMatchObject({ batchItemFailures: [], outcomes: ['NOOP'] });
  });
});

/** The per-unit opening-arrears markers this import wrote (one per invoice it issued). */
async function openingMarkers(importId: string): Promise<number> {
  let n = 0;
  let lastKey: Record<string, unknown> | undefined;
  do {
    const page = await h.db.scan({
      FilterExpression: '#type = :t AND importId = :id',
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: { ':t': 'OPENING', ':id': importId },
      ...(lastKey ? { ExclusiveStartKey: lastKey } : {}),
    });
    n += page.items.length;
    lastKey = page.lastKey;
  } while (lastKey);
  return n;
}
