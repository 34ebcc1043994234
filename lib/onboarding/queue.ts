/**
 * The cloud's transport for import jobs: one SQS message per dispatch to the queue whose worker
 * function finishes the import (infra/constructs/import-worker.ts). The SQS client is imported on
 * the first large commit only (LAZY_MODULES), never at the onboarding function's cold start.
 */
import type { ImportDispatcher, ImportJob } from './worker.js';

type Sender = { send(command: unknown): Promise<unknown> };

export function queueDispatcher(queueUrl: string): ImportDispatcher {
  let client: Promise<{ sender: Sender; command: (job: ImportJob) => unknown }> | undefined;
  return async (job) => {
    client ??= import('@aws-sdk/client-sqs').then(({ SQSClient, SendMessageCommand }) => ({
      sender: new SQSClient({}) as Sender,
      command: (j: ImportJob) =>
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(j) }),
    }));
    const { sender, command } = await client.catch((e: unknown) => {
      client = undefined;
      throw e;
    });
    await sender.send(command(job));
  };
}
