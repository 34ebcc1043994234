/**
 * Lambda for the providers' notifications (group 'payments-notify'): the only public POST routes.
 * Its role reads the merchant secrets and writes what settling a payment writes, nothing else
 * (infra/constructs/payment-access.ts, docs/payments.md).
 */
import { lambdaHandler } from '../lib/api/lambda.js';
import { paymentNotifyRoutes } from '../lib/api/routes/payment-notify.js';
import { lambdaDeps } from '../lib/api/runtime.js';

export const routes = paymentNotifyRoutes;
export const handler = lambdaHandler(routes, lambdaDeps);
