/**
 * Convergence after a node dies, 1 s originator interval: a relay node is crashed after the
 * windows filled (70 s; an interior node of the grid, the busiest relay of the random mesh),
 * and we time until every pair still connected has a working route again (checked every
 * 100 ms). Many seeds on a 5x5 grid and a 50-node random mesh, with the engine's defaults,
 * with only the relay-freshness rule (routerMissLimit 1, the engine before its other
 * fast-convergence additions) and with plain batman-adv TQ decay (ROUTING_VARIANTS).
 *
 * Run: npx tsx bench/routing-convergence.ts [variant ...] -> bench/results/routing-convergence.json
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { validateScenario } from '../src/sim/scenario.ts';
import { Simulation } from '../src/sim/simulation.ts';
import { machine, meshOfSize, ROUTING_VARIANTS, today } from './sim-sizes.ts';

const TRIALS = 15;
const DEATH_S = 70;

function stats(xs: number[]): {
  n: number;
  median: number;
  p95: number;
  max: number;
  mean: number;
} {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
  return {
    n: s.length,
    median: q(0.5),
    p95: q(0.95),
    max: s[s.length - 1]!,
    mean: Math.round((s.reduce((a, b) => a + b, 0) / s.length) * 1000) / 1000,
  };
}

/** The node that most routes use as next hop: the relay whose death hurts most. */
function busiestRelay(sim: Simulation): string {
  const uses = new Map<number, number>();
  for (const n of sim.nodes) {
    const r = sim.router(n.name);
    for (const d of sim.nodes) {
      const nh = r?.nextHop(d.address);
      if (nh !== undefined && nh !== d.address) uses.set(nh, (uses.get(nh) ?? 0) + 1);
    }
  }
  const best = [...uses.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]!;
  return sim.nodes.find((n) => n.address === best[0])!.name;
}

function trial(
  kind: 'grid' | 'random',
  seed: number,
  routing: (typeof ROUTING_VARIANTS)[keyof typeof ROUTING_VARIANTS],
): number | null {
  const base =
    kind === 'grid'
      ? validateScenario({
          seed,
          duration_s: DEATH_S + 15,
          topology: { kind: 'grid', rows: 5, cols: 5 },
          link: { loss: 0.02 },
        })
      : { ...meshOfSize(50, DEATH_S + 15, seed), traffic: { flows: [] } };
  const sim = new Simulation(validateScenario({ ...base, routing }));
  // a random phase against the OGM schedule
  const at = DEATH_S + (seed % 10) / 10;
  sim.advanceTo(at * 1000 - 1);
  // the victim: an interior grid node, or the mesh's busiest relay at that moment
  const victim =
    kind === 'grid' ? `n${[6, 7, 8, 11, 12, 13, 16, 17, 18][seed % 9]!}` : busiestRelay(sim);
  sim.inject({ at_s: at, kind: 'node-crash', target: victim });
  sim.run();
  return sim.summary(0).faults[0]!.convergence_s;
}

// Optional arguments: the variants to run (default: all), e.g. `default`.
const only = process.argv.slice(2);
const results: Record<string, unknown> = {};
for (const kind of ['grid', 'random'] as const) {
  for (const [variant, routing] of Object.entries(ROUTING_VARIANTS)) {
    if (only.length > 0 && !only.includes(variant)) continue;
    const xs: number[] = [];
    let never = 0;
    for (let seed = 1; seed <= TRIALS; seed++) {
      const c = trial(kind, seed, routing);
      if (c === null) never++;
      else xs.push(c);
    }
    const key = `${kind === 'grid' ? 'grid-5x5' : 'random-50'}/${variant}`;
    results[key] = { ...stats(xs), not_converged: never };
    console.log(key, JSON.stringify(results[key]));
  }
}
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/routing-convergence.json',
  JSON.stringify({ date: today, machine, originator_interval_ms: 1000, results }, null, 2) + '\n',
);
