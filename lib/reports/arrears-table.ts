/**
 * The arrears report as a table: the JSON row and the CSV/XLSX columns say the same thing in the
 * same words (lib/exports/table.ts). One column per fee code a unit can owe (income billed to a
 * unit), named as the registry names it, so the 合计 row also gives the totals per fee code.
 */

import type { Column } from '../exports/table.js';
import { feeCodes, feeName, feeType, isDeposit } from '../fee-types/catalog.js';
import { formatFen } from '../money.js';
import { BUCKET_KEYS, BUCKETS } from './arrears.js';
import type { LabelledArrears } from './arrears-query.js';

/** Fee codes that can be a unit's arrears: income billed on a unit's invoice (not deductions, not deposits). */
export function arrearsFeeCodes(): string[] {
  return feeCodes().filter(
    (c) =>
      !isDeposit(c) &&
      c !== 'DEPOSIT_DEDUCTION' &&
      ((feeType(c)?.needs ?? []) as readonly string[]).includes('unit'),
  );
}

export function ARREARS_COLUMNS(): Column<LabelledArrears>[] {
  return [
    { key: 'unitId', zh: '房屋编号', kind: 'text', value: (r) => r.unitId },
    { key: 'building', zh: '楼栋', kind: 'text', value: (r) => r.label?.building },
    { key: 'entrance', zh: '单元', kind: 'text', value: (r) => r.label?.entrance },
    { key: 'room', zh: '房号', kind: 'text', value: (r) => r.label?.room },
    { key: 'owner', zh: '业主', kind: 'text', value: (r) => r.label?.owner },
    { key: 'phone', zh: '电话', kind: 'text', value: (r) => r.label?.phone },
    { key: 'overdue', zh: '欠费金额', kind: 'money', value: (r) => r.overdue, total: true },
    { key: 'oldestDueDate', zh: '最早到期日', kind: 'date', value: (r) => r.oldestDueDate },
    { key: 'daysOverdue', zh: '逾期天数', kind: 'int', value: (r) => r.daysOverdue },
    ...BUCKETS.map(
      (b): Column<LabelledArrears> => ({
        key: b.key,
        zh: b.zh,
        kind: 'money',
        value: (r) => r.buckets[b.key],
        total: true,
      }),
    ),
    ...arrearsFeeCodes().map(
      (c): Column<LabelledArrears> => ({
        key: c,
        zh: feeName(c),
        kind: 'money',
        value: (r) => r.byFeeCode.get(c) ?? 0n,
        total: true,
      }),
    ),
    { key: 'notYetDue', zh: '未到期应收', kind: 'money', value: (r) => r.notYetDue, total: true },
  ];
}

export function presentArrearsRow(r: LabelledArrears) {
  return {
    unitId: r.unitId,
    ...(r.label
      ? {
          building: r.label.building,
          ...(r.label.entrance ? { entrance: r.label.entrance } : {}),
          room: r.label.room,
          ...(r.label.owner ? { owner: r.label.owner } : {}),
          ...(r.label.phone ? { phone: r.label.phone } : {}),
        }
      : {}),
    overdue: formatFen(r.overdue),
    oldestDueDate: r.oldestDueDate,
    daysOverdue: r.daysOverdue,
    buckets: Object.fromEntries(BUCKET_KEYS.map((k) => [k, formatFen(r.buckets[k])])),
    byFeeCode: [...r.byFeeCode].map(([feeCode, amount]) => ({ feeCode, amount: formatFen(amount) })),
    notYetDue: formatFen(r.notYetDue),
  };
}
