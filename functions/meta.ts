/**
 * Lambda for the 'meta' route group. It imports only its own routes, so its bundle carries only
 * their code; test/api/function-routes.test.ts checks this list against the route table.
 */
import { lambdaHandler } from '../lib/api/lambda.js';
import { metaRoutes } from '../lib/api/routes/meta.js';
import { lambdaDeps } from '../lib/api/runtime.js';

export const routes = metaRoutes;
export const handler = lambdaHandler(routes, lambdaDeps);
