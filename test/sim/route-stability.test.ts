import { describe, expect, it } from 'vitest';
import { simulate } from './helpers.ts';

// A lossless 5x5 grid without traffic for 10 minutes: after convergence every path's quality is
// constant, so an engine that keeps switching between equal paths shows up in the steady state.
const grid = `
name: grid-5x5-lossless
seed: 1
duration_s: 600
topology: { kind: grid, rows: 5, cols: 5 }
link: { latency_ms: 2, bandwidth_kbps: 6000, loss: 0 }
traffic: { flows: [] }
`;

describe('route changes on a lossless grid in steady state', () => {
  it('are counted from one receive window after convergence, and stay rare', () => {
    const { sim } = simulate(grid);
    sim.run();
    const s = sim.summary(0);
    const steady = s.route_changes.steady_state;
    expect(s.initial_convergence_s).not.toBeNull();
    expect(steady.from_s).toBe(s.initial_convergence_s! + 64);
    expect(steady.virtual_s).toBe(600 - Math.ceil(steady.from_s!));
    // the start-up made many changes; they are outside the steady state
    expect(s.route_changes.total).toBeGreaterThan(10 * steady.changes);
    // Before the engine's switching margin (h16-engine) this grid switched dozens of times per
    // node per minute in steady state (3,682 changes in 119 s, 74 per node per minute, counted
    // from 30 s after convergence); with it, well under one. (Issue 16's goal, one per node per 10 minutes,
    // 0.1 per minute, is the engine's to reach: docs/simulator-scale.md.)
    expect(steady.per_node_per_min!).toBeLessThan(1);
  }, 60_000);
});
