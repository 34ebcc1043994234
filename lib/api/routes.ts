/**
 * The route table: the one list every other piece is built from (Lambda handlers, local server,
 * CDK routes, OpenAPI, authorization tests). Adding an endpoint is one entry in a routes/ file.
 */
import { Router } from './dispatch.js';
import { openApiDocument } from './openapi.js';
import type { AnyRoute } from './route.js';
import { accountingRoutes } from './routes/accounting.js';
import { arrearsRoutes } from './routes/arrears.js';
import { billingRoutes } from './routes/billing.js';
import { cashupRoutes } from './routes/cashup.js';
import { depositRefundRoutes } from './routes/deposit-refunds.js';
import { drawerCountRoutes } from './routes/drawer-counts.js';
import { ledgerRoutes } from './routes/ledger.js';
import { metaRoutes } from './routes/meta.js';
import { monthReportRoutes } from './routes/month-reports.js';
import { onboardingRoutes } from './routes/onboarding.js';
import { parkingRoutes } from './routes/parking.js';
import { paymentNotifyRoutes } from './routes/payment-notify.js';
import { paymentRoutes } from './routes/payments.js';
import { reconciliationRoutes } from './routes/reconciliations.js';
import { renewalLogRoutes } from './routes/renewal-log.js';
import { renovationRoutes } from './routes/renovation.js';
import { reprintRoutes } from './routes/reprints.js';
import { unitSearchRoutes } from './routes/units-search.js';

export const ROUTES: readonly AnyRoute[] = [
  ...metaRoutes,
  ...billingRoutes,
  ...drawerCountRoutes,
  ...parkingRoutes,
  ...renovationRoutes,
  ...reprintRoutes,
  ...depositRefundRoutes,
  ...unitSearchRoutes,
  ...renewalLogRoutes,
  ...ledgerRoutes,
  ...cashupRoutes,
  ...accountingRoutes,
  ...monthReportRoutes,
  ...onboardingRoutes,
  ...arrearsRoutes,
  ...paymentRoutes,
  ...paymentNotifyRoutes,
  ...reconciliationRoutes,
];

export const router = new Router(ROUTES);

let cached: Record<string, unknown> | undefined;
export function openApi(): Record<string, unknown> {
  cached ??= openApiDocument(ROUTES);
  return cached;
}
