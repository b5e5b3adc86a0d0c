/**
 * Simulator speed: events per second on one core and the real-time factor (virtual seconds per
 * wall second) at 25, 100 and 250 nodes, with the B.A.T.M.A.N. IV engine on every node and a
 * few data flows. Also records the control overhead seen in the same runs.
 *
 * Run: npx tsx bench/sim-speed.ts   -> bench/results/sim-speed.json
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Simulation } from '../src/sim/simulation.ts';
import { machine, meshOfSize, today } from './sim-sizes.ts';

const sizes: Array<[number, number]> = [
  [25, 120],
  [100, 40],
  [250, 20],
];
const rows = [];
for (const [nodes, durationS] of sizes) {
  const sim = new Simulation(meshOfSize(nodes, durationS));
  const t0 = performance.now();
  sim.run();
  const wallS = (performance.now() - t0) / 1000;
  const s = sim.summary(wallS);
  const row = {
    nodes,
    links: s.links,
    virtual_s: s.virtual_s,
    wall_s: Math.round(wallS * 100) / 100,
    events: s.events,
    events_per_s: Math.round(s.events / wallS),
    realtime_factor: Math.round((s.virtual_s / wallS) * 100) / 100,
    pdr: s.pdr,
  };
  rows.push(row);
  console.log(
    `${nodes} nodes: ${row.events} events in ${row.wall_s} s wall = ${row.events_per_s} events/s; ` +
      `${row.virtual_s} s virtual -> real-time factor ${row.realtime_factor}x`,
  );
}
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/sim-speed.json',
  JSON.stringify({ date: today, machine, rows }, null, 2) + '\n',
);
