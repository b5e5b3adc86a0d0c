/**
 * The combined summary of several seeds of one scenario (`sim run --seeds`): each seed's own
 * summary, and aggregates over them. Faults are pooled across seeds for the convergence
 * percentiles; the steady-state route-change rate is pooled by node-minutes, so a seed with a
 * longer steady state weighs more.
 *
 * @example
 * const combined = seedsSummary('random-250-chaos', [s1, s2]);
 * combined.aggregates.pdr.mean;
 */
import type { Summary } from './simulation.ts';

export interface SeedsSummary {
  scenario: string;
  seeds: number[];
  runs: Array<{ seed: number; dir: string; summary: Summary }>;
  aggregates: {
    runs: number;
    pdr: { mean: number; min: number; max: number };
    initial_convergence_s: { max: number | null; never: number };
    faults: number;
    faults_never_converged: number;
    /** Over every converged fault of every seed. */
    convergence_s: { median: number | null; p95: number | null; max: number | null };
    max_loop_s: number;
    unroutable_at_end: number;
    route_changes: { total: number; steady_state_per_node_per_min: number | null };
    wall_s: number;
  };
}

const round = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d;

function nearestRank(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  ]!;
}

export function seedsSummary(
  scenario: string,
  runs: Array<{ seed: number; dir: string; summary: Summary }>,
): SeedsSummary {
  const s = runs.map((r) => r.summary);
  const pdrs = s.map((x) => x.pdr);
  const initial = s.map((x) => x.initial_convergence_s);
  const faults = s.flatMap((x) => x.faults);
  const conv = faults
    .map((f) => f.convergence_s)
    .filter((c): c is number => c !== null)
    .sort((a, b) => a - b);
  let steadyChanges = 0;
  let nodeMinutes = 0;
  for (const x of s) {
    steadyChanges += x.route_changes.steady_state.changes;
    nodeMinutes += (x.nodes * x.route_changes.steady_state.virtual_s) / 60;
  }
  const converged = initial.filter((c): c is number => c !== null);
  return {
    scenario,
    seeds: runs.map((r) => r.seed),
    runs,
    aggregates: {
      runs: runs.length,
      pdr: {
        mean: round(pdrs.reduce((a, b) => a + b, 0) / Math.max(1, pdrs.length), 6),
        min: Math.min(...pdrs),
        max: Math.max(...pdrs),
      },
      initial_convergence_s: {
        max: converged.length === 0 ? null : Math.max(...converged),
        never: initial.length - converged.length,
      },
      faults: faults.length,
      faults_never_converged: faults.length - conv.length,
      convergence_s: {
        median: nearestRank(conv, 50),
        p95: nearestRank(conv, 95),
        max: conv.length === 0 ? null : conv[conv.length - 1]!,
      },
      max_loop_s: Math.max(0, ...s.map((x) => x.max_loop_s)),
      unroutable_at_end: s.reduce((a, x) => a + x.unroutable_at_end, 0),
      route_changes: {
        total: s.reduce((a, x) => a + x.route_changes.total, 0),
        steady_state_per_node_per_min:
          nodeMinutes === 0 ? null : round(steadyChanges / nodeMinutes, 4),
      },
      wall_s: round(
        s.reduce((a, x) => a + x.wall_s, 0),
        3,
      ),
    },
  };
}
