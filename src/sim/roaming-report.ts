/**
 * The roaming part of the offline report: the gap of every roam over time (measured at the
 * station: last frame from the old AP to the first from the new one; the modelled radio gap
 * beside it), one series per method, and a table of the roams with the frames each lost.
 *
 * @example
 * html += roamingSection(summary.roaming, scenario.duration_s);
 */
import type { RoamingSummary } from './roam-log.ts';
import { escapeXml, lineChart, type Series } from './svg.ts';

export function roamingSection(r: RoamingSummary, durationS: number): string {
  const methods = Object.keys(r.by_method);
  const series: Series[] = methods.map((m) => ({
    name: `gap, ${m}`,
    points: r.per_roam.filter((x) => x.method === m).map((x) => [x.completed_at_s, x.gap_ms]),
  }));
  series.push({
    name: 'radio gap (model)',
    points: r.per_roam.map((x) => [x.completed_at_s, x.radio_gap_ms]),
    color: '#999',
  });
  const rows = r.per_roam
    .map(
      (x) =>
        `<tr><td>${x.completed_at_s}</td><td>${escapeXml(x.mac)}</td><td>${escapeXml(x.from)} → ${escapeXml(x.to)}</td><td>${escapeXml(x.method)}</td><td>${x.radio_gap_ms}</td><td>${x.data_gap_ms ?? '–'}</td><td>${x.frames_lost_radio}</td><td>${x.frames_lost_mesh}</td></tr>`,
    )
    .join('');
  return `<h2>Roaming</h2>
<p>${r.clients} clients, ${r.roams} roams; gap p50/p95/max ${r.gap_ms.p50}/${r.gap_ms.p95}/${r.gap_ms.max} ms;
frames lost around roams ${r.frames_lost} (${r.frames_lost_radio} at the radio, ${r.frames_lost_mesh} in the mesh).</p>
<figure>${lineChart({ title: 'Gap per roam (last frame from the old AP to the first from the new one)', xLabel: 'virtual time (s)', yLabel: 'gap (ms)', series, markers: true, lines: false, xMin: 0, xMax: durationS, yMin: 0, width: 900 })}</figure>
<table><tr><th>at (s)</th><th>client</th><th>from → to</th><th>method</th><th>radio gap (ms)</th><th>data gap (ms)</th><th>lost at radio</th><th>lost in mesh</th></tr>${rows}</table>`;
}
