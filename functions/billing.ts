/**
 * Lambda for the 'billing' route group. It imports only its own routes, so its bundle carries only
 * their code; test/api/function-routes.test.ts checks this list against the route table.
 */
import { lambdaHandler } from '../lib/api/lambda.js';
import { accountingRoutes } from '../lib/api/routes/accounting.js';
import { billingRoutes } from '../lib/api/routes/billing.js';
import { drawerCountRoutes } from '../lib/api/routes/drawer-counts.js';
import { renewalLogRoutes } from '../lib/api/routes/renewal-log.js';
import { reprintRoutes } from '../lib/api/routes/reprints.js';
import { unitSearchRoutes } from '../lib/api/routes/units-search.js';
import { lambdaDeps } from '../lib/api/runtime.js';

export const routes = [
  ...billingRoutes,
  ...reprintRoutes,
  ...unitSearchRoutes,
  ...drawerCountRoutes,
  ...accountingRoutes,
  ...renewalLogRoutes,
];
export const handler = lambdaHandler(routes, lambdaDeps);
