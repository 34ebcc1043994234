/**
 * 收支公示 for a quarter (SPEC.md §10, source 003): what was collected per fee code, collection
 * rates, deposits held and refunded, the paid services, and the date it must be posted by (the 20th
 * of the month after the quarter). A printable page for the notice board.
 */
import type { Ctx } from '../billing/context.js';
import { ValidationError } from '../errors.js';
import { isDeposit } from '../fee-types/catalog.js';
import { entryPages, type LedgerRange } from '../ledger/query.js';
import { summarise } from '../ledger/summary.js';
import { presentSummary } from '../ledger/summary-present.js';
import { Dec, formatFen } from '../money.js';
import { accountingFeeCodes, accountingFeeName, DEPOSIT_DEDUCTION } from './accounting-settings.js';
import { esc } from './html.js';
import { quarterOf } from './recognition.js';

/** Services charged on request, beyond the common property service (有偿服务). */
const PAID_SERVICES = new Set(['PARKING_RENTAL', 'TEMP_PARKING', 'RENOVATION_WASTE', 'RENOVATION_CARDS']);

export function parseQuarter(value: string) {
  const q = quarterOf(value);
  if (!q) throw ValidationError.of('quarter', 'INVALID_QUARTER', 'a quarter is written 2026Q3');
  return q;
}

export async function disclosure(ctx: Pick<Ctx, 'db'>, estateId: string, quarter: string) {
  const q = parseQuarter(quarter);
  const range: LedgerRange = { estateId, from: q.from, to: q.to };
  const collected = new Map<string, bigint>();
  const add = (code: string, fen: bigint) => collected.set(code, (collected.get(code) ?? 0n) + fen);
  const [summary] = await Promise.all([
    summarise(ctx.db, range),
    (async () => {
      for await (const page of entryPages(ctx.db, range, { pageItems: 1000 }))
        for (const e of page) {
          if ((e.kind === 'PAYMENT_RECEIVED' || e.kind === 'CREDIT_NOTE') && !isDeposit(e.feeCode))
            add(e.feeCode, e.amount);
          else if (e.kind === 'DEPOSIT_DEDUCTED') add(DEPOSIT_DEDUCTION, e.amount);
        }
    })(),
  ]);
  const s = presentSummary(summary);
  const order = accountingFeeCodes();
  const collections = [...collected]
    .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
    .map(([feeCode, fen]) => ({
      feeCode,
      name: accountingFeeName(feeCode),
      amount: formatFen(fen),
      paidService: PAID_SERVICES.has(feeCode),
    }));
  const total = [...collected.values()].reduce((a, b) => a + b, 0n);
  return {
    estateId,
    quarter,
    from: q.from,
    to: q.to,
    dueDate: q.dueDate,
    collections,
    totalCollected: formatFen(total),
    collectionRate: s.totals.collectionRate,
    householdCollectionRate: s.totals.households.collectionRate,
    byFeeCode: s.byFeeCode
      .filter((f) => !f.deposit && f.receivable !== '0.00')
      .map((f) => ({
        feeCode: f.feeCode,
        receivable: f.receivable,
        received: f.received,
        collectionRate: f.collectionRate,
      })),
    deposits: {
      held: s.deposits.heldAtEnd,
      received: s.deposits.received,
      refunded: s.deposits.refunded,
      deducted: s.deposits.deducted,
    },
    paidServices: collections
      .filter((c) => c.paidService)
      .map(({ feeCode, amount }) => ({ feeCode, amount })),
  };
}

export type Disclosure = Awaited<ReturnType<typeof disclosure>>;

const pct = (r: string | null) => (r === null ? '—' : `${new Dec(r).times(100).toFixed(2)}%`);

/** The notice-board page: A4, printable, the figures people check. */
export function disclosurePage(d: Disclosure, estateName: string): string {
  const rows = d.collections
    .map(
      (c) =>
        `<tr><td>${esc(c.name)}${c.paidService ? '(有偿服务)' : ''}</td><td class="n">${c.amount}</td></tr>`,
    )
    .join('');
  const rates = d.byFeeCode
    .map(
      (f) =>
        `<tr><td>${esc(accountingFeeName(f.feeCode))}</td><td class="n">${f.receivable}</td><td class="n">${f.received}</td><td class="n">${pct(f.collectionRate)}</td></tr>`,
    )
    .join('');
  // One literal per line: a minified bundle keeps a template's newlines as lines of its own.
  return [
    `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(estateName)} ${d.quarter} 收支公示</title>`,
    `<style>@page{size:A4;margin:18mm}body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;font-size:12pt}`,
    `h1{text-align:center;font-size:18pt}table{width:100%;border-collapse:collapse;margin:8pt 0}td,th{border:1px solid #000;padding:4pt}`,
    `.n{text-align:right;font-variant-numeric:tabular-nums}footer{margin-top:16pt}</style></head><body>`,
    `<h1>${esc(estateName)} 物业服务收支情况公示</h1>`,
    `<p>公示期间:${d.from} 至 ${d.to}(${d.quarter});应于 ${d.dueDate} 前公示。</p>`,
    `<h2>一、收费情况</h2><table><tr><th>收费项目</th><th>本季收款(元)</th></tr>${rows}<tr><th>合计</th><td class="n">${d.totalCollected}</td></tr></table>`,
    `<h2>二、收缴率</h2><table><tr><th>收费项目</th><th>应收(元)</th><th>实收(元)</th><th>收缴率</th></tr>${rates}</table>`,
    `<p>按金额收缴率:${pct(d.collectionRate)};按户收缴率:${pct(d.householdCollectionRate)}</p>`,
    `<h2>三、押金及保证金</h2><table><tr><th>本季收取</th><th>本季退还</th><th>本季扣除</th><th>期末余额</th></tr>`,
    `<tr><td class="n">${d.deposits.received}</td><td class="n">${d.deposits.refunded}</td><td class="n">${d.deposits.deducted}</td><td class="n">${d.deposits.held}</td></tr></table>`,
    `<footer>${esc(estateName)} 物业服务中心 &nbsp; 公示日期:______年____月____日</footer></body></html>`,
  ].join('\n');
}
