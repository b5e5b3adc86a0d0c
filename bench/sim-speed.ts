/**
 * Simulator speed: events per second on one core and the real-time factor (virtual seconds per
 * wall second) at 25, 100 and 250 nodes, with the B.A.T.M.A.N. IV engine on every node and a
 * few data flows. The machine is shared, so besides wall time the bench records the process's
 * CPU time (user + system) and derives the rates from both.
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
  const c0 = process.cpuUsage();
  sim.run();
  const wallS = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const cpuS = (c.user + c.system) / 1e6;
  const s = sim.summary(wallS);
  const row = {
    nodes,
    links: s.links,
    virtual_s: s.virtual_s,
    wall_s: Math.round(wallS * 100) / 100,
    events: s.events,
    cpu_s: Math.round(cpuS * 100) / 100,
    events_per_s: Math.round(s.events / wallS),
    events_per_cpu_s: Math.round(s.events / cpuS),
    realtime_factor: Math.round((s.virtual_s / wallS) * 100) / 100,
    realtime_factor_cpu: Math.round((s.virtual_s / cpuS) * 100) / 100,
    pdr: s.pdr,
  };
  rows.push(row);
  console.log(
    `${nodes} nodes: ${row.events} events in ${row.wall_s} s wall (${row.cpu_s} s CPU) = ` +
      `${row.events_per_s} events/s wall, ${row.events_per_cpu_s} per CPU second; ${row.virtual_s} s virtual -> ` +
      `real-time factor ${row.realtime_factor}x wall, ${row.realtime_factor_cpu}x CPU`,
  );
}
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/sim-speed.json',
  JSON.stringify({ date: today, machine, rows }, null, 2) + '\n',
);
