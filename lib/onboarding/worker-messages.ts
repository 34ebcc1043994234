/**
 * The worker function's handling of one SQS batch (functions/import-worker.ts is only its wiring),
 * kept here so that the tests drive exactly it with events shaped as Lambda delivers them.
 *
 * - From the import queue: finish the import. A failure is reported as a batch item failure, so SQS
 *   delivers the message again after its visibility timeout; on the last receive (MAX_RECEIVES) the
 *   import is marked FAILED with the error instead.
 * - From the dead-letter queue (a message whose every attempt was cut off, e.g. by the function's
 *   timeout, so no code of ours saw the last failure): mark the import FAILED, if still RUNNING.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { finishImport, giveUpImport, parseJob, type WorkerDeps, type WorkerOutcome } from './worker.js';

/** Deliveries of one job before it goes to the dead-letter queue (the queue's maxReceiveCount). */
export const MAX_RECEIVES = 3;

export interface WorkerLog {
  info(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export async function handleImportMessages(
  deps: WorkerDeps,
  event: SQSEvent,
  opts: { deadLetterArn?: string; log: WorkerLog },
): Promise<SQSBatchResponse & { outcomes: WorkerOutcome[] }> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  const outcomes: WorkerOutcome[] = [];
  for (const record of event.Records) {
    let job: ReturnType<typeof parseJob>;
    try {
      job = parseJob(record.body);
    } catch (e) {
      // Not ours to retry: a malformed message would fail the same way every time.
      opts.log.error('import job ignored', { messageId: record.messageId, error: message(e) });
      outcomes.push('NOOP');
      continue;
    }
    const receives = Number(record.attributes.ApproximateReceiveCount) || 1;
    try {
      if (opts.deadLetterArn !== undefined && record.eventSourceARN === opts.deadLetterArn) {
        const out = await giveUpImport(
          deps,
          job,
          `the import worker did not finish in ${MAX_RECEIVES} attempts; the rows written so far stay. Check the roster again and commit it with a new Idempotency-Key to write the rest`,
        );
        outcomes.push(out);
        opts.log.error('import given up (dead letter)', { ...job, outcome: out });
        continue;
      }
      const out = await finishImport(deps, job);
      outcomes.push(out);
      opts.log.info('import job', { ...job, receives, outcome: out });
    } catch (e) {
      if (receives >= MAX_RECEIVES) {
        const out = await giveUpImport(
          deps,
          job,
          `the import worker failed ${receives} times (last: ${message(e)}); the rows written so far stay. Check the roster again and commit it with a new Idempotency-Key to write the rest`,
        ).catch(() => undefined);
        opts.log.error('import given up', { ...job, receives, error: message(e), outcome: out });
        if (out) {
          outcomes.push(out);
          continue;
        }
      } else {
        opts.log.error('import job failed; SQS will deliver it again', {
          ...job,
          receives,
          error: message(e),
        });
      }
      outcomes.push('NOOP');
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures, outcomes };
}
