/**
 * Tariff versions (SPEC.md §3). A version is data: rates per fee code, temporary-parking bands, its
 * effective date, the owners' assembly approval and the date owners were told. Calculators receive a
 * version as an input; nothing reads "the current tariff" behind their back.
 */
import {
  FEE_CODES,
  type FEE_TYPES,
  type FeeCode,
  feeCodes,
  feeType,
  isDeposit,
} from '../fee-types/catalog.js';
import type { BizDate } from '../time.js';

export const UNIT_TYPES = ['HIGH_RISE', 'GARDEN_HOUSE', 'SEMI_DETACHED', 'COMMERCIAL', 'APARTMENT'] as const;
export type UnitType = (typeof UNIT_TYPES)[number];

export const UNIT_TYPE_NAMES: Record<UnitType, string> = {
  HIGH_RISE: '高层',
  GARDEN_HOUSE: '花园洋房',
  SEMI_DETACHED: '双拼排屋',
  COMMERCIAL: '商业用房',
  APARTMENT: '公寓',
};

export const RENTAL_KINDS = ['SHARED', 'SMART_UNDERGROUND'] as const;
export type RentalKind = (typeof RENTAL_KINDS)[number];

export const RENTAL_KIND_NAMES: Record<RentalKind, string> = {
  SHARED: '公共配套(共用)车位',
  SMART_UNDERGROUND: '智能化地下室内车位',
};

/**
 * Fee codes live in the fee-type registry (lib/fee-types/catalog.ts); these re-exports keep the
 * importers that predate it (test support code) compiling.
 */
export { FEE_CODES, type FeeCode };
export const DEPOSIT_FEE_CODES: ReadonlySet<FeeCode> = new Set(FEE_CODES.filter(isDeposit));

type FigureOf<C extends FeeCode> = (typeof FEE_TYPES)[C] extends { readonly tariff: infer T } ? T : never;
type TariffCode = { [C in FeeCode]: [FigureOf<C>] extends [never] ? never : C }[FeeCode];

/**
 * Rates as decimal strings (元), exactly as approved: one figure per fee type that has one in the
 * registry (lib/fee-types/catalog.ts `tariff`), a map per unit type or rental kind where it varies.
 */
export type TariffRates = {
  [C in TariffCode]: FigureOf<C> extends { readonly seed: infer S }
    ? S extends string
      ? string
      : { -readonly [K in keyof S]: string }
    : never;
};

/** The contract standard of every fee type with a tariff figure, fee types registered at run time included. */
export function seedRates(): TariffRates {
  return Object.fromEntries(
    feeCodes().flatMap((code) => {
      const figure = feeType(code)?.tariff;
      return figure ? [[code, structuredClone(figure.seed)]] : [];
    }),
  ) as TariffRates;
}

/** A temporary-parking band: stays of at most `upToMinutes` (upper-inclusive) above the previous band cost `amount`. */
export interface TempParkingBand {
  upToMinutes: number;
  amount: string;
}

export interface TariffVersionInput {
  effectiveFrom: BizDate;
  noticeDate: BizDate;
  approvalRef: string;
  rates: TariffRates;
  tempParkingBands: TempParkingBand[];
}

export interface TariffVersion extends TariffVersionInput {
  estateId: string;
  /** `${estateId}@${effectiveFrom}`: stored on every invoice line priced with it. */
  versionId: string;
}

/** The contract standard of the source document (000_508592a4f9acdef1.txt, lines 11-87). */
export const SEED_RATES: TariffRates = seedRates();

/** "2小时内免费,2-4小时内2元/次,4-8小时内5元/次,8-24小时内10元/次", upper-inclusive. */
export const SEED_TEMP_PARKING_BANDS: TempParkingBand[] = [
  { upToMinutes: 120, amount: '0.00' },
  { upToMinutes: 240, amount: '2.00' },
  { upToMinutes: 480, amount: '5.00' },
  { upToMinutes: 1440, amount: '10.00' },
];

/**
 * Every estate starts on the purchase-contract standard ("管理费收取标准根据购房合同约定标准收取"),
 * in effect from before any delivery the service will see. Later versions need owners' approval and
 * notice; this one was agreed in each sale contract, so no notice rule applies to it.
 */
export const SEED_EFFECTIVE_FROM = '2000-01-01';

export function seedTariff(estateId: string): TariffVersion {
  return {
    estateId,
    versionId: `${estateId}@${SEED_EFFECTIVE_FROM}`,
    effectiveFrom: SEED_EFFECTIVE_FROM,
    noticeDate: SEED_EFFECTIVE_FROM,
    approvalRef: '《商品房预(销)售合同》约定标准',
    rates: seedRates(),
    tempParkingBands: structuredClone(SEED_TEMP_PARKING_BANDS),
  };
}
