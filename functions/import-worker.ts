/**
 * Lambda finishing large roster imports (SPEC.md §8, docs/onboarding.md): the event source of the
 * import queue and of its dead-letter queue (infra/constructs/import-worker.ts). The handling itself
 * is lib/onboarding/worker-messages.ts, which the local server's in-process path shares.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSEvent } from 'aws-lambda';
import { lambdaDeps } from '../lib/api/runtime.js';
import { handleImportMessages } from '../lib/onboarding/worker-messages.js';

const logger = new Logger({ serviceName: 'property-billing' });

export async function handler(event: SQSEvent) {
  const deps = await lambdaDeps();
  const deadLetterArn = process.env['IMPORT_DEAD_LETTER_ARN'];
  const { batchItemFailures } = await handleImportMessages(deps, event, {
    ...(deadLetterArn ? { deadLetterArn } : {}),
    log: {
      info: (m, extra) => logger.info(m, extra ?? {}),
      error: (m, extra) => logger.error(m, extra ?? {}),
    },
  });
  return { batchItemFailures };
}
