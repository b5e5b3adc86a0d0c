/**
 * A small time-series chart (uPlot) of one metric series of one node, from the controller's
 * rolled-up history (`/api/nodes/:node/metrics`): average line with the min..max of each bucket,
 * broken where the history has no samples (an outage shows as a hole, not a flat line).
 *
 * @example
 * <MetricChart node="gw-1" series="wan.wan.latency_ms" title="Latency" unit="ms" />
 */
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { MetricPoint } from '../api/types.ts';
import { AXIS_GAP, AXIS_TICK, axisLabel, axisWidth } from '../lib/axis-labels.ts';
import { withGaps } from '../lib/series-gaps.ts';
import { useResource } from '../use-resource.ts';

const WINDOW_MS = 3_600_000;
/** uPlot's own axis font, set explicitly so the label widths are measured in it. */
const AXIS_FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

export function MetricChart(props: {
  node: string;
  series: string;
  title: string;
  unit: string;
  scale?: number;
  colour: string;
}) {
  // Fixed for the life of the chart: the window then grows with the visit instead of the
  // request changing (and the chart blanking) every minute.
  const [since] = useState(() => Math.floor((Date.now() - WINDOW_MS) / 60_000) * 60_000);
  const points = useResource<MetricPoint[]>(
    `/api/nodes/${encodeURIComponent(props.node)}/metrics?series=${encodeURIComponent(props.series)}&since=${since}`,
    (c) => c.type === 'node' && c.node === props.node,
  );
  return <SeriesChart points={points.data} {...props} />;
}

/**
 * The chart itself, for points from anywhere (a radio node's RTT history too). `gaps: false`
 * joins every point: irregular samples (pings on demand) have no usual step to break at.
 */
export function SeriesChart(props: {
  points: readonly MetricPoint[] | undefined;
  title: string;
  unit: string;
  scale?: number;
  colour: string;
  gaps?: boolean;
  /** What an empty series says. */
  empty?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const data = props.points;
  const { scale = 1, unit, colour, title, gaps = true } = props;

  useEffect(() => {
    if (!box.current || !data || data.length === 0) return;
    // Missing buckets (a cut WAN has no latency) break the line instead of bridging it.
    const avg = gaps ? withGaps(data, (p) => p.avg * scale) : joined(data, (p) => p.avg * scale);
    const max = gaps ? withGaps(data, (p) => p.max * scale) : joined(data, (p) => p.max * scale);
    const xs = avg.at.map((at) => at / 1000);
    const plot = new uPlot(
      {
        width: box.current.clientWidth || 320,
        height: 140,
        legend: { show: false },
        scales: { x: { time: true } },
        axes: [
          { stroke: '#8ea0b3', grid: { stroke: '#233041' } },
          {
            stroke: '#8ea0b3',
            grid: { stroke: '#233041' },
            font: AXIS_FONT,
            gap: AXIS_GAP,
            ticks: { size: AXIS_TICK },
            values: (_u, ticks) => ticks.map((t) => axisLabel(t, unit)),
            // As wide as the widest label, so none is clipped at the left edge.
            size: (u, labels) => {
              u.ctx.save();
              u.ctx.font = AXIS_FONT;
              const w = axisWidth(labels, (l) => u.ctx.measureText(l).width);
              u.ctx.restore();
              return w;
            },
          },
        ],
        series: [
          {},
          { stroke: colour, width: 2, label: 'avg' },
          { stroke: `${colour}55`, width: 1, label: 'max' },
        ],
      },
      [xs, avg.values, max.values],
      box.current,
    );
    return () => plot.destroy();
  }, [data, scale, unit, colour, gaps]);

  return (
    <div className="chart">
      <div className="chart-title">{title}</div>
      {data && data.length === 0 ? (
        <p className="muted small empty">{props.empty ?? 'No samples in the last hour.'}</p>
      ) : (
        <div ref={box} />
      )}
    </div>
  );
}

function joined(points: readonly MetricPoint[], value: (p: MetricPoint) => number) {
  return { at: points.map((p) => p.at), values: points.map(value) };
}
