/**
 * Nearest-rank percentiles of measured times, as the failover benches report them.
 *
 * @example
 * percentile([30, 10, 20], 50); // 20
 */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

/** One decimal, as the figures are printed. */
export const round1 = (x: number): number => Math.round(x * 10) / 10;
