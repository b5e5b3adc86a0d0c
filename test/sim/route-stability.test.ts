import { describe, expect, it } from 'vitest';
import { parsed, simulate } from './helpers.ts';

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

  // bench/engine-cost.ts's grid (10 flows, measured from 120 s) on the seeds whose routes
  // flapped before the neighbour-loss detector asked for an overdue OGM (bench/route-stability.ts,
  // 2026-12-07: 2.72 / 2.52 / 6.28 changes per node per 10 minutes on seeds 1 / 3 / 5). A grid
  // node pauses between the OGM waves for up to most of an interval, and the pause drifts with
  // every node's jitter; judged by time alone, pauses over 500 ms declared it lost, and about
  // 50 routes moved away and back each time.
  const benchGrid = `
name: grid-5x5-lossless
duration_s: 720
topology: { kind: grid, rows: 5, cols: 5 }
link: { latency_ms: 2, bandwidth_kbps: 6000, loss: 0 }
traffic: { random_flows: { count: 10, rate_pps: 5, start_s: 5 } }
`;
  it.each([1, 3, 5])(
    'stay within the goal of 1 per node per 10 minutes on seed %i, none from neighbour loss',
    (seed) => {
      const { sim, lines } = simulate(benchGrid, seed);
      sim.run();
      const changes = parsed(lines).filter(
        (l) => l.src === 'route-change' && Number(l.t) >= 120_000,
      );
      expect(changes.filter((c) => /silent for/.test(String(c.reason)))).toEqual([]);
      expect(changes.length / sim.nodes.length).toBeLessThanOrEqual(1);
    },
    60_000,
  );
});
