/**
 * Lambda for the 'accounting' route group: the accountant's month (revenue, vouchers, disclosure).
 * Split from the ledger function so each bundle stays within its size and cold-start budget; it
 * imports only its own routes (test/api/function-routes.test.ts checks this list).
 */
import { lambdaHandler } from '../lib/api/lambda.js';
import { monthReportRoutes } from '../lib/api/routes/month-reports.js';
import { lambdaDeps } from '../lib/api/runtime.js';

export const routes = monthReportRoutes;
export const handler = lambdaHandler(routes, lambdaDeps);
