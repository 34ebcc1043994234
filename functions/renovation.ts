/** Lambda for the 'renovation' route group (see lib/api/routes.ts). */
import { lambdaHandler } from '../lib/api/lambda.js';
import { depsFromEnv } from '../lib/api/runtime.js';

export const handler = lambdaHandler('renovation', depsFromEnv);
