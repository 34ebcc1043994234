/**
 * The printable 催缴通知单: one HTML document holding one notice per page, with print CSS for A4
 * (the default) or A5 (`paper`). Every value is escaped: owner names and rooms are typed by people.
 */
import { addressOf } from '../address.js';
import type { DunningNotice } from './dunning.js';

export const PAPERS = ['A4', 'A5'] as const;
export type Paper = (typeof PAPERS)[number];

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const cn = (d: string) => `${d.slice(0, 4)}年${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;

function css(paper: Paper): string {
  const a5 = paper === 'A5';
  return `
@page { size: ${paper} portrait; margin: ${a5 ? '10mm' : '18mm'}; }
body { font-family: "Songti SC", "SimSun", "Noto Serif CJK SC", serif; font-size: ${a5 ? '10.5pt' : '12pt'}; color: #000; margin: 0; }
.notice { page-break-after: always; break-after: page; }
.notice:last-child { page-break-after: auto; break-after: auto; }
h1 { text-align: center; font-size: ${a5 ? '16pt' : '20pt'}; letter-spacing: 0.3em; margin: 0 0 0.8em; }
.estate { text-align: center; margin-bottom: 1em; }
table { width: 100%; border-collapse: collapse; margin: 0.8em 0; }
th, td { border: 1px solid #000; padding: 0.25em 0.4em; }
td.amount, th.amount { text-align: right; white-space: nowrap; }
.total { font-weight: bold; }
.sign { text-align: right; margin-top: 1.5em; }
@media screen { .notice { max-width: ${a5 ? '148mm' : '210mm'}; margin: 1em auto; padding: 1em; border: 1px dashed #999; } }
`;
}

function noticeHtml(n: DunningNotice): string {
  const rows = n.bills
    .map(
      (b) =>
        `<tr><td>${esc(b.invoiceNo)}</td><td>${esc(b.feeName)}</td><td>${
          b.periodStart && b.periodLastDay ? `${b.periodStart} 至 ${b.periodLastDay}` : ''
        }</td><td>${b.dueDate}</td><td class="amount">${b.daysOverdue}</td><td class="amount">${b.amount}</td></tr>`,
    )
    .join('\n');
  const owner = n.owner ? `${esc(n.owner)} ` : '';
  return `<section class="notice" data-unit="${esc(n.unitId)}">
<h1>催缴通知单</h1>
<div class="estate">${esc(n.estateName)}</div>
<p>${esc(addressOf(n))} 业主${owner}您好：</p>
<p>截至 ${cn(n.asOf)}，您有以下费用已到期尚未缴纳，请尽快缴纳：</p>
<table>
<thead><tr><th>账单号</th><th>收费项目</th><th>所属期间</th><th>到期日</th><th class="amount">逾期天数</th><th class="amount">金额(元)</th></tr></thead>
<tbody>
${rows}
<tr class="total"><td colspan="5">合计：${esc(n.totalInWords)}</td><td class="amount">${n.total}</td></tr>
</tbody>
</table>
<p>缴费方式：</p>
<ul>${n.howToPay.map((h) => `<li>${esc(h)}</li>`).join('')}</ul>
<p>如您已缴纳，请忽略本通知。</p>
<div class="sign">${esc(n.estateName)} 物业服务中心<br>${cn(n.asOf)}</div>
</section>`;
}

export function dunningHtml(notices: readonly DunningNotice[], paper: Paper = 'A4'): string {
  const body = notices.length
    ? notices.map(noticeHtml).join('\n')
    : '<p class="empty">没有符合条件的欠费房屋。</p>';
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>催缴通知单</title>
<style>${css(paper)}</style></head>
<body>
${body}
</body></html>
`;
}
