/**
 * The routing engine's cost in the simulator, measured in CPU time (the machine is shared, so
 * wall time says little): per received OGM copy (CPU seconds of the whole simulation divided by
 * the OGM copies the engines processed, so it includes the simulator's share), the real-time
 * factor per CPU second, the resident memory at the end, and the steady-state route changes
 * per node per 10 minutes. Graphs: a lossless 5x5 grid (the route-stability goal) and random
 * geometric meshes of 50, 100 and 250 nodes at the sim-speed density.
 *
 * Each graph runs in its own process so the memory figures do not mix.
 *
 * Run: npx tsx bench/engine-cost.ts [grid|50|100|250 ...] -> bench/results/engine-cost.json
 * (one argument: print one JSON row; none: run all and write the file)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { validateScenario } from '../src/sim/scenario.ts';
import { Simulation } from '../src/sim/simulation.ts';
import { machine, meshOfSize, today } from './sim-sizes.ts';
import { commitMeasured, loadNow } from './bench-context.ts';

interface Row {
  graph: string;
  nodes: number;
  warmup_s: number;
  measured_virtual_s: number;
  cpu_s: number;
  ogm_copies: number;
  us_per_ogm_copy: number;
  realtime_factor_cpu: number;
  route_changes_per_node_per_10min: number;
  rss_mb: number;
}

const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

function plan(graph: string): { sim: Simulation; warmupS: number; measureS: number } {
  if (graph === 'grid') {
    const scenario = validateScenario({
      name: 'grid-5x5-lossless',
      seed: 1,
      duration_s: 720,
      topology: { kind: 'grid', rows: 5, cols: 5 },
      link: { latency_ms: 2, bandwidth_kbps: 6000, loss: 0 },
      traffic: { random_flows: { count: 10, rate_pps: 5, start_s: 5 } },
    });
    return { sim: new Simulation(scenario), warmupS: 120, measureS: 600 };
  }
  const nodes = Number(graph);
  const measureS = nodes >= 250 ? 10 : 20;
  const warmupS = 70;
  return { sim: new Simulation(meshOfSize(nodes, warmupS + measureS)), warmupS, measureS };
}

function totals(sim: Simulation): { ogms: number; changes: number } {
  let ogms = 0;
  let changes = 0;
  for (const n of sim.nodes) {
    const s = sim.router(n.name)?.engine.stats;
    if (!s) continue;
    ogms += s.ogmsReceived;
    changes += (s as { routeChanges?: number }).routeChanges ?? 0;
  }
  return { ogms, changes };
}

function measure(graph: string): Row {
  const { sim, warmupS, measureS } = plan(graph);
  sim.advanceTo(warmupS * 1000);
  const before = totals(sim);
  const c0 = process.cpuUsage();
  sim.run();
  const c = process.cpuUsage(c0);
  const after = totals(sim);
  const cpuS = (c.user + c.system) / 1e6;
  const copies = after.ogms - before.ogms;
  const nodes = sim.nodes.length;
  return {
    graph: graph === 'grid' ? 'grid-5x5-lossless' : `random-${graph}`,
    nodes,
    warmup_s: warmupS,
    measured_virtual_s: measureS,
    cpu_s: round(cpuS),
    ogm_copies: copies,
    us_per_ogm_copy: round((cpuS * 1e6) / copies, 3),
    realtime_factor_cpu: round(measureS / cpuS),
    route_changes_per_node_per_10min: round(
      ((after.changes - before.changes) / nodes) * (600 / measureS),
      3,
    ),
    rss_mb: Math.round(process.memoryUsage().rss / 2 ** 20),
  };
}

const args = process.argv.slice(2);
if (args.length === 1) {
  console.log(JSON.stringify(measure(args[0]!)));
} else {
  const rows: Row[] = [];
  const loadAtStart = loadNow();
  for (const g of args.length > 0 ? args : ['grid', '50', '100', '250']) {
    const out = execFileSync('npx', ['tsx', 'bench/engine-cost.ts', g], { encoding: 'utf8' });
    const row = JSON.parse(out.trim().split('\n').at(-1)!) as Row;
    console.log(JSON.stringify(row));
    rows.push(row);
  }
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    'bench/results/engine-cost.json',
    JSON.stringify(
      {
        date: today,
        machine,
        commit: commitMeasured(),
        load: { start: loadAtStart, end: loadNow() },
        rows,
      },
      null,
      2,
    ) + '\n',
  );
}
