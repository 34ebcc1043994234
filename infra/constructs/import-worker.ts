/**
 * The worker that finishes large roster imports (SPEC.md §8, docs/onboarding.md). The onboarding
 * function answers 202 and sends one message naming the import to the job queue; the worker function
 * is the queue's event source, one message at a time, and reads the stored file from the table.
 *
 * - A run that throws reports its message as a batch item failure: SQS delivers it again after the
 *   visibility timeout (30 min, six times the worker's 5 min, AWS's advice for Lambda event
 *   sources), and the run resumes from the import's chunk markers.
 * - After MAX_RECEIVES deliveries the message moves to the dead-letter queue, which the same
 *   function also consumes: the import is marked FAILED with the reason, so nobody polls a RUNNING
 *   import forever (the last attempt marks it itself when it fails with an error rather than a
 *   timeout).
 * - The onboarding function may only send to the job queue; the worker gets the table actions its
 *   code uses (table-access.ts), and the queue actions its event sources need.
 */
import { Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MAX_RECEIVES } from '../../lib/onboarding/worker-messages.js';
import type { StageConfig } from '../config.js';
import { GroupFunction } from './group-function.js';
import type { BillingTable } from './table.js';
import { IMPORT_WORKER, TABLE_NEEDS } from './table-access.js';

/** A 20,000-row roster is about 500 chunk transactions: a minute at worst against DynamoDB. */
export const WORKER_TIMEOUT = Duration.minutes(5);
export const JOB_VISIBILITY = Duration.minutes(30);

export class ImportWorker extends Construct {
  readonly queue: Queue;
  readonly deadLetters: Queue;
  readonly function: GroupFunction;

  constructor(scope: Construct, id: string, props: { config: StageConfig; table: BillingTable }) {
    super(scope, id);
    this.deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      // Lambda refuses an event source whose visibility timeout is below the function's timeout.
      visibilityTimeout: JOB_VISIBILITY,
    });
    this.queue = new Queue(this, 'Jobs', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: JOB_VISIBILITY,
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: MAX_RECEIVES },
    });
    this.function = new GroupFunction(this, 'Runner', {
      name: IMPORT_WORKER,
      description: 'Finishes roster imports too large for one request (SQS job queue and its dead letters)',
      config: props.config,
      table: props.table,
      timeout: WORKER_TIMEOUT,
      memorySize: 1024,
      environment: { IMPORT_DEAD_LETTER_ARN: this.deadLetters.queueArn },
    });
    this.function.bindTable(props.table, 'RW', TABLE_NEEDS[IMPORT_WORKER]);
    for (const queue of [this.queue, this.deadLetters]) {
      this.function.fn.addEventSource(
        new SqsEventSource(queue, { batchSize: 1, reportBatchItemFailures: true }),
      );
    }
  }

  /** The API function that dispatches jobs (given IMPORT_QUEUE_URL): sqs:SendMessage on the queue alone. */
  allowDispatchFrom(fn: GroupFunction): void {
    this.queue.grantSendMessages(fn.role);
  }
}
