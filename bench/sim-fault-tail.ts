/**
 * What a slow fault waits for: runs a scenario up to one fault and, every `step_ms` after it,
 * lists the connected pairs that are not routable and where each walk ends (no route at a
 * node, an unusable link, a loop), until the network converged or `horizon_s` passed. Prints
 * the count per step and the pairs that were routable last, with their cause, and says how
 * many of them start or end at the fault's target. The tool behind the boot trace in
 * docs/simulator-and-routing.md (random-250-chaos, seed 7).
 *
 * Run: npx tsx bench/sim-fault-tail.ts <scenario> <seed> <fault at_s> [variant of ROUTING_VARIANTS,
 * default 'default'] [step_ms 50] [horizon_s 6]
 * -> bench/results/sim-fault-tail-<scenario>[-variant]-seed-<seed>-at-<at_s>.json
 * e.g. npx tsx bench/sim-fault-tail.ts scenarios/random-250-chaos.yaml 7 64.49 no-hold-early-ogms
 * (the engine the doc's trace was taken with; a run of 250 nodes to 70 s takes a few CPU minutes)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseScenario } from '../src/sim/scenario.ts';
import type { UnroutablePair } from '../src/sim/route-check.ts';
import { Simulation } from '../src/sim/simulation.ts';
import { machine, ROUTING_VARIANTS, today } from './sim-sizes.ts';

const [file, seedArg, atArg] = process.argv.slice(2);
if (!file || !seedArg || !atArg)
  throw new Error(
    'usage: sim-fault-tail.ts <scenario> <seed> <fault at_s> [variant] [step_ms] [horizon_s]',
  );
const seed = Number(seedArg);
const atMs = Math.round(Number(atArg) * 1000);
const variant = (process.argv[5] ?? 'default') as keyof typeof ROUTING_VARIANTS;
if (!(variant in ROUTING_VARIANTS)) throw new Error(`unknown variant ${variant}`);
const stepMs = Number(process.argv[6] ?? 50);
const horizonMs = Number(process.argv[7] ?? 6) * 1000;
const name = `${basename(file, '.yaml')}${variant === 'default' ? '' : `-${variant}`}`;
const scenario = parseScenario(readFileSync(file, 'utf8'), basename(file));
Object.assign(scenario.routing, ROUTING_VARIANTS[variant]);
const sim = new Simulation(scenario, { seed });

sim.advanceTo(atMs);
const fault = sim.faults.find((f) => Math.round(f.at_s * 1000) === atMs);
if (!fault) {
  // Faults after `at` are not applied yet: run on to list them all.
  sim.run();
  const all = sim.faults.map((f) => `${f.at_s} ${f.kind} ${f.target}`).join('\n  ');
  throw new Error(`no fault at ${atArg} s in ${file} with seed ${seed}; its faults:\n  ${all}`);
}
const targets = new Set(fault.target.split('-'));
const steps: Array<{ after_s: number; unroutable: number; loops: number; with_target: number }> =
  [];
/** Per pair: its cause at the last step it was unroutable, and when that was. */
const last = new Map<string, { pair: UnroutablePair; at: number }>();
for (let t = atMs; t <= atMs + horizonMs; t += stepMs) {
  sim.advanceTo(t);
  const pairs = sim.unroutablePairs();
  for (const p of pairs) last.set(`${p.src}>${p.dst}`, { pair: p, at: t });
  steps.push({
    after_s: (t - atMs) / 1000,
    unroutable: pairs.length,
    loops: pairs.filter((p) => p.cause === 'loop').length,
    with_target: pairs.filter((p) => targets.has(p.src) || targets.has(p.dst)).length,
  });
  if (pairs.length === 0 && t > atMs) break;
}
const converged = steps.at(-1)!.unroutable === 0 ? steps.at(-1)!.after_s : null;
const tail = [...last.values()]
  .sort((a, b) => b.at - a.at)
  .slice(0, 20)
  .map(({ pair, at }) => ({ ...pair, routable_after_s: (at + stepMs - atMs) / 1000 }));

console.log(`${fault.kind} ${fault.target} at ${fault.at_s} s (seed ${seed}):`);
for (const s of steps)
  if (Math.round(s.after_s * 1000) % 250 === 0 || s.unroutable === 0)
    console.log(
      `  +${s.after_s.toFixed(2)} s: ${s.unroutable} unroutable (${s.with_target} to or from ${fault.target}, ${s.loops} looping)`,
    );
console.log(`converged ${converged === null ? 'not within the horizon' : `after ${converged} s`}`);
console.log('pairs routable last:');
for (const p of tail)
  console.log(
    `  ${p.src} -> ${p.dst}: until +${p.routable_after_s} s, ${p.cause} at ${p.at} after ${p.hops} hops`,
  );
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  `bench/results/sim-fault-tail-${name}-seed-${seed}-at-${atArg}.json`,
  JSON.stringify(
    {
      date: today,
      machine,
      scenario: name,
      variant,
      seed,
      fault,
      step_ms: stepMs,
      converged,
      steps,
      tail,
    },
    null,
    2,
  ) + '\n',
);
