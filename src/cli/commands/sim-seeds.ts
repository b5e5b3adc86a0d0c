/**
 * `sim run SCENARIO --seeds LIST [--workers N] [--out DIR]`: the seeds on worker threads, a
 * line per finished seed, then the aggregates; DIR/seed-N/ per seed and DIR/seeds-summary.json.
 */
import { InvalidArgumentError } from 'commander';
import { runSeeds } from '../../sim/run-seeds.ts';
import type { Scenario } from '../../sim/scenario-schema.ts';
import { parseSeedList, SeedListError } from '../../sim/seed-list.ts';
import { join } from 'node:path';

export function seedListOption(value: string): number[] {
  try {
    return parseSeedList(value);
  } catch (err) {
    if (err instanceof SeedListError) throw new InvalidArgumentError(err.message);
    throw err;
  }
}

export async function runSeedsCommand(
  scenario: Scenario,
  seeds: number[],
  opts: { seed?: number; workers?: number; out: string; realtime: boolean },
): Promise<void> {
  if (opts.seed !== undefined)
    throw new InvalidArgumentError('--seed and --seeds exclude each other: give one.');
  if (opts.realtime)
    throw new InvalidArgumentError('--realtime paces one run to the wall clock: not with --seeds.');
  const combined = await runSeeds(scenario, seeds, {
    outDir: opts.out,
    workers: opts.workers,
    onSeedDone: (seed, s) =>
      console.log(
        `seed ${seed}: PDR ${s.pdr}, convergence median ${s.convergence_s.median} s, ` +
          `max ${s.convergence_s.max} s, ${s.route_changes.total} route changes, ${s.wall_s} s wall`,
      ),
  });
  const a = combined.aggregates;
  console.log(
    `${combined.scenario}: ${a.runs} seeds; PDR mean ${a.pdr.mean} (min ${a.pdr.min}), ` +
      `convergence median ${a.convergence_s.median} s, p95 ${a.convergence_s.p95} s, ` +
      `${a.faults_never_converged} of ${a.faults} faults never converged, steady-state route ` +
      `changes ${a.route_changes.steady_state_per_node_per_min} per node per minute -> ` +
      join(opts.out, 'seeds-summary.json'),
  );
}
