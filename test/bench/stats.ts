/** The small statistics every bench module prints. */

/** The p-th percentile (nearest rank, 0-100) of `values`; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** `x` to `d` decimals, for display. */
export const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
