/**
 * Lambda for the 'payments' route group: payment orders, the providers' notifications and payment
 * exceptions. The only function that holds the providers' credentials (docs/payments.md).
 */
import { lambdaHandler } from '../lib/api/lambda.js';
import { paymentRoutes } from '../lib/api/routes/payments.js';
import { reconciliationRoutes } from '../lib/api/routes/reconciliations.js';
import { lambdaDeps } from '../lib/api/runtime.js';

export const routes = [...paymentRoutes, ...reconciliationRoutes];
export const handler = lambdaHandler(routes, lambdaDeps);
