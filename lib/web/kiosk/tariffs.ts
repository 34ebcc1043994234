/**
 * The fee policy at the kiosk: the tariff in force as tables (property fee by unit type, parking
 * spaces and rentals, temporary-parking bands, renovation) and the versions announced for later;
 * and 明码标价, the price board (price-board.ts).
 */
import { ApiProblem } from '../shared/api.js';
import { type Child, h } from '../shared/dom.js';
import { feeName, minutesText, RENTAL_KIND_NAMES, UNIT_TYPE_NAMES } from '../shared/format.js';
import type { TariffVersion } from '../shared/types.js';
import { loadPriceBoard, priceBoardScreen } from './price-board.js';
import { estateId, k } from './state.js';
import { complain, show, title } from './ui.js';

function beijingToday(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
}

function tariffTables(v: TariffVersion): Child[] {
  const row = (name: string, price: string) =>
    h('tr', {}, h('th', { scope: 'row' }, name), h('td', { class: 'money' }, price));
  const table = (caption: string, rows: HTMLElement[]) =>
    h('table', {}, h('caption', {}, caption), h('tbody', {}, rows));
  const bands = v.tempParkingBands;
  const last = bands[bands.length - 1];
  let from = 0;
  const bandRows = bands.map((b) => {
    // Bands are upper-inclusive (SPEC.md §4.2): "超过2小时,4小时以内".
    const name =
      from === 0
        ? `${minutesText(b.upToMinutes)}以内`
        : `超过${minutesText(from)},${minutesText(b.upToMinutes)}以内`;
    from = b.upToMinutes;
    return row(name, b.amount === '0.00' ? '免费' : `${b.amount} 元/次`);
  });
  return [
    table(
      `${feeName('PROPERTY_FEE')}(按年预缴)`,
      // The catalog's order (高层 first), whatever order the stored map comes back in.
      [...new Set([...Object.keys(UNIT_TYPE_NAMES), ...Object.keys(v.rates.PROPERTY_FEE)])]
        .filter((type) => v.rates.PROPERTY_FEE[type] !== undefined)
        .map((type) =>
          row(
            UNIT_TYPE_NAMES[type as keyof typeof UNIT_TYPE_NAMES] ?? type,
            `${v.rates.PROPERTY_FEE[type]} 元/㎡/月`,
          ),
        ),
    ),
    table('车位', [
      row(
        `${feeName('PARKING_SPACE_FEE')}(自有或使用权车位,按年预缴)`,
        `${v.rates.PARKING_SPACE_FEE} 元/个/月`,
      ),
      ...Object.entries(v.rates.PARKING_RENTAL).map(([kind, rate]) =>
        row(
          `${feeName('PARKING_RENTAL')}:${RENTAL_KIND_NAMES[kind as keyof typeof RENTAL_KIND_NAMES] ?? kind}`,
          `${rate} 元/辆/月`,
        ),
      ),
    ]),
    table(`${feeName('TEMP_PARKING')}(每次)`, [
      ...bandRows,
      ...(last
        ? [
            row(
              `超过${minutesText(last.upToMinutes)}`,
              `每满${minutesText(last.upToMinutes)} ${last.amount} 元,余下时间按上表`,
            ),
          ]
        : []),
    ]),
    table('装修', [
      row(feeName('RENOVATION_WASTE'), `${v.rates.RENOVATION_WASTE} 元/㎡`),
      row(`${feeName('RENOVATION_DEPOSIT')}(完工验收后无息退还)`, `${v.rates.RENOVATION_DEPOSIT} 元/户`),
      row(feeName('RENOVATION_CARDS'), `${v.rates.RENOVATION_CARDS} 元/张`),
      ...(v.rates.CARD_DEPOSIT !== '0.00'
        ? [row(`${feeName('CARD_DEPOSIT')}(可退)`, `${v.rates.CARD_DEPOSIT} 元/张`)]
        : []),
    ]),
    h(
      'p',
      { class: 'muted small' },
      `依据:${v.approvalRef};自 ${v.effectiveFrom} 起执行。停车时长按整分钟计,不足一分钟不计。`,
    ),
  ];
}

export async function tariffs(): Promise<void> {
  let versions: TariffVersion[];
  try {
    versions = (
      await k.deviceApi.call<{ items: TariffVersion[] }>(
        'GET',
        `/v1/estates/${encodeURIComponent(estateId())}/tariffs`,
      )
    ).items;
  } catch (e) {
    const unknown = e instanceof ApiProblem && e.outcomeUnknown;
    return complain(e, '', unknown ? () => void tariffs() : undefined);
  }
  const today = beijingToday();
  const now = versions.find((v) => v.effectiveFrom <= today);
  const upcoming = versions.filter((v) => v.effectiveFrom > today).reverse();
  show(
    'tariffs',
    title('收费标准', 'Fee policy'),
    now ? tariffTables(now) : h('p', {}, '本小区的收费标准正在更新,请向服务台咨询。'),
    upcoming.map((v) =>
      h(
        'section',
        { class: 'card', 'aria-label': `${v.effectiveFrom} 起执行的新标准` },
        h('h3', {}, `新标准:${v.effectiveFrom} 起执行(${v.noticeDate} 公示)`),
        tariffTables(v),
      ),
    ),
  );
}

export async function priceBoard(): Promise<void> {
  try {
    show('price-board', priceBoardScreen(await loadPriceBoard(k.deviceApi, estateId())));
  } catch (e) {
    const unknown = e instanceof ApiProblem && e.outcomeUnknown;
    complain(e, '', unknown ? () => void priceBoard() : undefined);
  }
}
