/** The `arrears` a unit carries in GET /v1/units/{unitId} (SPEC.md §10; docs/reports.md). */
import * as z from 'zod/mini';
import type { Ctx } from '../../billing/context.js';
import type { Invoice, Unit } from '../../billing/records.js';
import { formatFen } from '../../money.js';
import { unitArrears } from '../../reports/unit-arrears.js';
import { businessDate } from '../../time.js';

export const unitArrearsSchema = z
  .object({
    amount: z.string(),
    oldestDueDate: z.nullable(z.string()),
    daysOverdue: z.nullable(z.int()),
    invoiceNos: z.array(z.string()),
  })
  .check(
    z.meta({
      description: 'due on or before today and unpaid (deposits excluded); invoiceNos oldest due first',
    }),
  );

export function presentUnitArrears(u: Unit, open: readonly Invoice[], ctx: Pick<Ctx, 'now'>) {
  const a = unitArrears(u.unitId, open, businessDate(ctx.now()));
  return {
    amount: formatFen(a?.overdue ?? 0n),
    oldestDueDate: a?.oldestDueDate ?? null,
    daysOverdue: a ? a.daysOverdue : null,
    invoiceNos: a?.bills.map((b) => b.invoiceNo) ?? [],
  };
}
