/**
 * 期初欠费 (SPEC.md §8): one open OPENING_ARREARS invoice per imported unit, due on the import date,
 * outside any tariff, numbered in the estate's invoice series. An import brings hundreds of them, so
 * they are issued in batches: one transaction takes the next k invoice numbers (the counter moves
 * from N to N+k under the condition that it still reads N, as lib/store/numbering.ts does for one)
 * and writes the k invoices, their ledger rows, a per-unit marker and one audit record. Numbers are
 * consumed only by the transaction that writes their invoices, so the series stays gapless; a
 * marker already there (a resumed import) takes its unit out of the batch.
 */
import { auditItem, type Ctx, ledgerItems } from '../billing/context.js';
import { UnavailableError } from '../errors.js';
import { feeName } from '../fee-types/catalog.js';
import type { FeeLine } from '../fees/line.js';
import { formatFen } from '../money.js';
import { TransactionCancelled, type TxItem } from '../store/db.js';
import { invoiceItem, putNew } from '../store/items.js';
import { claimOwner, documentNumber, key, SERIES } from '../store/keys.js';
import { businessDate, businessYear, formatInstant } from '../time.js';

/** Invoices per transaction: invoice, ledger row and marker each, plus the counter and one audit record. */
export const PER_BATCH = 30;

export function openingArrearsLine(amount: bigint): FeeLine {
  return {
    type: 'OPENING_ARREARS',
    description: `${feeName('OPENING_ARREARS')}（建账导入）`,
    quantity: '1',
    unit: '项',
    unitPrice: formatFen(amount),
    months: null,
    amount,
    tariffVersion: 'NONE',
    trace: {
      formula: 'amount as imported',
      inputs: { openingArrears: formatFen(amount) },
      exact: formatFen(amount),
      rounding: 'ROUND_HALF_UP to 0.01 yuan, once per line',
    },
  };
}

export async function issueOpeningArrears(
  ctx: Ctx,
  estateId: string,
  importId: string,
  units: readonly { unitId: string; amount: bigint }[],
): Promise<void> {
  for (let i = 0; i < units.length; i += PER_BATCH) {
    await issueBatch(ctx, estateId, importId, units.slice(i, i + PER_BATCH));
  }
}

async function issueBatch(
  ctx: Ctx,
  estateId: string,
  importId: string,
  batch: readonly { unitId: string; amount: bigint }[],
): Promise<void> {
  let pending = [...batch];
  for (let round = 0; round < 60 && pending.length > 0; round++) {
    const at = ctx.now();
    const year = businessYear(at);
    const counterKey = key.counter(estateId, SERIES.invoice, year);
    const counter = await ctx.db.get<{ last?: bigint }>(counterKey);
    const last = counter?.last === undefined ? 0 : Number(counter.last);
    const today = businessDate(at);
    const numbers: string[] = [];
    const perUnit: TxItem[][] = pending.map((u, k) => {
      const invoiceNo = documentNumber(SERIES.invoice, estateId, year, last + k + 1);
      numbers.push(invoiceNo);
      const line = openingArrearsLine(u.amount);
      return [
        putNew({ ...key.openingArrears(u.unitId), type: 'OPENING', invoiceNo, importId }),
        invoiceItem(
          {
            invoiceNo,
            estateId,
            unitId: u.unitId,
            billedTo: claimOwner.unit(u.unitId),
            issuedAt: formatInstant(at),
            issueDate: today,
            issuedBy: ctx.actor.sub,
            // Due on the import date (SPEC.md §8), stored as every invoice's due date is.
            dueDate: today,
            lines: [line],
            total: u.amount,
          },
          at,
        ),
        ...ledgerItems(ctx, at, {
          estateId,
          kind: 'INVOICE_ISSUED',
          documentNo: invoiceNo,
          invoiceNo,
          unitId: u.unitId,
          lines: [{ feeCode: 'OPENING_ARREARS', amount: u.amount }],
        }),
      ];
    });
    const counterItem: TxItem = {
      Update: {
        Key: counterKey,
        UpdateExpression: 'SET #last = :next, #series = :series, #year = :year',
        ConditionExpression: last === 0 ? 'attribute_not_exists(#last)' : '#last = :current',
        ExpressionAttributeNames: { '#last': 'last', '#series': 'series', '#year': 'year' },
        ExpressionAttributeValues: {
          ':next': last + pending.length,
          ':series': SERIES.invoice,
          ':year': String(year),
          ...(last === 0 ? {} : { ':current': last }),
        },
      },
    };
    const audit = auditItem(ctx, at, {
      estateId,
      action: 'OPENING_ARREARS_ISSUED',
      document: importId,
      details: { invoices: numbers },
    });
    try {
      await ctx.db.transact([counterItem, audit, ...perUnit.flat()]);
      return;
    } catch (e) {
      if (!(e instanceof TransactionCancelled)) throw e;
      // A unit whose marker is there already has its invoice: drop it; a lost number race: re-read.
      let offset = 2;
      const issued = new Set<number>();
      perUnit.forEach((items, k) => {
        if (e.failedAt(offset)) issued.add(k);
        offset += items.length;
      });
      pending = pending.filter((_, k) => !issued.has(k));
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 + round * 3)));
    }
  }
  if (pending.length > 0) {
    throw new UnavailableError('too many concurrent writers for the invoice series; retry the import');
  }
}
