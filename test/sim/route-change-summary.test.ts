import { describe, expect, it } from 'vitest';
import { RouteChangeLog, SETTLE_S } from '../../src/sim/route-change-log.ts';
import { parsed, simulate } from './helpers.ts';

describe('RouteChangeLog', () => {
  it('counts per node and leaves start-up and fault windows out of the steady state', () => {
    const log = new RouteChangeLog(['a', 'b', 'c']);
    log.record(0, 5_000); // start-up: before convergence (10 s) + settle
    log.record(1, 10_000 + SETTLE_S * 1000 - 500); // still settling after start-up
    log.record(1, 70_200); // inside the fault window: fault at 70 s converged 2 s later
    log.record(2, 70_000 + 2_000 + SETTLE_S * 1000 + 100); // steady
    const s = log.summary(10, [{ at_s: 70, convergence_s: 2 }], 120);
    expect(s.total).toBe(4);
    expect(s.per_node).toEqual({ a: 1, b: 2, c: 1 });
    // steady seconds: [10 + 64, 70) is empty, then [70 + 2 + 64, 160)
    const s2 = log.summary(10, [{ at_s: 70, convergence_s: 2 }], 160);
    expect(s.steady_state).toMatchObject({ from_s: 74, virtual_s: 0, changes: 0 });
    expect(s2.steady_state).toMatchObject({ virtual_s: 24, changes: 1 });
    expect(s2.steady_state.per_node_per_min).toBeCloseTo(1 / 3 / (24 / 60), 4);
  });

  it('has no steady state before convergence, nor after a fault that never converged', () => {
    const log = new RouteChangeLog(['a']);
    log.record(0, 1_000);
    expect(log.summary(null, [], 100).steady_state).toMatchObject({
      from_s: null,
      virtual_s: 0,
      changes: 0,
      per_node_per_min: null,
    });
    expect(log.summary(0, [{ at_s: 80, convergence_s: null }], 100).steady_state).toMatchObject({
      virtual_s: 80 - SETTLE_S, // [64, 80)
    });
  });
});

// a-b-d is the short path, a-c-e-d the long one; a-b is cut at 40 s and healed at 80 s.
const diamond = `
name: diamond
seed: 3
duration_s: 240
topology:
  kind: explicit
  nodes: [{ name: a }, { name: b }, { name: c }, { name: d }, { name: e }]
  links:
    - { a: a, b: b }
    - { a: b, b: d }
    - { a: a, b: c }
    - { a: c, b: e }
    - { a: e, b: d }
faults:
  - { at_s: 40, kind: link-cut, target: a-b }
  - { at_s: 80, kind: link-heal, target: a-b }
`;

describe('route_changes in the summary', () => {
  it('counts every traced route change, per node, and the reroutes of a fault are not steady', () => {
    const { sim, lines } = simulate(diamond);
    sim.run();
    const traced = parsed(lines).filter((r) => r.src === 'route-change');
    const s = sim.summary(0);
    expect(s.route_changes.total).toBe(traced.length);
    expect(s.route_changes.total).toBeGreaterThan(0);
    for (const name of ['a', 'b', 'c', 'd', 'e'])
      expect(s.route_changes.per_node[name], name).toBe(
        traced.filter((r) => r.node === name).length,
      );
    const [cut, heal] = s.faults;
    const steadyFrom = s.initial_convergence_s! + SETTLE_S;
    const inSteady = (t: number): boolean =>
      t >= Math.ceil(steadyFrom) * 1000 &&
      !(t >= 40_000 && t < (40 + cut!.convergence_s! + SETTLE_S) * 1000) &&
      !(t >= 80_000 && t < (80 + heal!.convergence_s! + SETTLE_S) * 1000) &&
      t < 240_000;
    expect(s.route_changes.steady_state.changes).toBe(
      traced.filter((r) => inSteady(Math.floor((r.t as number) / 1000) * 1000)).length,
    );
    // a's reroute at the cut happened, and is outside the steady state
    expect(
      traced.some((r) => r.node === 'a' && (r.t as number) >= 40_000 && (r.t as number) < 42_000),
    ).toBe(true);
    let steadySeconds = 0;
    for (let t = 0; t < 240_000; t += 1000) if (inSteady(t)) steadySeconds++;
    expect(s.route_changes.steady_state.virtual_s).toBe(steadySeconds);
    expect(steadySeconds).toBeGreaterThan(60);
  });
});
