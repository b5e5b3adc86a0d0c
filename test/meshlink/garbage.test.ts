import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/core/random.ts';
import { MeshNode } from '../../src/meshlink/mesh-node.ts';
import { decodeFrame, emptyFrame, encodeFrame } from '../../src/meshlink/frame-codec.ts';
import { PacketType } from '../../src/meshlink/packet-type.ts';
import { nextSequence } from '../../src/meshlink/sequence.ts';

describe('a node flooded with garbage', () => {
  it('keeps answering valid pings and keeps its memory bounded', () => {
    const node = new MeshNode({ address: 7, mtu: 255, random: seededRandom(1) });
    const rng = seededRandom(99);
    let pongs = 0;
    for (let round = 0; round < 60; round++) {
      for (let i = 0; i < 1000; i++) {
        // Half pure noise, half well-formed fragments of never-finished messages from many peers.
        if (i % 2 === 0) {
          const junk = new Uint8Array(rng.int(256));
          for (let j = 0; j < junk.length; j++) junk[j] = rng.int(256);
          node.receive(junk, `x${rng.int(1000)}`, round * 10);
        } else {
          const f = encodeFrame({
            ...emptyFrame(),
            src: 1 + rng.int(60000),
            dst: 7,
            type: PacketType.Data,
            sequence: rng.int(256),
            fragment: 1,
            fragments: 255,
            data: new Uint8Array(200),
          });
          node.receive(f, `x${rng.int(1000)}`, round * 10);
        }
      }
      node.takeOutputs();
      const seq = round & 0xff;
      node.receive(
        encodeFrame({ ...emptyFrame(), src: 42, dst: 7, type: PacketType.Ping, sequence: seq }),
        'pinger',
        round * 10,
      );
      const out = node.takeOutputs().map((o) => decodeFrame(o.bytes));
      const pong = out.find((f) => f.type === PacketType.Pong);
      if (pong && pong.dst === 42 && pong.response === nextSequence(seq, 1)) pongs++;
      node.tick(round * 10);
      expect(node.reassemblyBytes).toBeLessThanOrEqual(262_144);
    }
    expect(pongs).toBe(60);
    expect(node.stats.rejected['CrcMismatchError'] ?? 0).toBeGreaterThan(0);
  });
});
