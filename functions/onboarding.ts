/**
 * Lambda for the 'onboarding' route group. It imports only its own routes, so its bundle carries only
 * their code; test/api/function-routes.test.ts checks this list against the route table.
 */
import { lambdaHandler } from '../lib/api/lambda.js';
import { onboardingRoutes } from '../lib/api/routes/onboarding.js';
import { lambdaDeps } from '../lib/api/runtime.js';

export const routes = onboardingRoutes;
export const handler = lambdaHandler(routes, lambdaDeps);
