import { describe, expect, it } from 'vitest';
import { seededRandom } from '../core/random.ts';
import { decodeFrame, emptyFrame, encodeFrame, type Frame } from './frame-codec.ts';
import { MeshNode, type MeshNodeOptions } from './mesh-node.ts';
import { PacketType } from './packet-type.ts';
import { nextSequence } from './sequence.ts';

const node = (address: number, extra: Partial<MeshNodeOptions> = {}): MeshNode =>
  new MeshNode({ address, mtu: 32, random: seededRandom(address), ...extra });

const frame = (f: Partial<Frame>): Uint8Array => encodeFrame({ ...emptyFrame(), ...f });

const sent = (n: MeshNode): (Frame & { to: string | undefined })[] =>
  n.takeOutputs().map((o) => ({ ...decodeFrame(o.bytes), to: o.to }));

describe('MeshNode (sans-IO)', () => {
  it('answers a seed ping with the seed pong numbers, directly and only once per copy', () => {
    const n = node(69);
    n.receive(frame({ src: 42, dst: 69, type: PacketType.Ping, sequence: 0x33 }), 'c', 0);
    const [pong, ...rest] = sent(n);
    expect(rest).toEqual([]);
    expect(pong).toMatchObject({
      src: 69,
      dst: 42,
      hop: 42, // direct: relaying forbidden
      type: PacketType.Pong,
      response: nextSequence(0x33, 1),
      sequence: nextSequence(nextSequence(0x33, 1), 2),
      to: 'c',
    });
    // Never retried: the seed pinger sends no ACKs.
    for (let t = 0; t <= 10_000; t += 100) n.tick(t);
    expect(n.takeOutputs()).toEqual([]);
  });

  it('ignores a pong whose response number does not match the ping', () => {
    const n = node(1);
    const id = n.ping(2, 0);
    const [ping] = sent(n);
    n.receive(
      frame({ src: 2, dst: 1, type: PacketType.Pong, response: nextSequence(ping!.sequence, 2) }),
      'p',
      5,
    );
    expect(n.takeEvents()).toEqual([]);
    expect(n.stats.badResponses).toBe(1);
    n.receive(
      frame({ src: 2, dst: 1, type: PacketType.Pong, response: nextSequence(ping!.sequence, 1) }),
      'p',
      7,
    );
    expect(n.takeEvents()).toEqual([{ kind: 'pong', at: 7, id, from: 2, rttMs: 7, hops: 0 }]);
  });

  it('delivers a replayed data frame once but acknowledges every copy', () => {
    const n = node(5);
    const data = frame({
      src: 3,
      dst: 5,
      type: PacketType.Data,
      sequence: 9,
      data: Uint8Array.of(1, 2),
    });
    n.receive(data, 'l3', 0);
    n.receive(data, 'l3', 10);
    const events = n.takeEvents().filter((e) => e.kind === 'message');
    expect(events).toHaveLength(1);
    const acks = sent(n).filter((f) => f.type === PacketType.Ack);
    expect(acks).toHaveLength(2);
    expect(acks[0]).toMatchObject({ dst: 3, hop: 3, response: nextSequence(9, 1), to: 'l3' });
  });

  it('relays with hop = itself and hops + 1, but not past the hop limit or when hop = dst', () => {
    const n = node(2, { hopLimit: 3 });
    n.receive(frame({ src: 1, dst: 9, type: PacketType.Ping, sequence: 1, hops: 1 }), 'l1', 0);
    expect(sent(n)).toMatchObject([{ src: 1, dst: 9, hop: 2, hops: 2, to: undefined }]);
    n.receive(frame({ src: 1, dst: 9, type: PacketType.Ping, sequence: 2, hops: 3 }), 'l1', 0);
    n.receive(frame({ src: 1, dst: 9, hop: 9, type: PacketType.Ping, sequence: 3 }), 'l1', 0);
    expect(sent(n)).toEqual([]);
    expect(n.stats.hopLimitDrops).toBe(1);
  });

  it('retries with a rising attempt byte and growing gaps, then reports the destination unreachable', () => {
    const n = node(1, { maxAttempts: 5, ackTimeoutMs: 40, maxBackoffMs: 1000, jitterMs: 10 });
    const id = n.send(7, Uint8Array.of(1), 0);
    const times: number[] = [];
    const attempts: number[] = [];
    for (let t = 0; t <= 5000; t++) {
      n.tick(t);
      for (const f of sent(n)) {
        times.push(t);
        attempts.push(f.attempt);
      }
    }
    expect(attempts).toEqual([1, 2, 3, 4, 5]);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    gaps.forEach((g, i) => {
      expect(g).toBeGreaterThanOrEqual(40 * 2 ** i);
      expect(g).toBeLessThanOrEqual(40 * 2 ** i + 10 + 1);
    });
    const unreachable = n.takeEvents().find((e) => e.kind === 'unreachable');
    expect(unreachable).toMatchObject({ id, dst: 7, reporter: 1 });
  });

  it('follows the router hook to a known neighbour instead of flooding', () => {
    const n = node(1, { router: { nextHop: (dst) => (dst === 9 ? 3 : undefined) } });
    // Learn neighbour 3's link peer from one of its frames.
    n.receive(frame({ src: 3, dst: 0, type: PacketType.Ping, sequence: 4 }), 'link-3', 0);
    n.takeOutputs();
    n.send(9, Uint8Array.of(1), 1);
    expect(sent(n)).toMatchObject([{ dst: 9, hop: 0, to: 'link-3' }]);
    n.send(8, Uint8Array.of(1), 1);
    expect(sent(n)).toMatchObject([{ dst: 8, hop: 0, to: undefined }]);
  });

  it('rejects frames without CRC when required, and counts them', () => {
    const n = node(69, { requireCrc: true });
    n.receive(
      encodeFrame({ ...emptyFrame(), src: 42, dst: 69, type: PacketType.Ping }, false),
      'c',
      0,
    );
    expect(n.takeOutputs()).toEqual([]);
    expect(n.stats.rejected).toEqual({ MissingCrcError: 1 });
  });

  it('refuses connections when told to, and the initiator hears it', () => {
    const a = node(1);
    const b = node(2, { acceptConnections: false });
    const id = a.connect(2, 0);
    // Shuttle frames between the two until quiet.
    for (let t = 0; t < 50; t++) {
      for (const o of a.takeOutputs()) b.receive(o.bytes, 'a', t);
      for (const o of b.takeOutputs()) a.receive(o.bytes, 'b', t);
      a.tick(t);
      b.tick(t);
    }
    const err = a.takeEvents().find((e) => e.kind === 'connection-error');
    expect(err).toMatchObject({ id, error: { name: 'ConnectionRefusedError' } });
  });
});
