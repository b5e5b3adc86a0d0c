/**
 * Simulator speed: events per second on one core and the real-time factor (virtual seconds per
 * wall second) at 25, 100 and 250 nodes, with the B.A.T.M.A.N. IV engine on every node and a
 * few data flows. Measured in steady state, from 60 s (when the 64-OGM windows are nearly
 * full and every route exists) to 80 s of virtual time; the start-up is reported apart. The
 * machine is shared, so besides wall time the bench records the process's CPU time.
 *
 * Run: npx tsx bench/sim-speed.ts   -> bench/results/sim-speed.json
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Simulation } from '../src/sim/simulation.ts';
import { machine, meshOfSize, today } from './sim-sizes.ts';

const WARMUP_S = 60;
const MEASURE_S = 20;
const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

const rows = [];
for (const nodes of [25, 100, 250]) {
  const sim = new Simulation(meshOfSize(nodes, WARMUP_S + MEASURE_S));
  const w0 = performance.now();
  const c0 = process.cpuUsage();
  sim.advanceTo(WARMUP_S * 1000);
  const warmCpu = process.cpuUsage(c0);
  const e0 = sim.scheduler.eventsRun;
  const w1 = performance.now();
  const c1 = process.cpuUsage();
  sim.run();
  const wallS = (performance.now() - w1) / 1000;
  const c = process.cpuUsage(c1);
  const cpuS = (c.user + c.system) / 1e6;
  const events = sim.scheduler.eventsRun - e0;
  const row = {
    nodes,
    links: sim.topology.links.length,
    startup: {
      virtual_s: WARMUP_S,
      wall_s: round((w1 - w0) / 1000),
      cpu_s: round((warmCpu.user + warmCpu.system) / 1e6),
    },
    steady_virtual_s: MEASURE_S,
    wall_s: round(wallS),
    cpu_s: round(cpuS),
    events,
    events_per_s: Math.round(events / wallS),
    events_per_cpu_s: Math.round(events / cpuS),
    realtime_factor: round(MEASURE_S / wallS),
    realtime_factor_cpu: round(MEASURE_S / cpuS),
  };
  rows.push(row);
  console.log(
    `${nodes} nodes, steady state: ${events} events in ${row.wall_s} s wall (${row.cpu_s} s CPU) = ` +
      `${row.events_per_s} events/s wall, ${row.events_per_cpu_s} per CPU second; ` +
      `real-time factor ${row.realtime_factor}x wall, ${row.realtime_factor_cpu}x CPU ` +
      `(start-up ${WARMUP_S} s took ${row.startup.cpu_s} s CPU)`,
  );
}
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/sim-speed.json',
  JSON.stringify({ date: today, machine, rows }, null, 2) + '\n',
);
