/** Names and dates as the people at the counter and the kiosk read them. */
import { channelName, feeName } from '../../fee-types/catalog.js';
import { lastDay, periodText } from '../../period-text.js';
import { RENTAL_KIND_NAMES, UNIT_TYPE_NAMES } from '../../tariffs/catalog.js';

/** Fee and channel names come from the registry, the same words as the CSV and every report. */
export { channelName, feeName, RENTAL_KIND_NAMES, UNIT_TYPE_NAMES };

export const STATUS_NAMES: Record<string, string> = {
  OPEN: '待缴',
  PAID: '已缴',
  VOID: '已作废',
  CREDITED: '已红冲',
};

const shanghai = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

function parts(iso: string): Record<string, string> {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return {};
  return Object.fromEntries(shanghai.formatToParts(d).map((p) => [p.type, p.value]));
}

/** 2025-06-01 10:05 (Beijing time, whatever the device's zone). */
export function dateTime(iso: string): string {
  const p = parts(iso);
  return p['year'] ? `${p['year']}-${p['month']}-${p['day']} ${p['hour']}:${p['minute']}` : iso;
}

/** 10:05 (Beijing time). */
export function clock(iso: string): string {
  const p = parts(iso);
  return p['hour'] ? `${p['hour']}:${p['minute']}` : iso;
}

/**
 * Periods are half-open; pages and receipts print the last day covered. The rule is shared with
 * the CSV and the API (lib/period-text.ts): `dayBefore` of a paid-through date is its last paid day.
 */
export { lastDay as dayBefore, periodText };

/** "2小时以内" style limits for the temporary-parking bands. */
export function minutesText(minutes: number): string {
  if (minutes % 60 === 0) return `${minutes / 60}小时`;
  return minutes > 60 ? `${Math.floor(minutes / 60)}小时${minutes % 60}分钟` : `${minutes}分钟`;
}

/** A line's calculation for the receipt: the exact amount and its one rounding (SPEC.md §1). */
export function traceText(trace: Record<string, unknown> | undefined): string {
  if (!trace) return '';
  const bits: string[] = [];
  if (typeof trace['exact'] === 'string') {
    const rounded = typeof trace['rounded'] === 'string' ? trace['rounded'] : undefined;
    bits.push(`精确值 ${trace['exact']} 元${rounded ? `,四舍五入到分为 ${rounded} 元` : ''}`);
  }
  if (typeof trace['tariffVersion'] === 'string') bits.push(`标准 ${trace['tariffVersion']}`);
  return bits.join(';');
}
