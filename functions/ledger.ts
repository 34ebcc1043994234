/**
 * Lambda for the 'ledger' route group. It imports only its own routes, so its bundle carries only
 * their code; test/api/function-routes.test.ts checks this list against the route table.
 */
import { lambdaHandler } from '../lib/api/lambda.js';
import { arrearsRoutes } from '../lib/api/routes/arrears.js';
import { cashupRoutes } from '../lib/api/routes/cashup.js';
import { ledgerRoutes } from '../lib/api/routes/ledger.js';
import { lambdaDeps } from '../lib/api/runtime.js';

export const routes = [...ledgerRoutes, ...cashupRoutes, ...arrearsRoutes];
export const handler = lambdaHandler(routes, lambdaDeps);
