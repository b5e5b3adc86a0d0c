/**
 * The chaos invariant of issue 16 and of test/sim/chaos.test.ts: every fault that the next one
 * does not follow within `within_s` must see every still-connected pair routable again within
 * `within_s`. A fault the next one follows sooner converges together with it and is not timed
 * on its own; the last fault is timed against the end of the run.
 *
 * @example
 * const inv = convergenceInvariant(sim.faults, sim.summary(0).virtual_s);
 * inv.holds; // false when some timed fault took longer or never converged
 */
import type { FaultResult } from './simulation.ts';

export const CONVERGENCE_WITHIN_S = 3;

export interface ConvergenceInvariant {
  within_s: number;
  /** Faults not followed by another within `within_s`: the ones the invariant times. */
  faults_timed: number;
  /** Timed faults that took longer than `within_s`, or never converged (convergence_s null). */
  violations: FaultResult[];
  holds: boolean;
}

export function convergenceInvariant(
  faults: readonly FaultResult[],
  endS: number,
  withinS = CONVERGENCE_WITHIN_S,
): ConvergenceInvariant {
  let timed = 0;
  const violations: FaultResult[] = [];
  faults.forEach((f, i) => {
    const next = faults[i + 1]?.at_s ?? endS;
    if (next - f.at_s <= withinS) return;
    timed++;
    if (f.convergence_s === null || f.convergence_s > withinS) violations.push(f);
  });
  return { within_s: withinS, faults_timed: timed, violations, holds: violations.length === 0 };
}
