/**
 * A chart's value axis sized to its labels: uPlot gives a y axis 50 px by default, so "1000 ms"
 * or "12.5 Mbit/s" lost their first digits ("00 ms"). The width is the widest label as the
 * browser measures it, plus uPlot's gap and tick length. Tick values lose float noise
 * (0.30000000000000004 → 0.3).
 *
 * @example
 * axisLabel(0.30000000000000004, '%'); // '0.3%'
 * axisWidth(['0 ms', '1000 ms'], (s) => s.length * 7); // 64
 */

/** uPlot's defaults for a y axis: gap between values and ticks, and tick length (CSS px). */
export const AXIS_GAP = 5;
export const AXIS_TICK = 10;
/** Room for antialiasing and the last glyph's overhang. */
const SLACK = 4;

export function axisLabel(value: number, unit: string): string {
  return `${Number(value.toPrecision(6))}${unit}`;
}

export function axisWidth(
  labels: readonly string[] | null | undefined,
  measure: (label: string) => number,
): number {
  const widest = Math.max(0, ...(labels ?? []).map(measure));
  return Math.ceil(widest + AXIS_GAP + AXIS_TICK + SLACK);
}
