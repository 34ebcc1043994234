/**
 * The billing core's routes, in their published order: estates and tariffs (routes/estates.ts),
 * units and spaces (routes/units.ts), invoices, payments and receipts (routes/invoices.ts).
 */
import { estateRoutes } from './estates.js';
import { invoiceRoutes } from './invoices.js';
import { unitRoutes } from './units.js';

export const billingRoutes = [...estateRoutes, ...unitRoutes, ...invoiceRoutes];
