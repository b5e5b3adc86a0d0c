/**
 * Breaks a metric line where samples stopped: the history has no bucket for the time a WAN was
 * cut (its latency was unknown) or a node was down, and a chart must show that hole instead of
 * drawing a straight line across it. A gap is a step longer than twice the series' usual step
 * (its shortest one); a null point is put in it, which uPlot draws as a break.
 *
 * @example
 * withGaps([{ at: 0, v: 1 }, { at: 10, v: 1 }, { at: 60, v: 2 }], (p) => p.v);
 * // { at: [0, 10, 20, 60], values: [1, 1, null, 2] }
 */
export function withGaps<P extends { at: number }>(
  points: readonly P[],
  value: (p: P) => number,
): { at: number[]; values: (number | null)[] } {
  const at: number[] = [];
  const values: (number | null)[] = [];
  let step = Number.POSITIVE_INFINITY;
  for (let i = 1; i < points.length; i++) step = Math.min(step, points[i]!.at - points[i - 1]!.at);
  points.forEach((p, i) => {
    const prev = points[i - 1];
    if (prev && Number.isFinite(step) && step > 0 && p.at - prev.at > 2 * step) {
      at.push(prev.at + step);
      values.push(null);
    }
    at.push(p.at);
    values.push(value(p));
  });
  return { at, values };
}
