/**
 * Simulator speed and size (issue 16): per network size, the real-time factor per CPU second,
 * the peak memory (RSS), and the CPU cost of one received OGM copy, with the B.A.T.M.A.N. IV
 * engine on every node and 10 data flows. Random geometric meshes at the anchor density
 * (bench/sim-sizes.ts: the area grows with N, mean degree about 9) at 50, 100, 250, 500 and
 * 1,000 nodes, and the 5x5 grid of the ns-3 comparison; plus the steady-state route changes of a
 * lossless 5x5 grid over 10 minutes.
 *
 * Each size runs in its own process, so its peak RSS is its own. Each is measured in steady
 * state after a warm-up (windows filling, routes forming), reported apart; warm-up and measured
 * virtual time shrink with N to keep the whole bench within about half an hour of CPU on a
 * shared 2-core machine. The machine is shared, so the figures are CPU time, not wall time.
 * Writes bench/results/sim-speed.json and bench/results/sim-speed-scaling.svg (CPU seconds per
 * virtual second against N, beside N^2 through the 250-node point, log-log).
 *
 * Run: npx tsx bench/sim-speed.ts [sizes, default 50,100,250,500,1000]
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Scenario } from '../src/sim/scenario-schema.ts';
import { Simulation } from '../src/sim/simulation.ts';
import { lineChart } from '../src/sim/svg.ts';
import { grid5x5, machine, meshOfSize, today } from './sim-sizes.ts';
import { commitMeasured, loadNow } from './bench-context.ts';

const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

/** [warm-up, measured] virtual seconds per size: shorter at big N (a 64-OGM window is 64 s). */
function durations(nodes: number): [number, number] {
  if (nodes <= 100) return [60, 30];
  if (nodes <= 250) return [20, 10];
  if (nodes <= 500) return [10, 4];
  return [6, 2];
}

interface Row {
  graph: string;
  nodes: number;
  links: number;
  mean_degree: number;
  warmup: { virtual_s: number; cpu_s: number };
  virtual_s: number;
  cpu_s: number;
  events: number;
  realtime_factor_cpu: number;
  cpu_s_per_virtual_s: number;
  /** OGM frames received (one frame may aggregate several OGMs). */
  ogm_frame_copies_received: number;
  us_per_ogm_frame_copy: number;
  /** OGMs the engines received (the "OGM copies": N^2 x mean degree per second). */
  ogm_copies_received: number;
  us_per_ogm_copy: number;
  peak_rss_mb: number;
}

/** One size in this process: warm up, measure, report. */
function measure(graph: string, scenario: Scenario, warmS: number, measureS: number): Row {
  const sim = new Simulation({ ...scenario, duration_s: warmS + measureS });
  const c0 = process.cpuUsage();
  sim.advanceTo(warmS * 1000);
  const warm = process.cpuUsage(c0);
  const e0 = sim.scheduler.eventsRun;
  const ogm0 = sim.radio.counters.framesReceived.get('ogm') ?? 0;
  const ogms = (): number =>
    sim.nodes.reduce((a, n) => a + (sim.router(n.name)?.engine.stats.ogmsReceived ?? 0), 0);
  const ogms0 = ogms();
  const c1 = process.cpuUsage();
  sim.run();
  const c = process.cpuUsage(c1);
  const cpuS = (c.user + c.system) / 1e6;
  const frames = (sim.radio.counters.framesReceived.get('ogm') ?? 0) - ogm0;
  const copies = ogms() - ogms0;
  const links = sim.topology.links.length;
  return {
    graph,
    nodes: sim.nodes.length,
    links,
    mean_degree: round((2 * links) / sim.nodes.length, 1),
    warmup: { virtual_s: warmS, cpu_s: round((warm.user + warm.system) / 1e6) },
    virtual_s: measureS,
    cpu_s: round(cpuS, 3),
    events: sim.scheduler.eventsRun - e0,
    realtime_factor_cpu: round(measureS / cpuS),
    cpu_s_per_virtual_s: round(cpuS / measureS, 4),
    // The whole simulator's CPU (engine, radio, queue, checks, flows) over what was received.
    ogm_frame_copies_received: frames,
    us_per_ogm_frame_copy: round((cpuS * 1e6) / frames, 3),
    ogm_copies_received: copies,
    us_per_ogm_copy: round((cpuS * 1e6) / copies, 3),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

/** Steady-state route changes on a lossless 5x5 grid, 10 minutes of virtual time. */
function gridStability(): Record<string, unknown> {
  const sim = new Simulation(grid5x5(600, 0, false));
  sim.run();
  const s = sim.summary(0);
  const rc = s.route_changes.steady_state;
  return {
    graph: 'grid-5x5, lossless, no flows',
    virtual_s: s.virtual_s,
    initial_convergence_s: s.initial_convergence_s,
    route_changes_total: s.route_changes.total,
    steady_state: rc,
    per_node_per_10_min: rc.per_node_per_min === null ? null : round(rc.per_node_per_min * 10, 3),
  };
}

const [mode, arg] = process.argv.slice(2);
if (mode === '--one') {
  // Child: one measurement, JSON on stdout.
  const out =
    arg === 'grid'
      ? measure('grid-5x5', grid5x5(90, 0.02, true), 60, 30)
      : arg === 'stability'
        ? gridStability()
        : measure(`random-${arg}`, meshOfSize(Number(arg), 1), ...durations(Number(arg)));
  process.stdout.write(JSON.stringify(out));
} else {
  const sizes = (mode ?? '50,100,250,500,1000').split(',').map(Number);
  // Children run three at a time, the biggest first: CPU time is per process, so running them
  // side by side changes the wall time only.
  const child = async (what: string): Promise<unknown> => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--max-old-space-size=20000', 'bench/sim-speed.ts', '--one', what],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
    );
    return JSON.parse(stdout) as unknown;
  };
  const loadAtStart = loadNow();
  const jobs = ['stability', 'grid', ...sizes.map(String)];
  const results = new Map<string, unknown>();
  const queue = [...jobs].sort((a, b) => (Number(b) || 0) - (Number(a) || 0));
  const lane = async (): Promise<void> => {
    for (let what = queue.shift(); what !== undefined; what = queue.shift()) {
      results.set(what, await child(what));
      console.log(`${what}: ${JSON.stringify(results.get(what))}`);
    }
  };
  await Promise.all([lane(), lane(), lane()]);
  const rows = jobs.filter((j) => j !== 'stability').map((j) => results.get(j) as Row);
  const stability = results.get('stability');
  const random = rows.filter((r) => r.graph.startsWith('random-'));
  const anchor = random.find((r) => r.nodes === 250) ?? random[random.length - 1]!;
  const log = (x: number): number => Math.log10(x);
  const svg = lineChart({
    title: 'Simulator CPU per virtual second against N (log-log), random meshes at one density',
    xLabel: 'log10 nodes',
    yLabel: 'log10 CPU s per virtual s',
    markers: true,
    series: [
      { name: 'measured', points: random.map((r) => [log(r.nodes), log(r.cpu_s_per_virtual_s)]) },
      {
        name: `N^2 through ${anchor.nodes} nodes`,
        points: random.map((r) => [
          log(r.nodes),
          log(anchor.cpu_s_per_virtual_s * (r.nodes / anchor.nodes) ** 2),
        ]),
      },
    ],
  });
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/sim-speed-scaling.svg', svg + '\n');
  // The exponent between the smallest and the largest size: CPU ~ N^k.
  const first = random[0]!;
  const last = random[random.length - 1]!;
  const exponent =
    random.length > 1
      ? round(
          log(last.cpu_s_per_virtual_s / first.cpu_s_per_virtual_s) / log(last.nodes / first.nodes),
        )
      : null;
  writeFileSync(
    'bench/results/sim-speed.json',
    JSON.stringify(
      {
        date: today,
        machine,
        commit: commitMeasured(),
        load: { start: loadAtStart, end: loadNow() },
        cpu_exponent: exponent,
        rows,
        lossless_grid: stability,
      },
      null,
      2,
    ) + '\n',
  );
}
