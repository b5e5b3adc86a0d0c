/**
 * The behaviour every Medium must show, written once and run against memory, UDP and serial:
 * each medium's test file supplies a harness that makes connected, lossless media.
 *
 * @example
 * mediumCompliance({
 *   name: 'memory',
 *   mtu: 32,
 *   maxNodes: 3,
 *   setup: () => memoryHarness(),
 * });
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { LinkPeer, Medium } from '../../src/core/medium.ts';

export interface ComplianceNode {
  medium: Medium;
  /** How the other nodes name this one: what they pass as `to` and see as `from`. */
  address: LinkPeer;
}

export interface ComplianceHarness {
  /** Makes `count` lossless media, each reaching all the others. */
  create(count: number): Promise<ComplianceNode[]>;
  /** Lets deliveries happen until `condition` holds; fails when it never does. */
  until(condition: () => boolean): Promise<void>;
  /** Lets every delivery already under way happen (used before asserting an absence). */
  settle(): Promise<void>;
  /** Releases what `create` made besides the media (sockets, devices, processes). */
  teardown?(): Promise<void>;
}

export interface ComplianceOptions {
  name: string;
  mtu: number;
  /** 2 for a point-to-point medium: tests needing a third node are skipped. */
  maxNodes: number;
  setup(): ComplianceHarness;
}

interface Received {
  bytes: number[];
  from: LinkPeer;
}

function record(medium: Medium): Received[] {
  const got: Received[] = [];
  medium.onFrame((frame, from) => got.push({ bytes: [...frame], from }));
  return got;
}

function pattern(length: number, salt: number): Uint8Array {
  const frame = new Uint8Array(length);
  // Include 0x00 and 0xC0/0xDB so framing escapes are exercised on byte-stream media.
  for (let i = 0; i < length; i++) frame[i] = (i * 31 + salt * 7) & 0xff;
  return frame;
}

export function mediumCompliance(options: ComplianceOptions): void {
  const { mtu, maxNodes } = options;
  const multi = maxNodes >= 3 ? it : it.skip;

  describe(`Medium compliance: ${options.name}`, () => {
    let harness: ComplianceHarness;
    let nodes: ComplianceNode[] = [];

    const make = async (count: number) => {
      harness = options.setup();
      nodes = await harness.create(count);
      return nodes;
    };

    afterEach(async () => {
      for (const node of nodes) await node.medium.close();
      await harness?.teardown?.();
      nodes = [];
    });

    it('reports its MTU', async () => {
      const [a] = await make(2);
      expect(a!.medium.mtu).toBe(mtu);
    });

    it('carries empty, 1-byte, mid-sized and MTU-sized frames intact and whole', async () => {
      const [a, b] = await make(2);
      const got = record(b!.medium);
      const sizes = [0, 1, 2, Math.floor(mtu / 2), mtu - 1, mtu];
      sizes.forEach((size, i) => a!.medium.send(pattern(size, i), b!.address));
      await harness.until(() => got.length >= sizes.length);
      await harness.settle();
      expect(got.map((r) => r.bytes)).toEqual(sizes.map((size, i) => [...pattern(size, i)]));
      expect(got.every((r) => r.from === a!.address)).toBe(true);
    });

    it('carries every byte value', async () => {
      const [a, b] = await make(2);
      const got = record(b!.medium);
      const frames: Uint8Array[] = [];
      for (let start = 0; start < 256; start += mtu) {
        frames.push(Uint8Array.from({ length: Math.min(mtu, 256 - start) }, (_, i) => start + i));
      }
      for (const f of frames) a!.medium.send(f);
      await harness.until(() => got.length >= frames.length);
      expect(got.map((r) => r.bytes)).toEqual(frames.map((f) => [...f]));
    });

    it('broadcasts to every peer, not back to the sender', async () => {
      const nodes = await make(Math.min(3, maxNodes));
      const logs = nodes.map((n) => record(n.medium));
      nodes[0]!.medium.send(Uint8Array.of(42));
      await harness.until(() => logs.slice(1).every((l) => l.length >= 1));
      // A marker from a peer back to the sender bounds the wait for a wrong echo.
      nodes[1]!.medium.send(Uint8Array.of(43), nodes[0]!.address);
      await harness.until(() => logs[0]!.length >= 1);
      await harness.settle();
      expect(logs[0]!.map((r) => r.bytes)).toEqual([[43]]);
      for (const log of logs.slice(1)) {
        expect(log).toEqual([{ bytes: [42], from: nodes[0]!.address }]);
      }
    });

    multi('sends a unicast to its peer only', async () => {
      const [a, b, c] = await make(3);
      const gotB = record(b!.medium);
      const gotC = record(c!.medium);
      a!.medium.send(Uint8Array.of(1), b!.address);
      // The broadcast leaves after the unicast, so once C has it a stray copy would be there too.
      a!.medium.send(Uint8Array.of(2));
      await harness.until(() => gotC.length >= 1 && gotB.length >= 2);
      await harness.settle();
      expect(gotB.map((r) => r.bytes)).toEqual([[1], [2]]);
      expect(gotC.map((r) => r.bytes)).toEqual([[2]]);
    });

    it('names the sender in `from`, so a reply to it gets back', async () => {
      const [a, b] = await make(2);
      const gotA = record(a!.medium);
      b!.medium.onFrame((frame, from) => b!.medium.send(Uint8Array.of(frame[0]! + 1), from));
      a!.medium.send(Uint8Array.of(10), b!.address);
      await harness.until(() => gotA.length >= 1);
      expect(gotA).toEqual([{ bytes: [11], from: b!.address }]);
    });

    it('throws FrameTooLargeError for a frame over the MTU and sends nothing', async () => {
      const [a, b] = await make(2);
      const got = record(b!.medium);
      let error: unknown;
      try {
        a!.medium.send(new Uint8Array(mtu + 1), b!.address);
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ name: 'FrameTooLargeError', size: mtu + 1, mtu });
      a!.medium.send(Uint8Array.of(5), b!.address);
      await harness.until(() => got.length >= 1);
      await harness.settle();
      expect(got.map((r) => r.bytes)).toEqual([[5]]);
    });

    it('delivers a burst of frames all, in order', async () => {
      const [a, b] = await make(2);
      const got = record(b!.medium);
      const count = 300;
      for (let i = 0; i < count; i++) {
        a!.medium.send(Uint8Array.of(i >> 8, i & 0xff, ...pattern(Math.min(mtu, 20) - 2, i)));
      }
      await harness.until(() => got.length >= count);
      const order = got.map((r) => (r.bytes[0]! << 8) | r.bytes[1]!);
      expect(order).toEqual(Array.from({ length: count }, (_, i) => i));
    });

    it('stops calling a listener after it unsubscribes', async () => {
      const [a, b] = await make(2);
      const kept = record(b!.medium);
      const dropped: number[] = [];
      const off = b!.medium.onFrame((f) => dropped.push(f[0]!));
      a!.medium.send(Uint8Array.of(1));
      await harness.until(() => kept.length >= 1);
      off();
      a!.medium.send(Uint8Array.of(2));
      await harness.until(() => kept.length >= 2);
      expect(dropped).toEqual([1]);
    });

    it('delivers nothing after close, refuses to send, and closes idempotently', async () => {
      const [a, b] = await make(2);
      const got = record(b!.medium);
      a!.medium.send(Uint8Array.of(1), b!.address);
      await harness.until(() => got.length >= 1);
      a!.medium.send(Uint8Array.of(2), b!.address);
      const closing = b!.medium.close();
      await Promise.all([closing, b!.medium.close()]);
      const atClose = got.length;
      a!.medium.send(Uint8Array.of(3), b!.address);
      await harness.settle();
      expect(got.length).toBe(atClose);
      expect(got[0]!.bytes).toEqual([1]);
      expect(() => b!.medium.send(Uint8Array.of(4))).toThrow(
        expect.objectContaining({ name: 'ClosedError' }),
      );
      await expect(b!.medium.close()).resolves.toBeUndefined();
    });
  });
}
