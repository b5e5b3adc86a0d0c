import type { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { lineNetwork } from './harness.ts';

const bytes = (n: number, seed = 1): Uint8Array => {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed * 7) & 0xff;
  return out;
};

describe('meshlink over a line of five nodes (in-memory medium, virtual time)', () => {
  it('pings end to end across three relays and learns the return path', async () => {
    const net = lineNetwork([1, 2, 3, 4, 5]);
    const r = await net.settle(net.hosts[0]!.ping(5));
    expect(r.error).toBeUndefined();
    expect(r.value!.from).toBe(5);
    expect(r.value!.hops).toBe(3);
    // 4 links each way at 2 ms.
    expect(r.value!.rttMs).toBe(16);
    // After the pong the first node unicasts toward 5 through 2.
    expect(net.hosts[0]!.node.neighbours(net.scheduler.now())).toEqual([2]);
  });

  it('delivers a fragmented 1 KB message intact, with a receipt', async () => {
    const net = lineNetwork([1, 2, 3, 4, 5], { lossRate: 0.1, seed: 3 });
    const got: Uint8Array[] = [];
    net.hosts[4]!.on('message', (from: number, data: Uint8Array) => {
      expect(from).toBe(1);
      got.push(data);
    });
    const msg = bytes(1024);
    const r = await net.settle(net.hosts[0]!.send(5, msg));
    expect(r.error).toBeUndefined();
    expect(got).toHaveLength(1);
    expect(Buffer.from(got[0]!).equals(Buffer.from(msg))).toBe(true);
  });

  it('reports unreachable when a node in the middle is gone', async () => {
    const net = lineNetwork([1, 2, 3, 4, 5]);
    await net.settle(net.hosts[0]!.ping(5));
    net.model.unlink('n3', 'n4');
    const events: { subject: string; reason: string }[] = [];
    net.hosts[0]!.on('unreachable', (e: { subject: string; reason: string }) => events.push(e));
    const r = await net.settle(net.hosts[0]!.send(5, bytes(40)));
    expect(r.error?.name).toBe('UnreachableError');
    expect(events[0]?.subject).toBe('5');
    // Node 3 could not reach its next hop 4 and reported back.
    expect(events[0]?.reason).toContain('reported by 3');
  });

  it('scans the line as a neighbour graph to depth 4', async () => {
    const net = lineNetwork([1, 2, 3, 4, 5]);
    const r = await net.settle(net.hosts[0]!.scan(4));
    expect(r.error).toBeUndefined();
    expect(r.value).toEqual({
      nodes: [1, 2, 3, 4, 5],
      edges: [
        [1, 2],
        [2, 3],
        [3, 4],
        [4, 5],
      ],
    });
    // On a fresh network depth 1 finds only who hears the probe.
    const fresh = lineNetwork([1, 2, 3, 4, 5]);
    const shallow = await fresh.settle(fresh.hosts[2]!.scan(1));
    expect(shallow.value).toEqual({
      nodes: [2, 3, 4],
      edges: [
        [2, 3],
        [3, 4],
      ],
    });
  });

  it('carries a stream in order, exactly once, over lossy links', async () => {
    const net = lineNetwork([1, 2, 3, 4], { lossRate: 0.1, seed: 9 });
    const received: Buffer[] = [];
    let ended = false;
    net.hosts[3]!.on('connection', (s: Duplex) => {
      s.on('data', (d: Buffer) => received.push(Buffer.from(d)));
      s.on('end', () => (ended = true));
    });
    const c = await net.settle(net.hosts[0]!.connect(4));
    expect(c.error).toBeUndefined();
    const stream = c.value!;
    const payload = bytes(3000, 5);
    for (let off = 0; off < payload.length; off += 100)
      stream.write(payload.subarray(off, off + 100));
    stream.end();
    const done = new Promise<void>((resolve) => {
      const poll = (): void => (ended ? resolve() : void setImmediate(poll));
      poll();
    });
    const r = await net.settle(done);
    expect(r.error).toBeUndefined();
    expect(Buffer.concat(received).length).toBe(payload.length);
    expect(Buffer.concat(received).equals(Buffer.from(payload))).toBe(true);
  });
});
