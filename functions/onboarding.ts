/**
 * Lambda for the 'onboarding' route group. It imports only its own routes, so its bundle carries only
 * their code; test/api/function-routes.test.ts checks this list against the route table. A roster
 * over the inline row limit is queued for the import worker (IMPORT_QUEUE_URL, set by the stack).
 */
import { lambdaHandler } from '../lib/api/lambda.js';
import { onboardingRoutes } from '../lib/api/routes/onboarding.js';
import { lambdaDeps } from '../lib/api/runtime.js';
import { queueDispatcher } from '../lib/onboarding/queue.js';
import { setImportDispatcher } from '../lib/onboarding/worker.js';

const queueUrl = process.env['IMPORT_QUEUE_URL'];
if (queueUrl) setImportDispatcher(queueDispatcher(queueUrl));

export const routes = onboardingRoutes;
export const handler = lambdaHandler(routes, lambdaDeps);
