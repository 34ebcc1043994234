/**
 * Reconciliation (对账) of one provider's daily statement with what the service recorded for that
 * business date: receipts paid through the provider (their reference is the provider's
 * transaction id) and payment exceptions (confirmed money that paid no bill). Rows are matched on
 * the transaction id. The result is stored with its audit record in one transaction, under an id
 * derived from estate, provider, date and the file's SHA-256: the same file again answers the
 * stored result; a corrected file for the same date is a new reconciliation.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import type { Ctx } from '../billing/context.js';
import { auditItem } from '../billing/context.js';
import { receiptFromItem } from '../billing/records.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { type Fen, formatFen } from '../money.js';
import { TransactionCancelled } from '../store/db.js';
import { putNew } from '../store/items.js';
import { gsi3 } from '../store/keys.js';
import { parseRecord } from '../store/records.js';
import { businessDate, formatInstant } from '../time.js';
import { listPaymentExceptions } from './exceptions.js';
import { PROVIDER_CHANNEL, PROVIDERS, type ProviderName } from './provider.js';
import { parseStatement } from './statements.js';

/** A day of one estate's kiosk payments is far below this; the stored result must fit one item. */
export const MAX_STATEMENT_ROWS = 2000;

interface Ours {
  transactionId: string;
  amount: Fen;
  outTradeNo?: string;
  receiptNo?: string;
  exceptionId?: string;
}

export interface Reconciliation {
  reconciliationId: string;
  estateId: string;
  provider: ProviderName;
  date: string;
  fileSha256: string;
  createdAt: string;
  createdBy: string;
  matched: Record<string, string | number>[];
  missingOnOurSide: Record<string, string | number>[];
  missingAtProvider: Record<string, string | number>[];
  amountDifferences: Record<string, string | number>[];
  counts: Record<string, number>;
}

const reconKey = (id: string) => ({ PK: `RECON#${id}`, SK: 'META' });

// The stored answer, as JSON in one attribute, read back through zod like every stored record.
const storedResult = z.lazy(() => z.object({ result: z.string() }));
const rows = z.array(z.record(z.string(), z.union([z.string(), z.number()])));
/** A reconciliation's shape: the stored answer read back, and the route's response (one shape). */
export const reconciliationShape = () =>
  z.object({
    reconciliationId: z.string(),
    estateId: z.string(),
    provider: z.enum(PROVIDERS),
    date: z.string(),
    fileSha256: z.string(),
    createdAt: z.string(),
    createdBy: z.string(),
    matched: rows,
    missingOnOurSide: rows,
    missingAtProvider: rows,
    amountDifferences: rows,
    counts: z.record(z.string(), z.number()),
  });
const reconciliationSchema = z.lazy(reconciliationShape);

export async function getReconciliation(ctx: Pick<Ctx, 'db'>, id: string): Promise<Reconciliation> {
  const item = await ctx.db.get(reconKey(id));
  if (!item) throw new NotFoundError('RECONCILIATION_NOT_FOUND', `reconciliation ${id} does not exist`);
  return parseRecord(
    reconciliationSchema,
    JSON.parse(parseRecord(storedResult, item, 'reconciliation').result),
    'reconciliation',
  );
}

/** What the service holds for the date: provider receipts, then exceptions of the provider. */
async function ourRecords(ctx: Ctx, estateId: string, provider: ProviderName, date: string) {
  const ours = new Map<string, Ours>();
  const receipts = await ctx.db.queryAll({
    IndexName: 'GSI3',
    KeyConditionExpression: 'GSI3PK = :pk AND begins_with(GSI3SK, :day)',
    ExpressionAttributeValues: { ':pk': gsi3.receipts(estateId), ':day': `${date}#` },
  });
  for (const item of receipts) {
    const r = receiptFromItem(item);
    if (r.channel !== PROVIDER_CHANNEL[provider] || !r.reference) continue;
    ours.set(r.reference, { transactionId: r.reference, amount: r.amount, receiptNo: r.receiptNo });
  }
  let cursor: string | undefined;
  do {
    const page = await listPaymentExceptions(ctx, estateId, { limit: 200, ...(cursor ? { cursor } : {}) });
    for (const x of page.items) {
      if (x.provider !== provider) continue;
      if (businessDate(x.createdAtMs) !== date) {
        // A receipt of this day with the transaction of an earlier day's exception is its APPLY:
        // the money came (and is matched) on the exception's day, not on this one.
        ours.delete(x.providerTransactionId);
        continue;
      }
      const known = ours.get(x.providerTransactionId);
      // An exception applied the same day has a receipt too: one record, naming both.
      ours.set(x.providerTransactionId, {
        ...(known ?? { transactionId: x.providerTransactionId, amount: x.amount }),
        outTradeNo: x.outTradeNo,
        exceptionId: x.exceptionId,
      });
    }
    cursor = page.nextCursor;
  } while (cursor);
  return ours;
}

const refs = (o: Ours) => ({
  ...(o.receiptNo ? { receiptNo: o.receiptNo } : {}),
  ...(o.exceptionId ? { exceptionId: o.exceptionId } : {}),
});

export async function reconcile(
  ctx: Ctx,
  estateId: string,
  provider: ProviderName,
  date: string,
  file: Uint8Array,
): Promise<Reconciliation> {
  const fileSha256 = createHash('sha256').update(file).digest('hex');
  const reconciliationId = `RCN${createHash('sha256')
    .update(`${estateId}|${provider}|${date}|${fileSha256}`)
    .digest('hex')
    .slice(0, 20)
    .toUpperCase()}`;
  const stored = await ctx.db.get(reconKey(reconciliationId));
  if (stored) return JSON.parse(String(stored['result'])) as Reconciliation;

  const rows = await parseStatement(provider, date, file);
  if (rows.length > MAX_STATEMENT_ROWS)
    throw ValidationError.of('body', 'TOO_MANY_ROWS', `at most ${MAX_STATEMENT_ROWS} rows per statement`);
  const seen = new Map<string, number>();
  for (const r of rows) {
    const key = `${r.kind}#${r.transactionId}`;
    const first = seen.get(key);
    if (first !== undefined)
      throw ValidationError.of(
        `line ${r.line}, column transaction id`,
        'DUPLICATE_ROW',
        `transaction ${r.transactionId} is already on line ${first}`,
      );
    seen.set(key, r.line);
  }
  const ours = await ourRecords(ctx, estateId, provider, date);
  const out = {
    matched: [] as Reconciliation['matched'],
    missingOnOurSide: [] as Reconciliation['missingOnOurSide'],
    missingAtProvider: [] as Reconciliation['missingAtProvider'],
    amountDifferences: [] as Reconciliation['amountDifferences'],
  };
  const payments = rows.filter((r) => r.kind === 'PAYMENT');
  for (const r of payments) {
    const o = ours.get(r.transactionId);
    const base = { line: r.line, outTradeNo: r.outTradeNo, transactionId: r.transactionId };
    if (!o) {
      out.missingOnOurSide.push({ ...base, providerAmount: formatFen(r.amount) });
    } else if (o.amount === r.amount) {
      out.matched.push({ ...base, amount: formatFen(r.amount), ...refs(o) });
    } else {
      out.amountDifferences.push({
        ...base,
        providerAmount: formatFen(r.amount),
        ourAmount: formatFen(o.amount),
        difference: formatFen(r.amount - o.amount),
        ...refs(o),
      });
    }
    ours.delete(r.transactionId);
  }
  for (const o of ours.values())
    out.missingAtProvider.push({
      ...(o.outTradeNo ? { outTradeNo: o.outTradeNo } : {}),
      transactionId: o.transactionId,
      ourAmount: formatFen(o.amount),
      ...refs(o),
    });
  const atMs = ctx.now();
  const result: Reconciliation = {
    reconciliationId,
    estateId,
    provider,
    date,
    fileSha256,
    createdAt: formatInstant(atMs),
    createdBy: ctx.actor.sub,
    ...out,
    counts: {
      statementRows: rows.length,
      payments: payments.length,
      refunds: rows.length - payments.length,
      matched: out.matched.length,
      missingOnOurSide: out.missingOnOurSide.length,
      missingAtProvider: out.missingAtProvider.length,
      amountDifferences: out.amountDifferences.length,
    },
  };
  try {
    await ctx.db.transact([
      putNew({
        ...reconKey(reconciliationId),
        type: 'RECONCILIATION',
        estateId,
        result: JSON.stringify(result),
      }),
      auditItem(ctx, atMs, {
        estateId,
        action: 'RECONCILIATION_CREATED',
        document: reconciliationId,
        details: { provider, date, fileSha256, counts: result.counts },
      }),
    ]);
  } catch (e) {
    // The same file uploaded twice at once: the first stored result is the answer.
    if (!(e instanceof TransactionCancelled)) throw e;
    return getReconciliation(ctx, reconciliationId);
  }
  return result;
}
