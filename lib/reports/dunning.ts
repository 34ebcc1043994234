/**
 * 催缴通知单 (SPEC.md §10): per unit, the overdue bills with their periods (last covered day
 * inclusive, as people read them), the total in figures and in 大写, how to pay, and the date.
 * Built from a unit's arrears (./arrears.ts), so a notice printed from the report and one printed
 * at the counter list the same bills. docs/reports.md records the wording decisions.
 */
import { feeName } from '../fee-types/catalog.js';
import { chineseUppercase, formatFen } from '../money.js';
import { addDays, type BizDate } from '../time.js';
import type { UnitArrears } from './arrears.js';
import type { ArrearsUnitLabel } from './arrears-query.js';

/**
 * How to pay. SPEC.md §5 says the office serves Monday to Sunday; it names no hours, so these are
 * our default (docs/reports.md), the same on every notice.
 */
export const HOW_TO_PAY = [
  '物业服务中心收费柜台：周一至周日 08:30-17:30，可用现金、支票、银行转账缴费',
  '小区自助缴费机：全天可用，微信或支付宝扫码缴费',
] as const;

export interface DunningBill {
  invoiceNo: string;
  feeCode: string;
  feeName: string;
  periodStart?: BizDate;
  /** The last covered day (inclusive). */
  periodLastDay?: BizDate;
  dueDate: BizDate;
  daysOverdue: number;
  amount: string;
}

export interface DunningNotice {
  estateId: string;
  estateName: string;
  unitId: string;
  building: string;
  entrance?: string;
  room: string;
  owner?: string;
  asOf: BizDate;
  bills: DunningBill[];
  total: string;
  totalInWords: string;
  howToPay: string[];
}

export function dunningNotice(
  estate: { estateId: string; name: string },
  label: Pick<ArrearsUnitLabel, 'building' | 'entrance' | 'room' | 'owner'>,
  arrears: UnitArrears,
  asOf: BizDate,
): DunningNotice {
  const bills: DunningBill[] = arrears.bills.flatMap((b) =>
    b.lines.map((l) => ({
      invoiceNo: b.invoiceNo,
      feeCode: l.feeCode,
      feeName: feeName(l.feeCode),
      ...(l.periodStart ? { periodStart: l.periodStart } : {}),
      ...(l.periodEnd ? { periodLastDay: addDays(l.periodEnd, -1) } : {}),
      dueDate: b.dueDate,
      daysOverdue: b.daysOverdue,
      amount: formatFen(l.amount),
    })),
  );
  return {
    estateId: estate.estateId,
    estateName: estate.name,
    unitId: arrears.unitId,
    building: label.building,
    ...(label.entrance ? { entrance: label.entrance } : {}),
    room: label.room,
    ...(label.owner ? { owner: label.owner } : {}),
    asOf,
    bills,
    total: formatFen(arrears.overdue),
    totalInWords: chineseUppercase(arrears.overdue),
    howToPay: [...HOW_TO_PAY],
  };
}
