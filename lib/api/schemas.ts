/**
 * Shared zod pieces. Money, areas and dates are strings with patterns here (so that the OpenAPI
 * document says so); the domain parsers then apply the full rules and name the field.
 */
import * as z from 'zod/mini';
import type { UnitInvoiceItem } from '../billing/invoices.js';
import { MAX_PERIODS } from '../billing/invoices.js';
import { RECEIPT_STATES } from '../billing/printed.js';
import {
  CHANNEL_TYPES,
  CHANNELS,
  FEE_CODES,
  FEE_TYPES,
  type FeeCode,
  type FeeTypeInfo,
  type ItemField,
  type ItemFields,
} from '../fee-types/catalog.js';
import { MAX_CARDS, MAX_MONTHS, MAX_SPACES } from '../fees/calculators.js';
import type { QuoteItem } from '../fees/quote.js';
import { RENTAL_KINDS, UNIT_TYPES } from '../tariffs/catalog.js';
import { parseBizDate, parseInstant } from '../time.js';
import { once } from './route.js';

export const money = once(() =>
  z
    .string()
    .check(
      z.regex(
        /^(0|[1-9]\d{0,12})(\.\d{1,2})?$/,
        'must be an amount like "1934.50" (a string, at most two decimals)',
      ),
      z.meta({ description: 'CNY amount as a decimal string', examples: ['1934.50'] }),
    ),
);
export const signedMoney = once(() =>
  z
    .string()
    .check(
      z.regex(/^-?\d+\.\d{2}$/),
      z.meta({ description: 'CNY amount, two decimals; negative only on reversals', examples: ['-1934.50'] }),
    ),
);
export const area = once(() =>
  z
    .string()
    .check(
      z.regex(
        /^(0|[1-9]\d{0,5})(\.\d{1,2})?$/,
        'must be an area like "89.56" (a string, at most two decimals)',
      ),
      z.meta({ description: 'building area in m²', examples: ['89.56'] }),
    ),
);
export const rate = once(() =>
  z
    .string()
    .check(z.regex(/^(0|[1-9]\d{0,11})(\.\d{1,4})?$/, 'must be a rate like "1.8" (at most four decimals)')),
);
// A pattern lets 2025-02-30 through; the domain parser would refuse it, but only after a money-moving
// route has taken its Idempotency-Key. Checking the calendar here refuses it before anything is written.
const parses = (parse: (value: unknown, field: string) => unknown) => (value: string) => {
  try {
    parse(value, 'value');
    return true;
  } catch {
    return false;
  }
};
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
export const date = once(() =>
  z.string().check(
    z.regex(DATE_RE, 'must be a date YYYY-MM-DD'),
    z.refine((v) => !DATE_RE.test(v) || parses(parseBizDate)(v), 'is not a real calendar date'),
    z.meta({ description: 'business date in Asia/Shanghai', examples: ['2025-03-01'] }),
  ),
);
export const instant = once(() =>
  z.string().check(
    z.regex(INSTANT_RE, 'must be an ISO 8601 time with an offset'),
    z.refine((v) => !INSTANT_RE.test(v) || parses(parseInstant)(v), 'is not a real time'),
    z.meta({ examples: ['2025-03-01T08:00:00+08:00'] }),
  ),
);
export const estateId = once(() =>
  z.string().check(z.regex(/^[A-Z0-9]{2,12}$/, 'must be 2-12 upper-case letters or digits')),
);
export const docId = once(() =>
  z.string().check(z.regex(/^[A-Za-z0-9-]{1,64}$/, 'must be a document number')),
);
export const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));
export const unitType = once(() => z.enum(UNIT_TYPES));
export const rentalKind = once(() => z.enum(RENTAL_KINDS));
/** "CODE 中文 (English)" per entry: the OpenAPI document shows the registry's names beside its codes. */
const glossary = (entries: [string, { zh: string; en: string }][]) =>
  entries.map(([code, n]) => `${code} ${n.zh} (${n.en})`).join('; ');
export const channel = once(() =>
  z.enum(CHANNELS).check(z.meta({ description: glossary(CHANNELS.map((c) => [c, CHANNEL_TYPES[c]])) })),
);
export const feeCode = once(() =>
  z.enum(FEE_CODES).check(z.meta({ description: glossary(FEE_CODES.map((c) => [c, FEE_TYPES[c]])) })),
);
export const count = (max: number) => z.int().check(z.gte(1), z.lte(max));

export const limit = once(() => z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(1000)), 100));
/**
 * A list cursor is the store's last key, base64url JSON (lib/store/db.ts `cursor`). The store checks
 * that it belongs to the same list; this checks that it is a key DynamoDB will accept at all: the
 * table's key attributes only (PK, SK and at most one index pair, complete), non-empty strings within
 * DynamoDB's key sizes. A forged start key with a missing or extra attribute is otherwise a
 * ValidationException from DynamoDB, i.e. a 500 for bad input.
 */
function isStoreKey(value: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    return false;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return false;
  const entries = Object.entries(parsed);
  const fits = ([name, v]: [string, unknown]) =>
    typeof v === 'string' && v !== '' && Buffer.byteLength(v) <= (name.endsWith('PK') ? 2048 : 1024);
  const names = entries
    .map(([name]) => name)
    .sort()
    .join(',');
  return (
    entries.every(fits) &&
    ['PK,SK', 'GSI1PK,GSI1SK,PK,SK', 'GSI2PK,GSI2SK,PK,SK', 'GSI3PK,GSI3SK,PK,SK'].includes(names)
  );
}
export const cursor = once(() =>
  z.optional(
    z.string().check(z.maxLength(2048), z.refine(isStoreKey, 'cursor is not one this list returned')),
  ),
);

// Quote and unit-invoice items come from the fee-type registry: each entry names its fields, and a
// field is validated the same way whichever fee type carries it.
const ITEM_FIELDS = once(
  (): Record<ItemField, z.ZodMiniType> => ({
    unitType: unitType(),
    rentalKind: rentalKind(),
    area: area(),
    months: count(MAX_MONTHS),
    spaces: count(MAX_SPACES),
    cards: count(MAX_CARDS),
    periods: count(MAX_PERIODS),
    entryAt: instant(),
    exitAt: instant(),
  }),
);

function itemSchema(code: FeeCode, fields: ItemFields) {
  const shape: Record<string, z.ZodMiniType> = { type: z.literal(code) };
  for (const [name, presence] of Object.entries(fields) as [ItemField, 'required' | 'optional'][]) {
    shape[name] = presence === 'optional' ? z.optional(ITEM_FIELDS()[name]) : ITEM_FIELDS()[name];
  }
  const info = FEE_TYPES[code as FeeCode];
  return z.strictObject(shape).check(z.meta({ description: `${info.zh} (${info.en})` }));
}

function itemUnion<T>(which: 'quoteItem' | 'invoiceItem') {
  const options = FEE_CODES.flatMap((code) => {
    const fields: ItemFields | undefined = (FEE_TYPES[code] as FeeTypeInfo)[which];
    return fields ? [itemSchema(code, fields)] : [];
  });
  // The registry's types say what these options parse to (QuoteItem, UnitInvoiceItem).
  return z.discriminatedUnion(
    'type',
    options as [(typeof options)[number], ...typeof options],
  ) as unknown as z.ZodMiniType<T>;
}

export const quoteItem = once(() => itemUnion<QuoteItem>('quoteItem'));
export const unitInvoiceItem = once(() => itemUnion<UnitInvoiceItem>('invoiceItem'));

export const errorBody = once(() =>
  z.object({
    error: z.object({ code: z.string(), message: z.string(), details: z.array(z.unknown()) }),
  }),
);

/**
 * A billing period as JSON: half-open `[start, end)` as stored, and `lastDay`, the inclusive last
 * day that pages and printed documents show (`start 至 lastDay`), so that no client has to know
 * which of the two `end` is.
 */
export const period = once(() =>
  z.object({
    start: date(),
    end: date(),
    // Output only, described once in docs/api.md: the document stays small (the meta bundle serves it).
    lastDay: z.string(),
  }),
);

export const line = once(() =>
  z.object({
    type: z.string(),
    description: z.string(),
    quantity: z.string(),
    unit: z.string(),
    unitPrice: z.string(),
    months: z.nullable(z.int()),
    amount: signedMoney(),
    tariffVersion: z.string(),
    period: z.optional(period()),
    trace: z.record(z.string(), z.unknown()),
  }),
);

/** What a reprint prints besides the ids (SPEC.md §5); present on reprints and new receipts. */
const printedNames = once(() => ({
  estateName: z.optional(z.string()),
  building: z.optional(z.string()),
  entrance: z.optional(z.string().check(z.meta({ description: '单元, when the unit has one (SPEC.md §8)' }))),
  room: z.optional(z.string()),
}));
/** Who wrote the document as printed: the `name` claim recorded at the time, else the sub (docs/api.md). */
const byName = once(() => z.string());

export const invoice = once(() =>
  z.object({
    invoiceId: z.string(),
    invoiceNo: z.string(),
    estateId: z.string(),
    ...printedNames(),
    unitId: z.optional(z.string()),
    plate: z.optional(z.string()),
    rentalKind: z.optional(rentalKind()),
    status: z.enum(['OPEN', 'PAID', 'VOID', 'CREDITED']),
    currency: z.literal('CNY'),
    issuedAt: z.string(),
    issuedBy: z.string(),
    issuedByName: byName(),
    dueDate: date(),
    lines: z.array(line()),
    total: signedMoney(),
    totalInWords: z.string(),
    receiptNo: z.optional(z.string()),
    paidAt: z.optional(z.string()),
    voidedAt: z.optional(z.string()),
    voidReason: z.optional(z.string()),
    creditNoteNo: z.optional(z.string()),
  }),
);

const docLine = once(() =>
  z.object({
    type: z.string(),
    description: z.string(),
    amount: signedMoney(),
    period: z.optional(period()),
  }),
);

export const receipt = once(() =>
  z.object({
    receiptNo: z.string(),
    estateId: z.string(),
    ...printedNames(),
    invoiceNo: z.optional(z.string()),
    sessionId: z.optional(z.string()),
    unitId: z.optional(z.string()),
    plate: z.optional(z.string()),
    channel: channel(),
    currency: z.literal('CNY'),
    amount: signedMoney(),
    amountInWords: z.string(),
    tendered: z.optional(signedMoney()),
    change: z.optional(signedMoney()),
    reference: z.optional(z.string()),
    cashier: z.string().check(z.meta({ description: 'the sub of the token that took the payment' })),
    cashierName: z.string().check(
      z.meta({
        description:
          "who took the money as printed: the cashier's display name (`name` claim at the time, else the sub); for kiosk channels 自助终端 and the terminal id",
      }),
    ),
    terminalId: z.optional(
      z.string().check(
        z.meta({
          description: 'kiosk channels: the terminal, from the reference `{terminalId}-{attempt}`',
        }),
      ),
    ),
    paidAt: z.string(),
    businessDate: date(),
    lines: z.array(docLine()),
    state: z
      .enum(RECEIPT_STATES)
      .check(
        z.meta({ description: 'VALID, or REVERSED once its invoice was reversed by a credit note (红冲)' }),
      ),
    stateName: z.string().check(z.meta({ description: '有效 or 已冲红, as printed' })),
    creditNoteNo: z.optional(
      z.string().check(z.meta({ description: 'REVERSED: the credit note that reversed the invoice' })),
    ),
  }),
);

export const creditNote = once(() =>
  z.object({
    creditNoteNo: z.string(),
    estateId: z.string(),
    ...printedNames(),
    invoiceNo: z.string(),
    receiptNo: z.optional(z.string()),
    unitId: z.optional(z.string()),
    plate: z.optional(z.string()),
    reason: z.string(),
    issuedAt: z.string(),
    issuedBy: z.string(),
    issuedByName: byName(),
    currency: z.literal('CNY'),
    total: signedMoney(),
    totalInWords: z.string(),
    lines: z.array(docLine()),
  }),
);

export const quoteResponse = once(() =>
  z.object({
    currency: z.literal('CNY'),
    total: signedMoney(),
    tariffVersion: z.string(),
    lines: z.array(line()),
  }),
);
