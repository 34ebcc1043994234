/**
 * Issuing, voiding and reading invoices (SPEC.md §4.1, §5). An issued invoice's number, lines and
 * total never change; only its status moves OPEN → PAID → CREDITED or OPEN → VOID, each under a
 * condition on the status it leaves.
 */
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { FEE_TYPES, type FeeTypeInfo } from '../fee-types/catalog.js';
import type { FeeLine } from '../fees/line.js';
import { sumFen } from '../money.js';
import { cursor, TransactionCancelled, type TxItem } from '../store/db.js';
import { claimItem, claimStateItem, invoiceItem, invoiceStatusItem } from '../store/items.js';
import { claimOwner, documentNumber, gsi1, key, SERIES } from '../store/keys.js';
import { transactOptimistic, transactWithNumbers } from '../store/numbering.js';
import type { RentalKind, TariffVersion } from '../tariffs/catalog.js';
import { type BizDate, businessDate, businessYear, formatInstant } from '../time.js';
import { auditItem, type Ctx, ledgerItems } from './context.js';
import { derivedDueDate } from './due-date.js';
import { listTariffs } from './estates.js';
import type { IdempotencyHandle, StoredResponse } from './idempotency.js';
import { draftUnitInvoice, type UnitInvoiceItem } from './invoice-drafts.js';
import { type Invoice, type InvoiceStatus, invoiceFromItem, type Space, type Unit } from './records.js';
import { periodsAfter, readUnitBilling, type UnitBilling, unitBillingWrite } from './unit-billing.js';
import { getUnit } from './units.js';

/** At most this many lines per invoice, so one transaction holds it all. */
export const MAX_INVOICE_LINES = 40;

export interface IdempotentCall {
  handle: IdempotencyHandle;
  present: (result: unknown) => StoredResponse;
  /** The caller's own rows for the same transaction (a payment exception's ledger reversal). */
  alsoItems?: (result: unknown) => TxItem[];
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
  /** Optimistic locks (the unit's billing state): their failure drafts again and retries. */
  lockItems?: TxItem[];
}

export function setClaimsState(inv: Invoice, state: 'PAID' | 'RELEASED'): TxItem[] {
  const owner = inv.unitId ? claimOwner.unit(inv.unitId) : claimOwner.vehicle(inv.estateId, inv.plate ?? '');
  return inv.lines
    .filter((l) => l.period)
    .map((l) => claimStateItem(owner, l.type, l.period!.start, inv.invoiceNo, state));
}

/** Commits a draft under the next gapless invoice number of the estate and year of issue. */
export async function commitInvoice(ctx: Ctx, draft: InvoiceDraft, idem?: IdempotentCall): Promise<Invoice> {
  return commitDrafted(ctx, draft.estateId, async () => draft, idem);
}

function checkLines(draft: InvoiceDraft): void {
  if (draft.lines.length === 0)
    throw ValidationError.of('items', 'NO_ITEMS', 'an invoice needs at least one item');
  if (draft.lines.length > MAX_INVOICE_LINES) {
    throw ValidationError.of(
      'items',
      'TOO_MANY_LINES',
      `an invoice holds at most ${MAX_INVOICE_LINES} lines`,
    );
  }
}

/**
 * Commits the draft `makeDraft(round)` prices, which reads alongside the invoice counter: issuing is
 * one round of reads, then one transaction. A round after a lost race for the number may re-use the
 * draft (the claims' conditions, not the draft's reads, keep a period from being billed twice); a
 * failed lock in `lockItems` must not, and `makeDraft` decides which it was.
 */
async function commitDrafted(
  ctx: Ctx,
  estateId: string,
  makeDraft: (round: number) => Promise<InvoiceDraft>,
  idem?: IdempotentCall,
): Promise<Invoice> {
  const at = ctx.now();
  const year = businessYear(at);
  let invoice: Invoice | undefined;
  let draft: InvoiceDraft | undefined;
  try {
    await transactWithNumbers<InvoiceDraft>(
      ctx.db,
      [{ estateId, series: SERIES.invoice, year }],
      async ([n], d) => {
        draft = d;
        const invoiceNo = documentNumber(SERIES.invoice, d.estateId, year, n!);
        invoice = {
          invoiceId: invoiceNo,
          invoiceNo,
          estateId: d.estateId,
          status: 'OPEN',
          issuedAt: formatInstant(at),
          issuedBy: ctx.actor.sub,
          ...(ctx.actor.name ? { issuedByName: ctx.actor.name } : {}),
          dueDate: d.dueDate,
          lines: d.lines.map((l) => ({ ...l, trace: l.trace as Record<string, unknown> })),
          total: sumFen(d.lines.map((l) => l.amount)),
          ...(d.unitId ? { unitId: d.unitId } : {}),
          ...(d.plate ? { plate: d.plate } : {}),
          ...(d.rentalKind ? { rentalKind: d.rentalKind } : {}),
        };
        const items: TxItem[] = [
          invoiceItem(
            {
              ...invoice,
              billedTo: d.billedTo,
              issueDate: businessDate(at),
              lines: d.lines,
            },
            at,
          ),
          ...d.lines.filter((l) => l.period).map((l) => claimItem(d.billedTo, l.type, l.period!, invoiceNo)),
          ...ledgerItems(ctx, at, {
            estateId: d.estateId,
            kind: 'INVOICE_ISSUED',
            documentNo: invoiceNo,
            invoiceNo,
            dueDate: d.dueDate,
            ...(d.unitId ? { unitId: d.unitId } : {}),
            ...(d.plate ? { plate: d.plate } : {}),
            lines: d.lines.map((l) => ({
              feeCode: l.type,
              amount: l.amount,
              ...(l.period ? { period: l.period } : {}),
            })),
          }),
          auditItem(ctx, at, { estateId: d.estateId, action: d.action, document: invoiceNo }),
          ...(d.extraItems?.(invoiceNo) ?? []),
        ];
        const retryOn: number[] = [];
        for (const lock of d.lockItems ?? []) retryOn.push(items.push(lock) - 1);
        if (idem) {
          await idem.handle.ready;
          items.push(idem.handle.completeItem(idem.present(invoice)));
        }
        return { items, retryOn };
      },
      async (round: number) => {
        const d = await makeDraft(round);
        checkLines(d);
        return d;
      },
    );
  } catch (e) {
    if (e instanceof TransactionCancelled && draft) {
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

/**
 * A renovation deposit or card fee billed outside its case is a liability nothing refunds: the
 * registry's `invoiceRoute` says which fee types this route may bill (the case bills the others
 * through `draftUnitInvoice` and `commitInvoice`).
 */
function refuseCaseOnlyFees(items: readonly UnitInvoiceItem[]): void {
  const problems = items.flatMap((item, i) =>
    // An unknown type is the draft's to refuse.
    (FEE_TYPES[item.type] as FeeTypeInfo | undefined)?.invoiceRoute !== false
      ? []
      : [
          {
            field: `items[${i}].type`,
            code: 'FEE_NOT_BILLABLE_HERE',
            message: `${item.type} is billed only with a renovation case (POST /v1/renovations)`,
          },
        ],
  );
  if (problems.length > 0) throw new ValidationError(problems);
}

/**
 * POST /v1/invoices: issue an invoice for a unit. `known` carries what the caller already read (the
 * unit for the route's scope check; the renewal job's tariffs, read once per run). The reads the
 * items need and the invoice counter are read together, then one transaction writes it all.
 */
export async function issueInvoice(
  ctx: Ctx,
  input: { unitId: string; items: UnitInvoiceItem[] },
  idem?: IdempotentCall,
  known: { unit?: Unit; tariffs?: readonly TariffVersion[]; spaces?: Space[] } = {},
): Promise<Invoice> {
  refuseCaseOnlyFees(input.items);
  const unit = known.unit ?? (await getUnit(ctx, input.unitId));
  const tariffs = known.tariffs ?? listTariffs(ctx, unit.estateId);
  let last: { billing: UnitBilling; draft: InvoiceDraft } | undefined;
  return commitDrafted(
    ctx,
    unit.estateId,
    async (round) => {
      // Round 0 trusts the unit the caller read; a later round re-reads it, and drafts again only if
      // another billing write (a space registered, a period billed, paid or released) moved it on.
      const billing = await readUnitBilling(ctx, unit.unitId, round === 0 ? unit : undefined);
      if (last && billing.version !== undefined && billing.version === last.billing.version)
        return last.draft;
      const spaces = round === 0 ? known.spaces : undefined;
      const lines = await draftUnitInvoice(ctx, billing.unit, input.items, tariffs, spaces);
      const today = businessDate(ctx.now());
      const draft: InvoiceDraft = {
        estateId: unit.estateId,
        billedTo: claimOwner.unit(unit.unitId),
        unitId: unit.unitId,
        lines,
        dueDate: derivedDueDate(
          today,
          lines.map((l) => l.period?.start),
        ),
        action: 'INVOICE_ISSUED',
        // Billing a period moves the unit's billing state on: its live periods (and with them its
        // renewal entry) change, and the version serialises this draft's reads of the unit's claims
        // and spaces with any write that changes them.
        lockItems: lines.some((l) => l.period)
          ? [unitBillingWrite(billing, periodsAfter(billing.periods, lines, 'issued'))]
          : [],
      };
      last = { billing, draft };
      return draft;
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

/**
 * 作废: an unpaid invoice becomes VOID with a reason and keeps its number; its periods may be billed
 * again. A property-fee invoice's void rewrites the unit's billing state under its version lock (a
 * racing payment or renewal sends it round again), so the renewal index follows what is left live.
 */
export async function voidInvoice(ctx: Ctx, invoiceNo: string, reason: string): Promise<Invoice> {
  const at = ctx.now();
  let voided: Invoice | undefined;
  try {
    await transactOptimistic(ctx.db, async () => {
      const inv = await getInvoice(ctx, invoiceNo);
      if (inv.status === 'VOID')
        throw new ConflictError('ALREADY_VOID', `invoice ${invoiceNo} is already void`);
      if (inv.status !== 'OPEN') {
        throw new ConflictError(
          'INVOICE_PAID',
          `invoice ${invoiceNo} is paid; reverse it with a credit note instead`,
        );
      }
      const billing =
        inv.unitId && inv.lines.some((l) => l.type === 'PROPERTY_FEE')
          ? await readUnitBilling(ctx, inv.unitId)
          : undefined;
      const items: TxItem[] = [
        invoiceStatusItem(invoiceNo, 'OPEN', {
          to: 'VOID',
          at: formatInstant(at),
          reason,
          by: ctx.actor.sub,
        }),
        ...setClaimsState(inv, 'RELEASED'),
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
      const retryOn: number[] = [];
      if (billing)
        retryOn.push(
          items.push(unitBillingWrite(billing, periodsAfter(billing.periods, inv.lines, 'released'))) - 1,
        );
      voided = inv;
      return { items, retryOn };
    });
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
  return { ...voided!, status: 'VOID', voidedAt: formatInstant(at), voidReason: reason };
}

// Drafting (periods, claims, pricing a unit's items) lives in invoice-drafts.ts; re-exported so that
// callers keep one entry point.
export {
  draftUnitInvoice,
  liveClaims,
  liveClaimsByFee,
  MAX_PERIODS,
  periodStarting,
  selectPeriods,
  type UnitInvoiceItem,
} from './invoice-drafts.js';
