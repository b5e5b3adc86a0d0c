import { describe, expect, it } from 'vitest';
import { UniformLinkModel } from '../../src/transport/index.ts';
import { network } from './harness.ts';

const names = (addresses: number[]): string[] => addresses.map((a) => `n${a}`);

describe('meshlink on meshes (in-memory medium, virtual time)', () => {
  it('a flood to an unknown address dies out: each node relays it once', async () => {
    const addresses = [1, 2, 3, 4, 5, 6, 7, 8];
    const net = network(addresses, UniformLinkModel.fullMesh(names(addresses), { seed: 2 }));
    const r = await net.settle(net.hosts[0]!.ping(999));
    expect(r.error?.name).toBe('PingTimeoutError');
    // The ping from node 1, then one rebroadcast by each of the 7 others: 8 transmissions.
    expect(net.hub.counters.sent).toBe(8);
    const relayed = net.hosts.map((h) => h.node.stats.relayed);
    expect(relayed).toEqual([0, 1, 1, 1, 1, 1, 1, 1]);
    expect(net.hosts.slice(1).every((h) => h.node.stats.duplicates === 6)).toBe(true);
  });

  it('a flood stops at the hop limit', async () => {
    const addresses = Array.from({ length: 12 }, (_, i) => i + 1);
    const net = network(addresses, UniformLinkModel.line(names(addresses), { seed: 2 }), {
      node: { hopLimit: 4 },
    });
    const r = await net.settle(net.hosts[0]!.ping(12));
    expect(r.error?.name).toBe('PingTimeoutError');
    // Nodes 2..5 relay (hops 0..3 on arrival); node 6 receives hops = 4 and drops it.
    expect(net.hosts.map((h) => h.node.stats.relayed)).toEqual([
      0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0,
    ]);
    expect(net.hosts[5]!.node.stats.hopLimitDrops).toBe(1);
  });

  it('reassembles across reordering and loss on a diamond, and heals around a dead relay', async () => {
    // 1 - 2 - 4 and 1 - 3 - 4: two paths.
    const model = new UniformLinkModel({
      links: [
        ['n1', 'n2'],
        ['n2', 'n4'],
        ['n1', 'n3'],
        ['n3', 'n4'],
      ],
      lossRate: 0.1,
      latencyMs: 2,
      jitterMs: 6,
      reorder: true,
      seed: 11,
    });
    const net = network([1, 2, 3, 4], model);
    const got: Uint8Array[] = [];
    net.hosts[3]!.on('message', (_from: number, d: Uint8Array) => got.push(d));
    const msg = Uint8Array.from({ length: 900 }, (_, i) => (i * 13) & 0xff);
    for (let i = 0; i < 5; i++) {
      const r = await net.settle(net.hosts[0]!.send(4, msg));
      expect(r.error).toBeUndefined();
    }
    expect(got).toHaveLength(5);
    for (const g of got) expect(Buffer.from(g).equals(Buffer.from(msg))).toBe(true);
    // Kill whichever relay the route now uses; the next message still gets through.
    const via = net.hosts[0]!.node.neighbours(net.scheduler.now());
    expect(via.length).toBeGreaterThan(0);
    model.unlink('n1', 'n2');
    model.unlink('n2', 'n4');
    const outcomes: (string | undefined)[] = [];
    for (let i = 0; i < 3; i++)
      outcomes.push((await net.settle(net.hosts[0]!.send(4, msg))).error?.name);
    // At most the first attempt fails (stale route), then the flood finds 1 - 3 - 4.
    expect(outcomes.slice(1)).toEqual([undefined, undefined]);
    expect(got.length).toBeGreaterThanOrEqual(7);
  });
});

describe('meshlink scans under loss', () => {
  it('asks silent nodes again, so a lossy line still scans whole', async () => {
    const addresses = [1, 2, 3, 4, 5];
    const complete: boolean[] = [];
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const net = network(
        addresses,
        UniformLinkModel.line(names(addresses), { lossRate: 0.1, latencyMs: 2, seed }),
        { seed },
      );
      const r = await net.settle(net.hosts[0]!.scan(4));
      expect(r.error).toBeUndefined();
      // Whatever it finds is true: only edges of the line.
      for (const [a, b] of r.value!.edges) expect(b - a).toBe(1);
      complete.push(r.value!.edges.length === 4);
    }
    expect(complete.filter(Boolean).length).toBeGreaterThanOrEqual(6);
  });
});
