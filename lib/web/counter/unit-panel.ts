/**
 * The open flat's facts on the desk (房屋信息): address, type, area, delivery, 物业费缴至 (the last
 * day covered), spaces with their plates, the occupant. Moved out of main.ts (issue #23).
 */
import { addressOf } from '../../address.js';
import { h } from '../shared/dom.js';
import { dayBefore, UNIT_TYPE_NAMES } from '../shared/format.js';
import type { Unit } from '../shared/types.js';

export function unitFacts(u: Unit): (HTMLElement[] | null)[] {
  const spaces = u.spaces ?? [];
  const fact = (term: string, value: string, field?: string) => [
    h('dt', {}, term),
    h('dd', field ? { 'data-field': field } : {}, value),
  ];
  return [
    fact('房屋', addressOf(u)),
    fact('类型', UNIT_TYPE_NAMES[u.unitType as keyof typeof UNIT_TYPE_NAMES] ?? u.unitType),
    fact('建筑面积', `${u.area}㎡`),
    fact('交付日期', u.deliveryDate),
    // paidThrough is the exclusive end of the paid run; people read the last day covered.
    fact('物业费缴至', u.paidThrough ? dayBefore(u.paidThrough) : '尚未缴费', 'paidThrough'),
    fact(
      '车位',
      spaces.length
        ? spaces
            .map(
              (s) =>
                `${s.spaceNo}(${s.kind === 'OWNED' ? '自有' : '使用权'}${s.plates.length ? ` ${s.plates.join('、')}` : ''})`,
            )
            .join(';')
        : '无',
    ),
    u.occupantName ? fact('物业使用人', u.occupantName) : null,
  ];
}
