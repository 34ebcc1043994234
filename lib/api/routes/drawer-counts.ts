/** 交班: the cashier's drawer count against the day's cash-up (lib/reports/drawer-counts.ts). */
import * as z from 'zod/mini';
import type { Actor, Ctx } from '../../billing/context.js';
import { getEstate } from '../../billing/estates.js';
import { formatFen, parseMoney } from '../../money.js';
import type { DrawerCount } from '../../reports/cashup.js';
import { recordDrawerCount } from '../../reports/drawer-counts.js';
import { requireEstate } from '../auth.js';
import { once, route } from '../route.js';
import * as s from '../schemas.js';

export const drawerCount = once(() =>
  z.object({
    estateId: z.string(),
    date: s.date(),
    cashier: z.string(),
    counted: s.money(),
    cashExpected: s.signedMoney(),
    difference: s.signedMoney().check(z.meta({ description: 'counted − expected: negative is short' })),
    note: z.optional(z.string()),
    at: z.string(),
  }),
);

export function presentCount(c: DrawerCount) {
  return {
    ...c,
    counted: formatFen(c.counted),
    cashExpected: formatFen(c.cashExpected),
    difference: formatFen(c.difference),
  };
}

export async function inEstate(actor: Actor, ctx: Ctx, estateId: string): Promise<void> {
  requireEstate(actor, estateId);
  await getEstate(ctx, estateId);
}

/** In the billing function: it writes. */
export const drawerCountRoutes = [
  route({
    method: 'POST',
    path: '/v1/estates/{estateId}/cashups',
    operationId: 'recordDrawerCount',
    summary:
      '交班: record the cash counted in the drawer for a day; the difference to the cash expected is kept and audited',
    group: 'billing',
    access: 'RW',
    roles: ['cashier'],
    schemas: () => ({
      params: z.strictObject({ estateId: s.estateId() }),
      body: z.strictObject({ date: s.date(), counted: s.money(), note: z.optional(s.text(200)) }),
      response: drawerCount(),
    }),
    status: 201,
    idempotent: true,
    async handler({ params, body, actor, ctx, idem }) {
      await inEstate(actor, ctx, params.estateId);
      const count = await recordDrawerCount(
        ctx,
        {
          estateId: params.estateId,
          date: body.date,
          counted: parseMoney(body.counted, 'counted'),
          ...(body.note ? { note: body.note } : {}),
        },
        idem<DrawerCount>(presentCount),
      );
      return presentCount(count);
    },
  }),
];
