/** What the route files share: role lists, the page shape and loading a record within the caller's scope. */
import * as z from 'zod/mini';
import { loadInScope } from '../auth.js';
import { once } from '../route.js';
import * as s from '../schemas.js';

export const STAFF = ['admin', 'cashier', 'accountant'] as const;
export const ANY_ROLE = ['admin', 'cashier', 'accountant', 'owner', 'kiosk', 'gate'] as const;

export const estateParams = once(() => z.strictObject({ estateId: s.estateId() }));

export const page = <T extends z.ZodMiniType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.optional(z.string()) });

export { loadInScope };
