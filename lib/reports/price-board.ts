/**
 * 明码标价 (SPEC.md §10, source 003): the tariff in force on a day with its approval reference and
 * effective date, and the versions announced for later with the date owners were told. The
 * contract-standard tariff was agreed in each sale contract, not approved: its `approvalRef` is null.
 */
import { feeCodes, feeName, feeType } from '../fee-types/catalog.js';
import {
  RENTAL_KIND_NAMES,
  type RentalKind,
  SEED_EFFECTIVE_FROM,
  type TariffVersion,
  UNIT_TYPE_NAMES,
  type UnitType,
} from '../tariffs/catalog.js';
import { versionInEffect } from '../tariffs/validate.js';
import type { BizDate } from '../time.js';
import { esc } from './html.js';

export interface BoardRate {
  feeCode: string;
  unitType?: string;
  rentalKind?: string;
  /** What the line says in Chinese: 物业服务费(高层). */
  name: string;
  rate: string;
  /** Unit of measure in Chinese: 元/㎡/月. */
  unit: string;
}

export interface BoardVersion {
  effectiveFrom: BizDate;
  noticeDate: BizDate;
  approvalRef: string | null;
  rates: BoardRate[];
  tempParkingBands: { upToMinutes: number; amount: string }[];
}

function boardRates(v: TariffVersion): BoardRate[] {
  const out: BoardRate[] = [];
  // Registry and catalog order (高层 first), whatever order the stored maps come back in.
  const rates = v.rates as Record<string, string | Record<string, string>>;
  const order = [...Object.keys(UNIT_TYPE_NAMES), ...Object.keys(RENTAL_KIND_NAMES)];
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
  for (const code of [
    ...feeCodes().filter((c) => c in rates),
    ...Object.keys(rates).filter((c) => !feeCodes().includes(c)),
  ]) {
    const figure = rates[code]!;
    const unit = feeType(code)?.tariff?.unit ?? '元';
    if (typeof figure === 'string') out.push({ feeCode: code, name: feeName(code), rate: figure, unit });
    else
      for (const [k, rate] of Object.entries(figure).sort(([a], [b]) => rank(a) - rank(b))) {
        const asUnit = k in UNIT_TYPE_NAMES;
        const label = asUnit ? UNIT_TYPE_NAMES[k as UnitType] : (RENTAL_KIND_NAMES[k as RentalKind] ?? k);
        out.push({
          feeCode: code,
          ...(asUnit ? { unitType: k } : { rentalKind: k }),
          name: `${feeName(code)}(${label})`,
          rate,
          unit,
        });
      }
  }
  return out;
}

function boardVersion(v: TariffVersion): BoardVersion {
  return {
    effectiveFrom: v.effectiveFrom,
    noticeDate: v.noticeDate,
    approvalRef: v.effectiveFrom === SEED_EFFECTIVE_FROM ? null : v.approvalRef,
    rates: boardRates(v),
    tempParkingBands: v.tempParkingBands.map((b) => ({ upToMinutes: b.upToMinutes, amount: b.amount })),
  };
}

export function priceBoard(estateId: string, versions: readonly TariffVersion[], today: BizDate) {
  const now = versionInEffect(versions, today);
  if (!now) throw new Error(`estate ${estateId} has no tariff in effect on ${today}`);
  const current = boardVersion(now);
  return {
    estateId,
    asOf: today,
    ...current,
    announced: versions
      .filter((v) => v.effectiveFrom > today)
      .sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom))
      .map(boardVersion),
  };
}

export type PriceBoard = ReturnType<typeof priceBoard>;

function bandText(bands: BoardVersion['tempParkingBands']): string {
  let from = 0;
  return bands
    .map((b) => {
      const text = `${from / 60}-${b.upToMinutes / 60}小时 ${b.amount === '0.00' ? '免费' : `${b.amount}元/次`}`;
      from = b.upToMinutes;
      return text;
    })
    .join(';');
}

function rateTable(v: BoardVersion): string {
  const rows = v.rates
    .map((r) => `<tr><td>${esc(r.name)}</td><td class="n">${esc(r.rate)}</td><td>${esc(r.unit)}</td></tr>`)
    .join('');
  return `<table><tr><th>收费项目</th><th>收费标准</th><th>计价单位</th></tr>${rows}<tr><td>${esc(feeName('TEMP_PARKING'))}</td><td colspan="2">${esc(bandText(v.tempParkingBands))}</td></tr></table>`;
}

/** The A4 page for the office wall. */
export function priceBoardPage(b: PriceBoard, estateName: string): string {
  const announced = b.announced
    .map(
      (v) =>
        `<h2>新收费标准公告(${v.effectiveFrom} 起执行,${v.noticeDate} 公告)</h2><p>批准文件:${esc(v.approvalRef ?? '—')}</p>${rateTable(v)}`,
    )
    .join('');
  // One literal per line: a minified bundle keeps a template's newlines as lines of its own.
  return [
    `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(estateName)} 收费公示</title>`,
    `<style>@page{size:A4;margin:18mm}body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;font-size:13pt}`,
    `h1{text-align:center}table{width:100%;border-collapse:collapse;margin:8pt 0}td,th{border:1px solid #000;padding:5pt}.n{text-align:right}</style></head><body>`,
    `<h1>${esc(estateName)} 物业服务收费明码标价</h1>`,
    `<p>执行日期:${b.effectiveFrom === SEED_EFFECTIVE_FROM ? '按购房合同约定' : b.effectiveFrom};收费依据:${esc(b.approvalRef ?? '《商品房预(销)售合同》约定标准')}</p>`,
    `${rateTable(b)}${announced}`,
    `<p>监督电话:12345 &nbsp; 本表由物业服务中心公示</p></body></html>`,
  ].join('\n');
}
