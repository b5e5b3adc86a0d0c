import { describe, expect, it } from 'vitest';
import type { RoutingApp } from '../../src/sim/routing-app.ts';
import { simulate } from './helpers.ts';

// 25 nodes at random, 2 gateways with WANs, random node crashes, link cuts and WAN failures
// for 240 s of virtual time.
const chaos = `
name: chaos-25
seed: 11
duration_s: 300
topology: { kind: random-geometric, nodes: 25, width: 400, height: 400, range: 140 }
link: { latency_ms: 2, bandwidth_kbps: 2000, loss: 0.02 }
wans:
  - { node: n0, gateway: { down_kbit: 50000, up_kbit: 10000 } }
  - { node: n12, name: lte, gateway: { down_kbit: 20000, up_kbit: 5000 } }
traffic:
  random_flows: { count: 8, rate_pps: 5, start_s: 20 }
chaos: { start_s: 40, stop_s: 280, mean_interval_s: 12, heal_after_s: 15 }
`;

describe('chaos: random node, link and WAN faults over long virtual time', () => {
  it('keeps the invariants', () => {
    const { sim } = simulate(chaos);
    const pendingAt: number[] = [];
    for (const t of [150_000, 300_000]) {
      sim.advanceTo(t); // throws if any component crashes
      pendingAt.push(sim.scheduler.pending);
    }
    const s = sim.summary(0);
    const kinds = new Set(s.faults.map((f) => f.kind));
    expect(kinds).toEqual(
      new Set([
        'node-crash',
        'node-boot',
        'link-cut',
        'link-heal',
        'wan-down',
        'wan-blackhole',
        'wan-up',
      ]),
    );
    expect(s.faults.length).toBeGreaterThan(20);

    // No forwarding loop outlives a few originator intervals (1 s each).
    expect(s.max_loop_s).toBeLessThanOrEqual(5);
    // Every fault is followed by a state where each still-connected pair is routable.
    for (const f of s.faults)
      expect(f.convergence_s, `${f.kind} ${f.target} at ${f.at_s}`).not.toBeNull();
    // Losses (node death, cut) heal fast; the median is within 3 s.
    const losses = s.faults
      .filter((f) => f.kind === 'node-crash' || f.kind === 'link-cut')
      .map((f) => f.convergence_s!);
    losses.sort((a, b) => a - b);
    expect(losses[Math.floor((losses.length - 1) / 2)]!).toBeLessThanOrEqual(3);
    for (const c of losses) expect(c).toBeLessThanOrEqual(8);
    expect(s.unroutable_at_end).toBe(0);

    // Memory stays bounded: routing tables hold at most every node, the event queue does not grow.
    for (const n of sim.nodes) {
      const r = n.app<RoutingApp>('batman');
      if (r) expect(r.engine.originatorCount).toBeLessThanOrEqual(sim.nodes.length - 1);
    }
    expect(pendingAt[1]!).toBeLessThan(pendingAt[0]! * 2 + 1000);
    expect(pendingAt[1]!).toBeLessThan(200 * sim.nodes.length);
  });
});
