/**
 * Control overhead of the B.A.T.M.A.N. IV engine: OGM bytes sent per node per second in steady
 * state (from 60 s, when windows are nearly full and every route exists, to 80 s) at 25, 100
 * and 250 nodes, 1 s originator interval, with OGM aggregation; with the engine's defaults and
 * with its fast-convergence additions off (the engine before them), to show their cost.
 * Writes the figures and a plot.
 *
 * Run: npx tsx bench/routing-overhead.ts
 *   -> bench/results/routing-overhead.json, bench/results/overhead.svg
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { lineChart } from '../src/sim/svg.ts';
import { Simulation } from '../src/sim/simulation.ts';
import { validateScenario } from '../src/sim/scenario.ts';
import { machine, meshOfSize, ROUTING_VARIANTS, today } from './sim-sizes.ts';

const WARMUP_MS = 60_000;
const sizes: Array<[number, number]> = [
  [25, 80],
  [100, 80],
  [250, 80],
];
const variants = ['default', 'missLimit1-only'] as const;
interface Row {
  variant: (typeof variants)[number];
  nodes: number;
  window_s: number;
  bytes_per_node_s: number;
  frames_per_node_s: number;
  bytes_per_frame: number;
}
const rows: Row[] = [];
for (const variant of variants)
  for (const [nodes, durationS] of sizes) {
    const base = meshOfSize(nodes, durationS);
    const sim = new Simulation(validateScenario({ ...base, routing: ROUTING_VARIANTS[variant] }));
    sim.advanceTo(WARMUP_MS);
    const bytes0 = sim.radio.counters.bytesSent.get('ogm') ?? 0;
    const frames0 = sim.radio.counters.framesSent.get('ogm') ?? 0;
    sim.run();
    const spanS = (sim.scheduler.now() - WARMUP_MS) / 1000;
    const bytes = (sim.radio.counters.bytesSent.get('ogm') ?? 0) - bytes0;
    const frames = (sim.radio.counters.framesSent.get('ogm') ?? 0) - frames0;
    const row = {
      variant,
      nodes,
      window_s: spanS,
      bytes_per_node_s: Math.round(bytes / nodes / spanS),
      frames_per_node_s: Math.round((frames / nodes / spanS) * 10) / 10,
      bytes_per_frame: Math.round(bytes / frames),
    };
    rows.push(row);
    console.log(
      `${variant}, ${nodes} nodes: ${row.bytes_per_node_s} B/node/s in ${row.frames_per_node_s} frames/node/s (${row.bytes_per_frame} B/frame)`,
    );
  }
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/routing-overhead.json',
  JSON.stringify({ date: today, machine, rows }, null, 2) + '\n',
);
writeFileSync(
  'bench/results/overhead.svg',
  lineChart({
    title: `B.A.T.M.A.N. IV control overhead, 1 s OGM interval (${today})`,
    xLabel: 'nodes',
    yLabel: 'OGM bytes per node per second',
    series: variants.map((v) => ({
      name: v === 'default' ? 'bytes/node/s' : 'bytes/node/s, additions off',
      points: rows
        .filter((r) => r.variant === v)
        .map((r): [number, number] => [r.nodes, r.bytes_per_node_s]),
    })),
    markers: true,
    yMin: 0,
  }),
);
