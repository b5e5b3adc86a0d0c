/**
 * The chaos invariant over many seeds: scenarios/chaos-25.yaml (25 nodes, 2 % loss, random node
 * crashes, link cuts and WAN faults for 240 s) per seed; for each fault that the next one does
 * not follow within 3 s, its convergence (every still-connected pair routable again) must be
 * within 3 s (src/sim/convergence-invariant.ts). Prints the distribution per fault kind, the
 * violations and the longest loop. A third argument names another scenario, e.g.
 * scenarios/random-250-chaos.yaml (the same invariant at 250 nodes, issue 16).
 *
 * Run: npx tsx bench/sim-chaos.ts [seeds, default 24] [variant of ROUTING_VARIANTS, default
 * 'default'] [scenario file] -> bench/results/sim-chaos[-scenario][-variant].json
 * A count N runs seeds 1..N; a list as `sim run --seeds` takes it (`7..7`, `2,7`, `9..12`) runs
 * those, and its results file is named after them (`-seeds-2-7`), so that runs of other seeds
 * at 250 nodes, about ten CPU minutes each, can go side by side in separate processes.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { CONVERGENCE_WITHIN_S } from '../src/sim/convergence-invariant.ts';
import { parseScenario } from '../src/sim/scenario.ts';
import { Simulation } from '../src/sim/simulation.ts';
import { parseSeedList } from '../src/sim/seed-list.ts';
import { machine, ROUTING_VARIANTS, today } from './sim-sizes.ts';

const WITHIN_S = CONVERGENCE_WITHIN_S;
const seedsArg = process.argv[2] ?? '24';
const seedList = /^\d+$/.test(seedsArg)
  ? Array.from({ length: Number(seedsArg) }, (_, i) => i + 1)
  : parseSeedList(seedsArg);
const seeds = seedList.length;
const seedsSuffix = /^\d+$/.test(seedsArg) ? '' : `-seeds-${seedList.join('-')}`;
const variant = (process.argv[3] ?? 'default') as keyof typeof ROUTING_VARIANTS;
if (!(variant in ROUTING_VARIANTS)) throw new Error(`unknown variant ${variant}`);
const file = process.argv[4] ?? 'scenarios/chaos-25.yaml';
const name = basename(file, '.yaml');
const scenario = parseScenario(readFileSync(file, 'utf8'), basename(file));
Object.assign(scenario.routing, ROUTING_VARIANTS[variant]);
const byKind = new Map<string, number[]>();
const violations: string[] = [];
let maxLoopS = 0;
let overhead = 0;
let routeChanges = 0;
let timed = 0;
for (const seed of seedList) {
  const sim = new Simulation(scenario, { seed });
  sim.run();
  const s = sim.summary(0);
  maxLoopS = Math.max(maxLoopS, s.max_loop_s);
  overhead += s.overhead_bytes_per_node_s / seeds;
  routeChanges += s.route_changes.total;
  timed += s.convergence_invariant.faults_timed;
  for (const v of s.convergence_invariant.violations)
    violations.push(
      `seed ${seed}: ${v.kind} ${v.target} at ${v.at_s} s: ${v.convergence_s ?? 'never'} s`,
    );
  s.faults.forEach((f, i) => {
    const next = s.faults[i + 1]?.at_s ?? s.virtual_s;
    if (next - f.at_s <= WITHIN_S) return; // converges with the next one
    const kind = f.kind.startsWith('wan-') ? 'wan-*' : f.kind;
    byKind.set(kind, [...(byKind.get(kind) ?? []), f.convergence_s ?? Number.POSITIVE_INFINITY]);
  });
  console.log(
    `seed ${seed}: ${s.convergence_invariant.violations.length} of ${s.convergence_invariant.faults_timed} timed faults over ${WITHIN_S} s`,
  );
}
const q = (xs: number[], p: number): number =>
  xs[Math.min(xs.length - 1, Math.ceil(p * xs.length) - 1)]!;
const kinds: Record<string, unknown> = {};
for (const [kind, xs] of [...byKind].sort()) {
  xs.sort((a, b) => a - b);
  kinds[kind] = { n: xs.length, median: q(xs, 0.5), p90: q(xs, 0.9), max: xs[xs.length - 1] };
  console.log(kind.padEnd(11), JSON.stringify(kinds[kind]));
}
console.log(
  `${violations.length} of ${timed} faults over ${WITHIN_S} s; longest loop ${maxLoopS} s`,
);
for (const v of violations) console.log(`  ${v}`);
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  `bench/results/sim-chaos${name === 'chaos-25' ? '' : `-${name}`}${variant === 'default' ? '' : `-${variant}`}${seedsSuffix}.json`,
  JSON.stringify(
    {
      date: today,
      machine,
      scenario: name,
      seeds,
      seed_list: seedList,
      variant,
      within_s: WITHIN_S,
      faults_timed: timed,
      violations,
      max_loop_s: maxLoopS,
      overhead_bytes_per_node_s: Math.round(overhead * 10) / 10,
      route_changes_per_run: Math.round(routeChanges / seeds),
      kinds,
    },
    null,
    2,
  ) + '\n',
);
