/**
 * The fee-type and channel registry (SPEC.md §6, §10): one entry per fee code and per payment
 * channel, with the words people read. The pages, the CSV, the reports, the API schemas and the
 * OpenAPI document all take codes and names from here, so a cashier's screen, a receipt and an
 * accountant's export never call one thing by two names.
 *
 * Pure data without imports that run: the browser pages bundle this file. How each fee type is
 * priced (its calculator) is wired in ./pricing.ts, which needs decimal.js. docs/fee-types.md says
 * how to add a fee type.
 */
import type { RentalKind, UnitType } from '../tariffs/catalog.js';

/** Chart-of-accounts defaults that follow the common Chinese chart (金蝶 / 用友 users know them). */
export const ACCOUNTS = {
  '1001': { zh: '库存现金', en: 'Cash on hand' },
  '1002': { zh: '银行存款', en: 'Bank deposits' },
  '1122': { zh: '应收账款', en: 'Accounts receivable' },
  '2241': { zh: '其他应付款', en: 'Other payables' },
  '6001': { zh: '主营业务收入', en: 'Main operating revenue' },
} as const;
export type AccountCode = keyof typeof ACCOUNTS;

/**
 * Default VAT categories (SPEC.md §10); the estate's settings may override the rates. Rates are
 * decimal strings, like every other rate. Renovation waste removal and card fees are services
 * billed by the property office, so they share the service-fee rate (our reading; SPEC is silent).
 */
export const VAT_CATEGORIES = {
  SERVICE: { rate: '0.06', zh: '物业服务 6%', en: 'Property services 6%' },
  PARKING: { rate: '0.09', zh: '车位租赁及停车 9%', en: 'Parking and space rental 9%' },
  OUTSIDE_VAT: { rate: null, zh: '不征增值税', en: 'Outside VAT' },
} as const;
export type VatCategory = keyof typeof VAT_CATEGORIES;

/** What a line of the fee type is billed against. */
export type Need = 'unit' | 'space' | 'renovationCase' | 'plate';

/**
 * The fields a quote or invoice item of a fee type carries besides `type`. The API schemas
 * (lib/api/schemas.ts) give each field its validation; the types below give it its TypeScript type.
 */
export interface ItemFieldTypes {
  unitType: UnitType;
  rentalKind: RentalKind;
  /** m², a decimal string. */
  area: string;
  months: number;
  spaces: number;
  cards: number;
  /** Annual periods on a unit invoice. */
  periods: number;
  entryAt: string;
  exitAt: string;
}
export type ItemField = keyof ItemFieldTypes;
export type ItemFields = { readonly [F in ItemField]?: 'required' | 'optional' };

/**
 * How a fee type's figure appears in every tariff version (SPEC.md §3), with the contract
 * standard's value (source 000, lines 11-87) that each estate starts from. `unit` is what the price
 * board prints after the figure.
 */
export type TariffFigure =
  /** A positive rate in 元, with at most four decimals. */
  | { readonly kind: 'rate'; readonly unit: string; readonly seed: string }
  /** A money amount that may be zero (deposits an estate may not charge). */
  | { readonly kind: 'money'; readonly unit: string; readonly seed: string }
  /** A positive rate per unit type or rental kind: one key per kind, every key required. */
  | { readonly kind: 'rateBy'; readonly unit: string; readonly seed: Readonly<Record<string, string>> };

export interface FeeTypeInfo {
  zh: string;
  en: string;
  /**
   * Income; a liability the estate holds and pays back (deposits: 保证金, 押金); or a receivable
   * brought in from the old books (期初欠费), whose income was recognised there: collecting it
   * clears the receivable and is no revenue of this period.
   */
  nature: 'income' | 'liability' | 'receivable';
  /** Default ledger account of the line's amount. */
  account: AccountCode;
  vat: VatCategory;
  needs: readonly Need[];
  /** Its figure in a tariff version; absent when it has none (temporary parking is priced by bands). */
  tariff?: TariffFigure;
  /** Fields of a `POST /v1/quotes` item; absent: not quoted on its own. */
  quoteItem?: ItemFields;
  /** Fields of a unit-invoice item (POST /v1/invoices, a renovation case); absent: not on a unit invoice. */
  invoiceItem?: ItemFields;
  /**
   * Whether `POST /v1/invoices` may bill it. A renovation deposit or card fee billed outside a
   * renovation case is a liability nothing refunds, so only the case bills those.
   */
  invoiceRoute: boolean;
}

export const FEE_TYPES = {
  PROPERTY_FEE: {
    zh: '物业服务费',
    en: 'Property service fee',
    nature: 'income',
    account: '6001',
    vat: 'SERVICE',
    needs: ['unit'],
    tariff: {
      kind: 'rateBy',
      unit: '元/㎡/月',
      seed: {
        HIGH_RISE: '1.8',
        GARDEN_HOUSE: '1.8',
        SEMI_DETACHED: '2.5',
        COMMERCIAL: '3.0',
        APARTMENT: '2.2',
      },
    },
    quoteItem: { unitType: 'required', area: 'required', months: 'required' },
    invoiceItem: { periods: 'optional' },
    invoiceRoute: true,
  },
  PARKING_SPACE_FEE: {
    zh: '车位物业服务费',
    en: 'Parking space service fee',
    nature: 'income',
    account: '6001',
    vat: 'SERVICE',
    needs: ['unit', 'space'],
    tariff: { kind: 'rate', unit: '元/个/月', seed: '30' },
    quoteItem: { spaces: 'required', months: 'required' },
    invoiceItem: { spaces: 'optional', periods: 'optional' },
    invoiceRoute: true,
  },
  PARKING_RENTAL: {
    // The contract's word (车位租用, source 000); billed by POST /v1/parking/rentals.
    zh: '车位租用费',
    en: 'Parking space rental',
    nature: 'income',
    account: '6001',
    vat: 'PARKING',
    needs: ['plate'],
    tariff: { kind: 'rateBy', unit: '元/辆/月', seed: { SHARED: '200', SMART_UNDERGROUND: '300' } },
    quoteItem: { rentalKind: 'required', months: 'required' },
    invoiceRoute: false,
  },
  TEMP_PARKING: {
    zh: '临时停车费',
    en: 'Temporary parking',
    nature: 'income',
    account: '6001',
    vat: 'PARKING',
    needs: ['plate'],
    quoteItem: { entryAt: 'required', exitAt: 'required' },
    invoiceRoute: false,
  },
  RENOVATION_WASTE: {
    zh: '装修垃圾清运费',
    en: 'Renovation waste removal',
    nature: 'income',
    account: '6001',
    vat: 'SERVICE',
    needs: ['unit'],
    tariff: { kind: 'rate', unit: '元/㎡', seed: '5' },
    quoteItem: { area: 'required' },
    invoiceItem: {},
    invoiceRoute: true,
  },
  RENOVATION_DEPOSIT: {
    zh: '装修管理保证金',
    en: 'Renovation management deposit',
    nature: 'liability',
    account: '2241',
    vat: 'OUTSIDE_VAT',
    needs: ['unit', 'renovationCase'],
    tariff: { kind: 'money', unit: '元/户', seed: '1000.00' },
    quoteItem: {},
    invoiceItem: {},
    invoiceRoute: false,
  },
  RENOVATION_CARDS: {
    zh: '装修许可证及出入证工本费',
    en: 'Renovation permit and pass cards',
    nature: 'income',
    account: '6001',
    vat: 'SERVICE',
    needs: ['unit', 'renovationCase'],
    tariff: { kind: 'rate', unit: '元/张', seed: '10' },
    quoteItem: { cards: 'required' },
    invoiceItem: { cards: 'required' },
    invoiceRoute: false,
  },
  CARD_DEPOSIT: {
    // Billed with RENOVATION_CARDS when the estate sets a pass deposit; never an item of its own.
    zh: '出入证押金',
    en: 'Pass card deposit',
    nature: 'liability',
    account: '2241',
    vat: 'OUTSIDE_VAT',
    needs: ['unit', 'renovationCase'],
    // The source names a pass deposit without an amount: an estate sets it.
    tariff: { kind: 'money', unit: '元/张', seed: '0.00' },
    invoiceRoute: false,
  },
  DEPOSIT_DEDUCTION: {
    // What a failed re-inspection keeps of a renovation deposit (SPEC.md §4.3, §6): income on the
    // re-inspection's date. Never billed: the ledger's DEPOSIT_DEDUCTED rows are reported under it.
    zh: '装修保证金扣款',
    en: 'Renovation deposit deduction',
    nature: 'income',
    account: '6001',
    // Compensation for repairs the office carries out: the service rate (our reading; SPEC is silent).
    vat: 'SERVICE',
    needs: ['unit', 'renovationCase'],
    invoiceRoute: false,
  },
  OPENING_ARREARS: {
    // 期初欠费 (SPEC.md §8): a receivable brought in from the office's old books when an estate is
    // onboarded. Its income was recognised before; it is priced by no tariff and billed only by the
    // roster import, never by a cashier.
    zh: '期初欠费',
    en: 'Opening arrears',
    nature: 'receivable',
    account: '1122',
    vat: 'OUTSIDE_VAT',
    needs: ['unit'],
    invoiceRoute: false,
  },
} as const satisfies Record<string, FeeTypeInfo>;

export type FeeCode = keyof typeof FEE_TYPES;
/** The built-in fee codes, in the order reports list them. */
export const FEE_CODES = Object.keys(FEE_TYPES) as FeeCode[];

type CodesWith<K extends 'quoteItem' | 'invoiceItem'> = {
  [C in FeeCode]: (typeof FEE_TYPES)[C] extends { readonly [P in K]: ItemFields } ? C : never;
}[FeeCode];
export type QuotableCode = CodesWith<'quoteItem'>;
export type InvoiceableCode = CodesWith<'invoiceItem'>;

type FieldsOf<F> = {
  -readonly [K in keyof F as F[K] extends 'required' ? K : never]: ItemFieldTypes[K & ItemField];
} & {
  -readonly [K in keyof F as F[K] extends 'optional' ? K : never]?: ItemFieldTypes[K & ItemField];
};
type Flat<T> = { [K in keyof T]: T[K] };
/** The quote item of one fee code, e.g. `{ type: 'RENOVATION_CARDS'; cards: number }`. */
export type QuoteItemOf<C extends QuotableCode> = Flat<
  { type: C } & FieldsOf<(typeof FEE_TYPES)[C]['quoteItem']>
>;
export type InvoiceItemOf<C extends InvoiceableCode> = Flat<
  { type: C } & FieldsOf<(typeof FEE_TYPES)[C]['invoiceItem']>
>;

// ---- channels ----------------------------------------------------------------------------------

export interface ChannelInfo {
  zh: string;
  en: string;
  /** Taken by a cashier at the counter, or by a kiosk (confirmed by the terminal or the provider). */
  place: 'counter' | 'kiosk';
  /** Its word on a button or in a list at its place: a kiosk's button leaves out 自助机. */
  button: string;
  /** Default account the money lands in. */
  account: AccountCode;
}

export const CHANNEL_TYPES = {
  CASH: { zh: '现金', en: 'Cash', place: 'counter', button: '现金', account: '1001' },
  CHEQUE: { zh: '支票', en: 'Cheque', place: 'counter', button: '支票', account: '1002' },
  // 银行转账, not 转账: owners also "transfer" by WeChat, which is a different channel.
  TRANSFER: { zh: '银行转账', en: 'Bank transfer', place: 'counter', button: '银行转账', account: '1002' },
  KIOSK_CARD: {
    zh: '自助机银行卡',
    en: 'Kiosk bank card',
    place: 'kiosk',
    button: '银行卡',
    account: '1002',
  },
  KIOSK_WECHAT: {
    zh: '自助机微信支付',
    en: 'Kiosk WeChat Pay',
    place: 'kiosk',
    button: '微信支付',
    account: '1002',
  },
  KIOSK_ALIPAY: { zh: '自助机支付宝', en: 'Kiosk Alipay', place: 'kiosk', button: '支付宝', account: '1002' },
} as const satisfies Record<string, ChannelInfo>;

export type Channel = keyof typeof CHANNEL_TYPES;
export const CHANNELS = Object.keys(CHANNEL_TYPES) as Channel[];
type ChannelAt<P extends ChannelInfo['place']> = {
  [C in Channel]: (typeof CHANNEL_TYPES)[C]['place'] extends P ? C : never;
}[Channel];
export type CounterChannel = ChannelAt<'counter'>;
export type KioskChannel = ChannelAt<'kiosk'>;
export const COUNTER_CHANNELS = CHANNELS.filter(
  (c) => CHANNEL_TYPES[c].place === 'counter',
) as CounterChannel[];
export const KIOSK_CHANNELS = CHANNELS.filter((c) => CHANNEL_TYPES[c].place === 'kiosk') as KioskChannel[];

// ---- lookups -----------------------------------------------------------------------------------

/**
 * Fee types added at run time (./pricing.ts `withFeeTypes`, for tests that prove the recipe).
 * Product fee types are entries of FEE_TYPES above.
 */
const added = new Map<string, FeeTypeInfo>();

export function addFeeType(code: string, info: FeeTypeInfo): () => void {
  if (Object.hasOwn(FEE_TYPES, code) || added.has(code)) throw new Error(`fee code ${code} already exists`);
  added.set(code, info);
  return () => {
    added.delete(code);
  };
}

/** Every fee code, built-in ones first, in the order reports list them. */
export function feeCodes(): readonly string[] {
  return added.size ? [...FEE_CODES, ...added.keys()] : FEE_CODES;
}

export function feeType(code: string): FeeTypeInfo | undefined {
  return Object.hasOwn(FEE_TYPES, code) ? FEE_TYPES[code as FeeCode] : added.get(code);
}

export const isDeposit = (code: string): boolean => feeType(code)?.nature === 'liability';
/** Collected against a receivable of the old books (期初欠费): money received, not revenue earned. */
export const isOpeningReceivable = (code: string): boolean => feeType(code)?.nature === 'receivable';

export type Lang = 'zh' | 'en';

/** The name people read; an unknown code (a record older than the catalog) shows as itself. */
export function feeName(code: string, lang: Lang = 'zh'): string {
  return feeType(code)?.[lang] ?? code;
}

export function channelName(code: string, lang: Lang = 'zh'): string {
  return Object.hasOwn(CHANNEL_TYPES, code) ? CHANNEL_TYPES[code as Channel][lang] : code;
}
