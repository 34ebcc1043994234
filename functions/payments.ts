/**
 * Lambda for the 'payments' route group: payment orders, payment exceptions (and their refunds)
 * and reconciliations. It and payments-notify (and the daily run) read the merchant secrets.
 */
import { lambdaHandler } from '../lib/api/lambda.js';
import { paymentRoutes } from '../lib/api/routes/payments.js';
import { reconciliationRoutes } from '../lib/api/routes/reconciliations.js';
import { lambdaDeps } from '../lib/api/runtime.js';

export const routes = [...paymentRoutes, ...reconciliationRoutes];
export const handler = lambdaHandler(routes, lambdaDeps);
