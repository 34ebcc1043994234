/**
 * 明码标价 on the kiosk (SPEC.md §10, source 003): the tariff in force with its approval and
 * effective date, each rate with its unit of measure, and the versions announced for later with
 * the day owners were told. Read from `GET /v1/estates/{estateId}/price-board`, which answers the
 * kiosk's device token.
 */
import type { Api } from '../shared/api.js';
import { type Child, h } from '../shared/dom.js';
import { feeName } from '../shared/format.js';

interface BoardRate {
  feeCode: string;
  name: string;
  rate: string;
  unit: string;
}
interface BoardVersion {
  effectiveFrom: string;
  noticeDate: string;
  approvalRef: string | null;
  rates: BoardRate[];
  tempParkingBands: { upToMinutes: number; amount: string }[];
}
export interface PriceBoard extends BoardVersion {
  asOf: string;
  announced: BoardVersion[];
}

function bands(v: BoardVersion): string {
  let from = 0;
  return v.tempParkingBands
    .map((b) => {
      const text = `${from / 60}-${b.upToMinutes / 60}小时 ${b.amount === '0.00' ? '免费' : `${b.amount}元/次`}`;
      from = b.upToMinutes;
      return text;
    })
    .join(';');
}

function table(v: BoardVersion): Child {
  const row = (name: string, price: string) =>
    h('tr', {}, h('th', { scope: 'row' }, name), h('td', { class: 'money' }, price));
  return h(
    'table',
    {},
    h('caption', {}, `收费标准(${v.approvalRef === null ? '合同约定' : `${v.effectiveFrom} 起执行`})`),
    h(
      'tbody',
      {},
      v.rates.map((r) => row(r.name, `${r.rate} ${r.unit}`)),
      row(feeName('TEMP_PARKING'), bands(v)),
    ),
  );
}

function basis(v: BoardVersion): string {
  return v.approvalRef === null
    ? '依据:《商品房预(销)售合同》约定标准'
    : `依据:${v.approvalRef};自 ${v.effectiveFrom} 起执行`;
}

/** The screen's content for a board. */
export function priceBoardScreen(b: PriceBoard): Child[] {
  return [
    h('h2', {}, '明码标价 · 收费公示', h('span', { class: 'en', lang: 'en' }, 'Price board')),
    table(b),
    h('p', { class: 'muted small' }, basis(b)),
    ...b.announced.map((v) =>
      h(
        'section',
        { class: 'card', 'aria-label': `${v.effectiveFrom} 起执行的新标准` },
        h('h3', {}, `新标准:${v.effectiveFrom} 起执行(${v.noticeDate} 公告)`),
        table(v),
        h('p', { class: 'muted small' }, basis(v)),
      ),
    ),
  ];
}

export async function loadPriceBoard(api: Api, estateId: string): Promise<PriceBoard> {
  return api.call<PriceBoard>('GET', `/v1/estates/${encodeURIComponent(estateId)}/price-board`);
}
