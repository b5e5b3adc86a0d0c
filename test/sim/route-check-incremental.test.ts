import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkRoutes } from '../../src/sim/route-check.ts';
import type { RoutingApp } from '../../src/sim/routing-app.ts';
import { simulate } from './helpers.ts';

const chaos = readFileSync('scenarios/chaos-25.yaml', 'utf8');

describe('incremental route check', () => {
  it.each([11])('agrees with the full check at every instant of chaos-25, seed %i', (seed) => {
    const { sim } = simulate(chaos, seed);
    const names = sim.nodes.map((n) => n.name);
    let compared = 0;
    let unroutableSeen = 0;
    let skipped = 0;
    for (let t = 500; t <= 120_000; t += 500) {
      sim.advanceTo(t);
      const pendingBefore = sim.routes.pending;
      const incremental = sim.routeCheck();
      const routers = sim.nodes.map((n) => n.app<RoutingApp>('batman'));
      const full = checkRoutes(names, sim.channel, (src, dst) => {
        const nh = routers[src]?.nextHop(dst + 1);
        return nh === undefined ? undefined : nh - 1;
      });
      expect({ ...incremental, loops: [...incremental.loops].sort() }, `at ${t} ms`).toEqual({
        ...full,
        loops: [...full.loops].sort(),
      });
      // the quick probe says the same about convergence
      expect(sim.routeCheck(true).unroutable > 0, `quick at ${t} ms`).toBe(full.unroutable > 0);
      compared++;
      if (full.unroutable > 0) unroutableSeen++;
      if (pendingBefore < names.length) skipped++;
    }
    expect(compared).toBe(240);
    // faults left some instants unroutable, and most checks re-walked only some destinations
    expect(unroutableSeen).toBeGreaterThan(0);
    expect(skipped).toBeGreaterThan(compared / 2);
  });
});
