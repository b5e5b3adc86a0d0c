import { describe, expect, it } from 'vitest';
import { simulate } from './helpers.ts';

// bench/routing-convergence.ts's random 50-node mesh (2 % loss, 1 s OGMs) for one seed whose
// crash left a loop: SEED's busiest relay VICTIM dies after the windows filled. Before the
// engine cleared the TQ ring of a neighbour whose copies showed it had moved onto our own next
// hop or onto us, two former neighbours of the dead relay picked each other on the TQs of the
// path through it, and such loops lasted until the relay rule broke them: here pairs looped for
// up to 1.8 s and the mesh converged 6.3 s after the crash (2.4 s, loops up to 1.3 s, since).
// Since the neighbour-loss detector waits for an overdue OGM (h16-stable) the mesh still
// converges 2.4 s after the crash; the longest loop is again a 4-node one towards n43 on stale
// TQ two hops away (a known limit; before, n37 > n35 > n17 > n26 from 71.2 to 72.4 s, now
// n37 > n29 > n47 > n35 from 71.1 to 72.6 s: n4's neighbours declared it lost at 71.01 s
// instead of 71.10 on this seed, and other paths formed), seen on 16 samples 100 ms apart.
const SEED = 13;
const VICTIM = 'n4';
const CRASH_MS = 70_300;
const yaml = `
name: random-50-crash
seed: ${SEED}
duration_s: 80
topology: { kind: random-geometric, nodes: 50, width: 566, height: 566, range: 140 }
link: { latency_ms: 2, bandwidth_kbps: 6000, loss: 0.02 }
traffic: { flows: [] }
faults: [{ at_s: ${CRASH_MS / 1000}, kind: node-crash, target: ${VICTIM} }]
`;

describe('after a relay dies, its former neighbours do not loop on its old TQ', () => {
  it('leaves no forwarding loop standing for more than 1.5 s, and converges within 3 s', () => {
    const { sim } = simulate(yaml);
    sim.advanceTo(CRASH_MS);
    /** Since when each looping pair (src>dst) has looped, and the longest loop seen, ms. */
    const since = new Map<string, number>();
    let longest = 0;
    for (let t = CRASH_MS; t <= CRASH_MS + 6000; t += 100) {
      sim.advanceTo(t);
      const loops = new Set(sim.routeCheck().loops);
      for (const k of since.keys()) if (!loops.has(k)) since.delete(k);
      for (const k of loops) {
        if (!since.has(k)) since.set(k, t);
        longest = Math.max(longest, t - since.get(k)!);
      }
    }
    const crash = sim.summary(0).faults[0]!;
    expect(crash).toMatchObject({ kind: 'node-crash', target: VICTIM });
    expect(crash.convergence_s).not.toBeNull();
    expect(crash.convergence_s!).toBeLessThanOrEqual(3);
    expect(longest).toBeLessThanOrEqual(1500);
  }, 180_000);
});
