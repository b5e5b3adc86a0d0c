import { describe, expect, it } from 'vitest';
import { convergenceInvariant } from '../../src/sim/convergence-invariant.ts';
import type { FaultResult } from '../../src/sim/simulation.ts';

const fault = (at_s: number, convergence_s: number | null): FaultResult => ({
  at_s,
  kind: 'node-crash',
  target: `n${at_s}`,
  convergence_s,
});

describe('convergenceInvariant', () => {
  it('times only faults the next one does not follow within 3 s', () => {
    const faults = [
      fault(10, 5), // followed at 12 s: converges with the next one, not timed
      fault(12, 2.5), // timed, fine
      fault(40, 3.2), // timed, too slow
      fault(60, null), // timed, never converged
      fault(100, 1), // the last one: timed against the end of the run
    ];
    const inv = convergenceInvariant(faults, 120);
    expect(inv.faults_timed).toBe(4);
    expect(inv.violations.map((f) => f.at_s)).toEqual([40, 60]);
    expect(inv.holds).toBe(false);
  });

  it('holds when every timed fault converged in time; a fault at the very end is not timed', () => {
    const inv = convergenceInvariant([fault(10, 0.5), fault(118, null)], 120);
    expect(inv).toMatchObject({ within_s: 3, faults_timed: 1, violations: [], holds: true });
  });
});
