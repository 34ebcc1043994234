/**
 * How people read a period (SPEC.md §5): with its last covered day, `2026-06-01 至 2027-05-31`.
 * Stored and JSON periods stay half-open `[start, end)`; every page, CSV, spreadsheet and printed
 * document turns `end` into the last day with these two functions, so the rule lives once.
 *
 * No dependencies (the web pages import it too): the day before a date is plain UTC day
 * arithmetic on a calendar date, no zone and no month clamping involved.
 */

/** The inclusive last day of a half-open period ending (exclusively) on `end`: 2027-06-01 → 2027-05-31. */
export function lastDay(end: string): string {
  const d = new Date(`${end}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(end) || Number.isNaN(d.getTime())) return end;
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

/** `2026-06-01 至 2027-05-31` for the half-open period [2026-06-01, 2027-06-01). */
export function periodText(p: { start: string; end: string } | undefined): string {
  return p ? `${p.start} 至 ${lastDay(p.end)}` : '';
}
