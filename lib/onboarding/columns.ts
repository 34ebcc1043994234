/**
 * The roster layout (SPEC.md §8): one row per unit, Chinese or English headers in any order. The
 * import reads it and the roster export writes it, from this one list, so export → import is a
 * round trip.
 */
import { feeName } from '../fee-types/catalog.js';

export const ROSTER_FIELDS = [
  'building',
  'entrance',
  'room',
  'unitType',
  'area',
  'deliveryDate',
  'paidThrough',
  'openingArrears',
  'ownerName',
  'phone',
  'spaceNos',
  'spaceKind',
  'spacePaidThrough',
  'plates',
] as const;
export type RosterField = (typeof ROSTER_FIELDS)[number];

export const REQUIRED_FIELDS: readonly RosterField[] = [
  'building',
  'room',
  'unitType',
  'area',
  'deliveryDate',
];

/** The Chinese header of each field (the English header is the field name). */
export const ROSTER_ZH: Record<RosterField, string> = {
  building: '楼栋',
  entrance: '单元',
  room: '房号',
  unitType: '类型',
  area: '建筑面积',
  deliveryDate: '交付日期',
  paidThrough: '已缴至',
  openingArrears: feeName('OPENING_ARREARS'),
  ownerName: '业主',
  phone: '电话',
  spaceNos: '车位',
  spaceKind: '车位类型',
  spacePaidThrough: '车位已缴至',
  plates: '车牌',
};

/** Spellings offices use besides the two official headers (compared after normalising). */
const ALIASES: Partial<Record<RosterField, readonly string[]>> = {
  building: ['楼号', '栋号', '楼栋号'],
  room: ['房间号', '室号'],
  unitType: ['房屋类型', '物业类型'],
  area: ['面积'],
  ownerName: ['业主姓名', '姓名'],
  phone: ['联系电话', '手机', '手机号'],
  plates: ['车牌号'],
  spaceNos: ['车位号'],
};

/**
 * Header text as compared: no BOM or spaces, case-folded, units in brackets dropped
 * ("建筑面积(㎡)", "Area (m²)").
 */
export function normaliseHeader(text: string): string {
  return text
    .replace(/^\uFEFF/, '')
    .replace(/[(（][^)）]*[)）]/g, '')
    .replace(/[\s_\-*]/g, '')
    .toLowerCase();
}

const BY_HEADER = new Map<string, RosterField>();
for (const f of ROSTER_FIELDS) {
  BY_HEADER.set(normaliseHeader(f), f);
  BY_HEADER.set(normaliseHeader(ROSTER_ZH[f]), f);
  for (const a of ALIASES[f] ?? []) BY_HEADER.set(normaliseHeader(a), f);
}

export function fieldOfHeader(text: string): RosterField | undefined {
  return BY_HEADER.get(normaliseHeader(text));
}
