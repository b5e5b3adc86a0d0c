/**
 * The offline report of a run: one self-contained HTML file with inline SVG (no scripts, no
 * fetches): convergence per fault on a timeline, PDR over time, the latency CDF and a snapshot
 * of the topology at the end of the run, plus the summary.
 *
 * @example
 * writeFileSync('out/report.html', renderReport(sim, sim.summary(wallS)));
 */
import type { Simulation, Summary } from './simulation.ts';
import { roamingSection } from './roaming-report.ts';
import { escapeXml, lineChart, type Series } from './svg.ts';

function topologySvg(sim: Simulation): string {
  const W = 640;
  const H = 480;
  const nodes = sim.topology.nodes;
  const xs = nodes.map((n) => n.x);
  const ys = nodes.map((n) => n.y);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const pad = 24;
  const sx = (x: number): number => pad + ((x - x0) / (x1 - x0 || 1)) * (W - 2 * pad);
  const sy = (y: number): number => pad + ((y - y0) / (y1 - y0 || 1)) * (H - 2 * pad);
  const pos = new Map(nodes.map((n) => [n.name, n]));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="9"><rect width="${W}" height="${H}" fill="#fff"/>`,
  ];
  for (const l of sim.topology.links) {
    const a = pos.get(l.a)!;
    const b = pos.get(l.b)!;
    const ok = sim.channel.usable(l.a, l.b) && sim.channel.usable(l.b, l.a);
    parts.push(
      `<line x1="${sx(a.x).toFixed(1)}" y1="${sy(a.y).toFixed(1)}" x2="${sx(b.x).toFixed(1)}" y2="${sy(b.y).toFixed(1)}" stroke="${ok ? '#999' : '#e33'}" stroke-width="1"${ok ? '' : ' stroke-dasharray="3 2"'}/>`,
    );
  }
  const small = nodes.length > 60;
  for (const n of nodes) {
    const up = sim.channel.isNodeUp(n.name);
    const gw = (sim.node(n.name)?.wans.size ?? 0) > 0;
    parts.push(
      `<circle cx="${sx(n.x).toFixed(1)}" cy="${sy(n.y).toFixed(1)}" r="${small ? 3 : 7}" fill="${up ? (gw ? '#2ca02c' : '#1f77b4') : '#d62728'}"><title>${escapeXml(n.name)}${up ? '' : ' (down)'}${gw ? ' (WAN)' : ''}</title></circle>`,
    );
    if (!small)
      parts.push(
        `<text x="${(sx(n.x) + 9).toFixed(1)}" y="${(sy(n.y) - 6).toFixed(1)}">${escapeXml(n.name)}</text>`,
      );
  }
  parts.push('</svg>');
  return parts.join('');
}

export function renderReport(sim: Simulation, summary: Summary): string {
  const duration = sim.scenario.duration_s;
  const pdr = sim.metrics.pdrSeries(Math.ceil(duration));
  const pdrSeries: Series = { name: 'PDR', points: [] };
  pdr.forEach((v, s) => {
    if (v !== null) pdrSeries.points.push([s, v]);
  });
  const lat = sim.metrics.sortedLatencies();
  const step = Math.max(1, Math.floor(lat.length / 300));
  const cdf: Series = { name: 'CDF', points: [] };
  for (let i = 0; i < lat.length; i += step) cdf.points.push([lat[i]!, (i + 1) / lat.length]);
  if (lat.length > 0) cdf.points.push([lat[lat.length - 1]!, 1]);
  const faults = summary.faults;
  const spans: Array<[number, number, string]> = faults.map((f) => [
    f.at_s,
    f.at_s + (f.convergence_s ?? duration - f.at_s),
    `${f.kind} ${f.target}: ${f.convergence_s === null ? 'not converged' : `${f.convergence_s} s`}`,
  ]);
  const convSeries: Series = {
    name: 'convergence (s)',
    points: faults.filter((f) => f.convergence_s !== null).map((f) => [f.at_s, f.convergence_s!]),
  };
  const rows = faults
    .map(
      (f) =>
        `<tr><td>${f.at_s}</td><td>${escapeXml(f.kind)}</td><td>${escapeXml(f.target)}</td><td>${f.convergence_s ?? 'not converged'}</td></tr>`,
    )
    .join('');
  const { faults: _f, roaming, ...rest } = summary;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Intelli-Mesh simulation: ${escapeXml(summary.scenario)}</title>
<style>body{font-family:sans-serif;margin:2em;max-width:1400px}figure{display:inline-block;margin:0 1em 1em 0;vertical-align:top}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}pre{background:#f6f6f6;padding:1em}</style></head>
<body><h1>Simulation report: ${escapeXml(summary.scenario)}</h1>
<p>Seed ${summary.seed}, ${summary.nodes} nodes, ${summary.virtual_s} s of virtual time in ${summary.wall_s} s of wall time;
PDR ${summary.pdr}; latency p50/p95/p99 ${summary.latency_ms.p50}/${summary.latency_ms.p95}/${summary.latency_ms.p99} ms;
control overhead ${summary.overhead_bytes_per_node_s} bytes per node per second.</p>
<figure>${lineChart({ title: 'Convergence per fault (shaded: fault until every connected pair is routable)', xLabel: 'virtual time (s)', yLabel: 'convergence (s)', series: [convSeries], spans, markers: true, lines: false, xMin: 0, xMax: duration, yMin: 0, width: 900 })}</figure>
<figure>${lineChart({ title: 'PDR over time (by send second)', xLabel: 'virtual time (s)', yLabel: 'PDR', series: [pdrSeries], yMin: 0, yMax: 1, xMin: 0, xMax: duration, spans })}</figure>
<figure>${lineChart({ title: 'Latency CDF', xLabel: 'one-way latency (ms)', yLabel: 'fraction of delivered packets', series: [cdf], yMin: 0, yMax: 1 })}</figure>
<figure>${topologySvg(sim)}<figcaption>Topology at the end (red nodes down, green nodes have a WAN, dashed red links cut)</figcaption></figure>
${roaming ? roamingSection(roaming, duration) : ''}
<h2>Faults</h2><table><tr><th>at (s)</th><th>kind</th><th>target</th><th>convergence (s)</th></tr>${rows}</table>
<h2>Summary</h2><pre>${escapeXml(JSON.stringify(roaming ? { ...rest, roaming: { ...roaming, per_roam: `${roaming.per_roam.length} roams (table above)` } } : rest, null, 2))}</pre>
</body></html>
`;
}
