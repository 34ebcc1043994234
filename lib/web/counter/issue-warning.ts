/**
 * The issue form's warning when the bill would not be for the year next due: the API bills a
 * flat's next *unbilled* period, so with an unpaid bill already open for the year due, 开票 bills
 * the year after it; and 2 or 3 years bill past the year due. The cashier reads it before pressing.
 */
import { byId } from '../shared/dom.js';
import { dayBefore } from '../shared/format.js';
import type { Unit } from '../shared/types.js';

export function issueWarning(unit: Unit | undefined, periods: string, property: boolean): string {
  if (!unit || !property) return '';
  const due = unit.paidThrough ?? unit.deliveryDate;
  const open = (unit.openInvoices ?? []).filter((inv) =>
    inv.lines.some((l) => l.type === 'PROPERTY_FEE' && l.period),
  );
  if (open.length > 0) {
    const ends = open.flatMap((inv) =>
      inv.lines.filter((l) => l.type === 'PROPERTY_FEE' && l.period).map((l) => l.period!.end),
    );
    const next = ends.sort().at(-1)!;
    return (
      `注意:${due} 起应缴的物业费已开具待缴账单(${open.map((i) => i.invoiceNo).join('、')}),` +
      `现在开具的将是 ${next} 起的年度,不是应缴的年度。请先在待缴账单中收款。`
    );
  }
  if (periods && Number(periods) > 1)
    return `注意:将一次开具 ${periods} 个年度(${due} 起),超过应缴的一个年度(至 ${dayBefore(addYear(due))})。`;
  return '';
}

function addYear(date: string): string {
  return `${Number(date.slice(0, 4)) + 1}${date.slice(4)}`;
}

/** Shows or hides the warning under the issue form for the flat's current choices. */
export function showIssueWarning(unit: Unit | undefined): void {
  const text = issueWarning(
    unit,
    byId<HTMLSelectElement>('periods').value,
    byId<HTMLInputElement>('issue-property').checked,
  );
  byId('issue-warning').textContent = text;
  byId('issue-warning').hidden = !text;
}
