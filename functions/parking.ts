/**
 * Lambda for the 'parking' route group. It imports only its own routes, so its bundle carries only
 * their code; test/api/function-routes.test.ts checks this list against the route table.
 */
import { lambdaHandler } from '../lib/api/lambda.js';
import { parkingRoutes } from '../lib/api/routes/parking.js';
import { lambdaDeps } from '../lib/api/runtime.js';

export const routes = parkingRoutes;
export const handler = lambdaHandler(routes, lambdaDeps);
