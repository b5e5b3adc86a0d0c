import { describe, expect, it } from 'vitest';
import { parsed, simulate } from './helpers.ts';

// Two identical flows over the same lossy 4-hop line: one as plain data frames, one as meshlink
// messages, which acknowledge and retry each hop.
const line = `
name: meshlink-line
seed: 4
duration_s: 60
topology: { kind: line, nodes: 5 }
link: { latency_ms: 2, loss: 0.1 }
traffic:
  flows:
    - { from: n0, to: n4, rate_pps: 5, start_s: 20, stop_s: 50, via: data }
    - { from: n0, to: n4, rate_pps: 5, start_s: 20, stop_s: 50, via: meshlink }
`;

describe('the real meshlink node inside the simulator', () => {
  it('rides on the routing engine next hops and recovers hop losses', () => {
    const { sim, lines } = simulate(line);
    sim.run();
    const recs = parsed(lines);
    const meshTx = recs.filter((r) => r.src === 'tx' && r.proto === 'meshlink');
    expect(meshTx.length).toBeGreaterThan(150 * 4); // 150 messages over 4 hops, plus ACKs
    // with B.A.T.M.A.N. routes in place, meshlink sends to one neighbour instead of flooding
    const unicast = meshTx.filter((r) => r.peer !== '*');
    expect(unicast.length / meshTx.length).toBeGreaterThan(0.9);
    const n1 = meshTx.filter((r) => r.node === 'n1' && r.peer !== '*').map((r) => r.peer);
    expect(new Set(n1)).toEqual(new Set(['n0', 'n2']));

    // Plain frames lose about 1 - 0.9^4 = 34 %; meshlink's hop-by-hop retries recover nearly all.
    const s = sim.summary(0);
    expect(s.packets.sent).toBe(300);
    expect(s.pdr).toBeGreaterThan(0.75); // (0.66 + ~1) / 2
    const dataDrops = recs.filter(
      (r) => r.src === 'drop' && r.proto === 'data' && r.reason === 'channel-loss',
    );
    expect(dataDrops.length).toBeGreaterThan(20);
  });
});
