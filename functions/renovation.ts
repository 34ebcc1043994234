/**
 * Lambda for the 'renovation' route group. It imports only its own routes, so its bundle carries only
 * their code; test/api/function-routes.test.ts checks this list against the route table.
 */
import { lambdaHandler } from '../lib/api/lambda.js';
import { depositRefundRoutes } from '../lib/api/routes/deposit-refunds.js';
import { renovationRoutes } from '../lib/api/routes/renovation.js';
import { lambdaDeps } from '../lib/api/runtime.js';

export const routes = [...renovationRoutes, ...depositRefundRoutes];
export const handler = lambdaHandler(routes, lambdaDeps);
