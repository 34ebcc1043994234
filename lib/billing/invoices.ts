/**
 * Issuing, voiding and reading invoices (SPEC.md §4.1, §5). An issued invoice's number, lines and
 * total never change; only its status moves OPEN → PAID → CREDITED or OPEN → VOID, each under a
 * condition on the status it leaves.
 */
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import type { FeeCode, InvoiceableCode, InvoiceItemOf } from '../fee-types/catalog.js';
import { unitInvoicePricing } from '../fee-types/pricing.js';
import { parkingSpaceFee, propertyFee } from '../fees/calculators.js';
import type { FeeLine } from '../fees/line.js';
import { annualPeriod, dueDate, periodIndexOn, renewalIssueFrom } from '../fees/periods.js';
import { Dec, sumFen } from '../money.js';
import { cursor, type Db, TransactionCancelled, type TxItem } from '../store/db.js';
import { claimOwner, documentNumber, gsi1, gsi2, key, SERIES } from '../store/keys.js';
import { transactWithNumbers } from '../store/numbering.js';
import type { RentalKind, TariffVersion } from '../tariffs/catalog.js';
import { type BizDate, businessDate, businessYear, formatInstant, type Period } from '../time.js';
import { auditItem, type Ctx, ledgerItems } from './context.js';
import { listTariffs, tariffOn } from './estates.js';
import type { IdempotencyHandle, StoredResponse } from './idempotency.js';
import { type Invoice, type InvoiceStatus, invoiceFromItem, type Unit } from './records.js';
import { getUnit, listSpaces } from './units.js';

/** At most this many annual periods per invoice, and lines per invoice, so one transaction holds it all. */
export const MAX_PERIODS = 20;
export const MAX_INVOICE_LINES = 40;

/** Items of POST /v1/invoices: for a unit the server supplies type, area and periods. */
export type UnitInvoiceItem =
  /** `periodStart` is for the renewal job only (not in the API schema): bill exactly that period. */
  | (InvoiceItemOf<'PROPERTY_FEE'> & { periodStart?: BizDate })
  | { [C in Exclude<InvoiceableCode, 'PROPERTY_FEE'>]: InvoiceItemOf<C> }[Exclude<
      InvoiceableCode,
      'PROPERTY_FEE'
    >];

export interface IdempotentCall {
  handle: IdempotencyHandle;
  present: (result: unknown) => StoredResponse;
}

/** Everything needed to commit one invoice. */
export interface InvoiceDraft {
  estateId: string;
  /** The claim and listing partition: a unit or a vehicle. */
  billedTo: string;
  unitId?: string;
  plate?: string;
  rentalKind?: RentalKind;
  lines: FeeLine[];
  dueDate: BizDate;
  action: string;
  /** More items for the same transaction (e.g. a renovation case), given the invoice number. */
  extraItems?: (invoiceNo: string) => TxItem[];
}

function lineItem(l: FeeLine) {
  return {
    type: l.type,
    description: l.description,
    quantity: l.quantity,
    unit: l.unit,
    unitPrice: l.unitPrice,
    months: l.months ?? undefined,
    amount: l.amount,
    tariffVersion: l.tariffVersion,
    period: l.period,
    trace: JSON.stringify(l.trace),
  };
}

/** Claim a (party, fee, period): succeeds if never claimed or released by a void or credit note. */
function claimItem(db: Db, owner: string, feeCode: string, period: Period, invoiceNo: string): TxItem {
  return {
    Put: {
      TableName: db.table,
      Item: {
        ...key.claim(owner, feeCode, period.start),
        type: 'CLAIM',
        feeCode,
        period,
        invoiceNo,
        state: 'OPEN',
      },
      ConditionExpression: 'attribute_not_exists(PK) OR #state = :released',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':released': 'RELEASED' },
    },
  };
}

export function setClaimsState(db: Db, inv: Invoice, state: 'PAID' | 'RELEASED'): TxItem[] {
  const owner = inv.unitId ? claimOwner.unit(inv.unitId) : claimOwner.vehicle(inv.estateId, inv.plate ?? '');
  return inv.lines
    .filter((l) => l.period)
    .map((l) => ({
      Update: {
        TableName: db.table,
        Key: key.claim(owner, l.type, l.period!.start),
        UpdateExpression: 'SET #state = :state',
        ConditionExpression: 'invoiceNo = :no',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':state': state, ':no': inv.invoiceNo },
      },
    }));
}

/** Sets or clears the sparse renewal-due index entry of a unit. */
export function renewalIndexItem(db: Db, unit: Unit, paidThrough: BizDate | undefined): TxItem {
  return paidThrough
    ? {
        Update: {
          TableName: db.table,
          Key: key.unit(unit.unitId),
          UpdateExpression: 'SET GSI2PK = :pk, GSI2SK = :sk',
          ExpressionAttributeValues: {
            ':pk': gsi2.renewalDue(unit.estateId),
            ':sk': `${renewalIssueFrom(paidThrough)}#${unit.unitId}`,
          },
        },
      }
    : {
        Update: {
          TableName: db.table,
          Key: key.unit(unit.unitId),
          UpdateExpression: 'REMOVE GSI2PK, GSI2SK',
        },
      };
}

/** Commits a draft under the next gapless invoice number of the estate and year of issue. */
export async function commitInvoice(ctx: Ctx, draft: InvoiceDraft, idem?: IdempotentCall): Promise<Invoice> {
  if (draft.lines.length === 0)
    throw ValidationError.of('items', 'NO_ITEMS', 'an invoice needs at least one item');
  if (draft.lines.length > MAX_INVOICE_LINES) {
    throw ValidationError.of(
      'items',
      'TOO_MANY_LINES',
      `an invoice holds at most ${MAX_INVOICE_LINES} lines`,
    );
  }
  const at = ctx.now();
  const year = businessYear(at);
  let invoice: Invoice | undefined;
  try {
    await transactWithNumbers(
      ctx.db,
      [{ estateId: draft.estateId, series: SERIES.invoice, year }],
      async ([n]) => {
        const invoiceNo = documentNumber(SERIES.invoice, draft.estateId, year, n!);
        const total = sumFen(draft.lines.map((l) => l.amount));
        invoice = {
          invoiceId: invoiceNo,
          invoiceNo,
          estateId: draft.estateId,
          status: 'OPEN',
          issuedAt: formatInstant(at),
          issuedBy: ctx.actor.sub,
          dueDate: draft.dueDate,
          lines: draft.lines.map((l) => ({ ...l, trace: l.trace as Record<string, unknown> })),
          total,
          ...(draft.unitId ? { unitId: draft.unitId } : {}),
          ...(draft.plate ? { plate: draft.plate } : {}),
          ...(draft.rentalKind ? { rentalKind: draft.rentalKind } : {}),
        };
        const items: TxItem[] = [
          {
            Put: {
              TableName: ctx.db.table,
              Item: {
                ...key.invoice(invoiceNo),
                type: 'INVOICE',
                invoiceNo,
                estateId: draft.estateId,
                unitId: draft.unitId,
                plate: draft.plate,
                rentalKind: draft.rentalKind,
                billedTo: draft.billedTo,
                status: 'OPEN',
                issuedAt: invoice.issuedAt,
                issueDate: businessDate(at),
                issuedBy: ctx.actor.sub,
                dueDate: draft.dueDate,
                lines: draft.lines.map(lineItem),
                total,
                GSI1PK: gsi1.invoicesOf(draft.billedTo),
                GSI1SK: `${String(at).padStart(13, '0')}#${invoiceNo}`,
              },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          ...draft.lines
            .filter((l) => l.period)
            .map((l) => claimItem(ctx.db, draft.billedTo, l.type, l.period!, invoiceNo)),
          ...ledgerItems(ctx, at, {
            estateId: draft.estateId,
            kind: 'INVOICE_ISSUED',
            documentNo: invoiceNo,
            invoiceNo,
            ...(draft.unitId ? { unitId: draft.unitId } : {}),
            ...(draft.plate ? { plate: draft.plate } : {}),
            lines: draft.lines.map((l) => ({
              feeCode: l.type,
              amount: l.amount,
              ...(l.period ? { period: l.period } : {}),
            })),
          }),
          auditItem(ctx, at, { estateId: draft.estateId, action: draft.action, document: invoiceNo }),
          ...(draft.extraItems?.(invoiceNo) ?? []),
        ];
        if (idem) items.push(idem.handle.completeItem(idem.present(invoice)));
        return { items };
      },
    );
  } catch (e) {
    if (e instanceof TransactionCancelled) {
      const periodLines = draft.lines.filter((l) => l.period);
      const clashes = periodLines.filter((_, i) => e.failedAt(1 + i));
      if (clashes.length > 0) {
        throw new ConflictError(
          'PERIOD_ALREADY_BILLED',
          `already billed: ${clashes.map((l) => `${l.type} ${l.period!.start}..${l.period!.end}`).join(', ')}`,
          clashes.map((l) => ({ feeCode: l.type, period: l.period })),
        );
      }
    }
    throw e;
  }
  return invoice!;
}

/** Period starts of a party's live (open or paid) claims for a fee code. */
export async function liveClaims(
  db: Db,
  owner: string,
  feeCode: FeeCode,
): Promise<Map<string, 'OPEN' | 'PAID'>> {
  const items = await db.queryAll({
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
    ExpressionAttributeValues: { ':pk': owner, ':sk': `CLAIM#${feeCode}#` },
  });
  const live = new Map<string, 'OPEN' | 'PAID'>();
  for (const i of items) {
    const state = i['state'] as string;
    if (state === 'OPEN' || state === 'PAID') live.set((i['period'] as Period).start, state);
  }
  return live;
}

/**
 * The periods an invoice bills: `requested` → the next that many unbilled periods; otherwise every
 * unbilled period that has started by `today` (a late move-in pays each elapsed year), and at least
 * the first unbilled one (a renewal ahead of its period).
 */
export function selectPeriods(
  deliveryDate: BizDate,
  billed: ReadonlyMap<string, unknown>,
  today: BizDate,
  requested?: number,
): Period[] {
  const out: Period[] = [];
  // Without `requested`, collect one more than allowed, so that exactly MAX_PERIODS is not mistaken
  // for too many.
  for (let k = 0; k < 1000 && out.length < (requested ?? MAX_PERIODS + 1); k++) {
    const p = annualPeriod(deliveryDate, k);
    if (billed.has(p.start)) continue;
    if (requested === undefined && out.length > 0 && p.start > today) break;
    out.push(p);
  }
  if (requested === undefined && out.length > MAX_PERIODS) {
    throw ValidationError.of(
      'items',
      'TOO_MANY_PERIODS',
      `more than ${MAX_PERIODS} unbilled periods; bill them in parts with "periods"`,
    );
  }
  return out;
}

/** The annual period that starts on `start` (a renewal names the period it bills). */
export function periodStarting(deliveryDate: BizDate, start: BizDate): Period {
  const k = periodIndexOn(deliveryDate, start);
  const p = k >= 0 ? annualPeriod(deliveryDate, k) : undefined;
  if (!p || p.start !== start)
    throw ValidationError.of('periodStart', 'NOT_A_PERIOD_START', `${start} does not start a period`);
  return p;
}

function periodsField(value: number | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1 || value > MAX_PERIODS) {
    throw ValidationError.of(
      field,
      'INVALID_NUMBER',
      `${field} must be a whole number from 1 to ${MAX_PERIODS}`,
    );
  }
  return value;
}

/** Prices the items of a unit invoice: the server supplies unit type, area, spaces and periods. */
export async function draftUnitInvoice(
  ctx: Ctx,
  unit: Unit,
  items: readonly UnitInvoiceItem[],
  tariffs: readonly TariffVersion[],
): Promise<FeeLine[]> {
  const at = ctx.now();
  const today = businessDate(at);
  const owner = claimOwner.unit(unit.unitId);
  const area = new Dec(unit.area);
  const lines: FeeLine[] = [];
  const seen = new Set<string>();
  let propertyPeriods: Period[] | undefined;
  for (const [i, item] of items.entries()) {
    if (seen.has(item.type)) {
      throw ValidationError.of(`items[${i}].type`, 'DUPLICATE_ITEM', `${item.type} appears more than once`);
    }
    seen.add(item.type);
  }
  // Property fee first: a parking-space item without periods follows its periods.
  const order = [...items.entries()].sort(
    ([, a], [, b]) => Number(b.type === 'PROPERTY_FEE') - Number(a.type === 'PROPERTY_FEE'),
  );
  for (const [i, item] of order) {
    switch (item.type) {
      case 'PROPERTY_FEE': {
        if (item.periodStart) {
          propertyPeriods = [periodStarting(unit.deliveryDate, item.periodStart)];
        } else {
          const billed = await liveClaims(ctx.db, owner, 'PROPERTY_FEE');
          propertyPeriods = selectPeriods(
            unit.deliveryDate,
            billed,
            today,
            periodsField(item.periods, `items[${i}].periods`),
          );
        }
        for (const period of propertyPeriods) {
          lines.push(
            propertyFee({
              unitType: unit.unitType,
              area,
              months: 12,
              tariff: tariffOn(tariffs, period.start),
              period,
            }),
          );
        }
        break;
      }
      case 'PARKING_SPACE_FEE': {
        let spaces = item.spaces;
        if (spaces === undefined) {
          spaces = (await listSpaces(ctx, unit.unitId)).length;
          if (spaces === 0) {
            throw ValidationError.of(
              `items[${i}].spaces`,
              'NO_SPACES',
              'the unit has no registered owned or use-right space',
            );
          }
        }
        const requested = periodsField(item.periods, `items[${i}].periods`);
        const periods =
          requested === undefined && propertyPeriods
            ? propertyPeriods
            : selectPeriods(
                unit.deliveryDate,
                await liveClaims(ctx.db, owner, 'PARKING_SPACE_FEE'),
                today,
                requested,
              );
        for (const period of periods) {
          try {
            lines.push(
              parkingSpaceFee({ spaces, months: 12, tariff: tariffOn(tariffs, period.start), period }),
            );
          } catch (e) {
            if (e instanceof ValidationError)
              throw ValidationError.of(`items[${i}].spaces`, e.code, e.message);
            throw e;
          }
        }
        break;
      }
      default: {
        // Every other fee type is priced by its registry entry (lib/fee-types/pricing.ts).
        const price = unitInvoicePricing(item.type);
        if (!price) {
          throw ValidationError.of(
            `items[${i}].type`,
            'NOT_A_UNIT_ITEM',
            `${(item as { type: string }).type} is not billed on a unit invoice; use the parking routes`,
          );
        }
        try {
          lines.push(...price(item, { unitType: unit.unitType, area }, tariffOn(tariffs, today)));
        } catch (e) {
          if (e instanceof ValidationError)
            throw new ValidationError(e.problems.map((p) => ({ ...p, field: `items[${i}].${p.field}` })));
          throw e;
        }
      }
    }
  }
  return lines;
}

/** POST /v1/invoices: issue an invoice for a unit. */
export async function issueInvoice(
  ctx: Ctx,
  input: { unitId: string; items: UnitInvoiceItem[] },
  idem?: IdempotentCall,
): Promise<Invoice> {
  const unit = await getUnit(ctx, input.unitId);
  const tariffs = await listTariffs(ctx, unit.estateId);
  const lines = await draftUnitInvoice(ctx, unit, input.items, tariffs);
  const today = businessDate(ctx.now());
  const firstPeriod = lines.find((l) => l.period)?.period;
  const billsPropertyFee = lines.some((l) => l.type === 'PROPERTY_FEE');
  return commitInvoice(
    ctx,
    {
      estateId: unit.estateId,
      billedTo: claimOwner.unit(unit.unitId),
      unitId: unit.unitId,
      lines,
      dueDate: firstPeriod ? dueDate(firstPeriod, today) : today,
      action: 'INVOICE_ISSUED',
      // While a property-fee invoice is open, the unit is not due for another renewal.
      extraItems: billsPropertyFee ? () => [renewalIndexItem(ctx.db, unit, undefined)] : undefined,
    },
    idem,
  );
}

export async function getInvoice(ctx: Pick<Ctx, 'db'>, invoiceNo: string): Promise<Invoice> {
  const item = await ctx.db.get(key.invoice(invoiceNo));
  if (!item) throw new NotFoundError('INVOICE_NOT_FOUND', `invoice ${invoiceNo} does not exist`);
  return invoiceFromItem(item);
}

export async function listInvoices(
  ctx: Pick<Ctx, 'db'>,
  billedTo: string,
  opts: { status?: InvoiceStatus; limit: number; cursor?: string },
): Promise<{ items: Invoice[]; nextCursor?: string }> {
  const pk = gsi1.invoicesOf(billedTo);
  const page = await ctx.db.query({
    IndexName: 'GSI1',
    KeyConditionExpression: 'GSI1PK = :pk',
    ExpressionAttributeValues: { ':pk': pk, ...(opts.status ? { ':status': opts.status } : {}) },
    ...(opts.status
      ? { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' } }
      : {}),
    ScanIndexForward: false,
    Limit: opts.limit,
    ...(opts.cursor ? { ExclusiveStartKey: cursor.decode(opts.cursor, { GSI1PK: pk }) } : {}),
  });
  const next = cursor.encode(page.lastKey);
  return { items: page.items.map(invoiceFromItem), ...(next ? { nextCursor: next } : {}) };
}

export async function openInvoices(ctx: Pick<Ctx, 'db'>, billedTo: string): Promise<Invoice[]> {
  const items = await ctx.db.queryAll({
    IndexName: 'GSI1',
    KeyConditionExpression: 'GSI1PK = :pk',
    FilterExpression: '#status = :open',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':pk': gsi1.invoicesOf(billedTo), ':open': 'OPEN' },
  });
  return items.map(invoiceFromItem);
}

/** 作废: an unpaid invoice becomes VOID with a reason and keeps its number; its periods may be billed again. */
export async function voidInvoice(ctx: Ctx, invoiceNo: string, reason: string): Promise<Invoice> {
  const inv = await getInvoice(ctx, invoiceNo);
  if (inv.status === 'VOID') throw new ConflictError('ALREADY_VOID', `invoice ${invoiceNo} is already void`);
  if (inv.status !== 'OPEN') {
    throw new ConflictError(
      'INVOICE_PAID',
      `invoice ${invoiceNo} is paid; reverse it with a credit note instead`,
    );
  }
  const at = ctx.now();
  const unit = inv.unitId ? await getUnit(ctx, inv.unitId) : undefined;
  const items: TxItem[] = [
    {
      Update: {
        TableName: ctx.db.table,
        Key: key.invoice(invoiceNo),
        UpdateExpression: 'SET #status = :void, voidedAt = :at, voidReason = :reason, voidedBy = :by',
        ConditionExpression: '#status = :open',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':void': 'VOID',
          ':open': 'OPEN',
          ':at': formatInstant(at),
          ':reason': reason,
          ':by': ctx.actor.sub,
        },
      },
    },
    ...setClaimsState(ctx.db, inv, 'RELEASED'),
    ...ledgerItems(ctx, at, {
      estateId: inv.estateId,
      kind: 'INVOICE_VOIDED',
      documentNo: invoiceNo,
      invoiceNo,
      ...(inv.unitId ? { unitId: inv.unitId } : {}),
      ...(inv.plate ? { plate: inv.plate } : {}),
      lines: inv.lines.map((l) => ({
        feeCode: l.type,
        amount: -l.amount,
        ...(l.period ? { period: l.period } : {}),
      })),
    }),
    auditItem(ctx, at, { estateId: inv.estateId, action: 'INVOICE_VOIDED', document: invoiceNo, reason }),
  ];
  if (unit?.paidThrough && inv.lines.some((l) => l.type === 'PROPERTY_FEE')) {
    items.push(renewalIndexItem(ctx.db, unit, unit.paidThrough));
  }
  try {
    await ctx.db.transact(items);
  } catch (e) {
    if (e instanceof TransactionCancelled && e.failedAt(0)) {
      const now = await getInvoice(ctx, invoiceNo);
      throw new ConflictError(
        now.status === 'VOID' ? 'ALREADY_VOID' : 'INVOICE_PAID',
        `invoice ${invoiceNo} is ${now.status}`,
      );
    }
    throw e;
  }
  return { ...inv, status: 'VOID', voidedAt: formatInstant(at), voidReason: reason };
}
