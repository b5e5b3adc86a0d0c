import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/core/random.ts';
import { SimChannel } from '../../src/sim/channel.ts';
import { DEFAULT_LINK } from '../../src/sim/link-params.ts';

describe('SimChannel', () => {
  it('applies latency and serialisation with a FIFO per direction', () => {
    const ch = new SimChannel(seededRandom(1));
    ch.addLink('a', 'b', { ...DEFAULT_LINK, latencyMs: 5, bandwidthKbps: 800 });
    // 100 bytes at 800 kbit/s = 1 ms on the air
    expect(ch.transmit('a', 'b', 100, 0)).toEqual({ delivered: true, delayMs: 6 });
    expect(ch.transmit('a', 'b', 100, 0)).toEqual({ delivered: true, delayMs: 7 }); // queued behind
    expect(ch.transmit('b', 'a', 100, 0)).toEqual({ delivered: true, delayMs: 6 }); // other direction free
    expect(ch.transmit('a', 'b', 100, 10)).toEqual({ delivered: true, delayMs: 6 });
  });

  it('loses the configured share at random, per direction (asymmetric links)', () => {
    const ch = new SimChannel(seededRandom(2));
    ch.addLink('a', 'b', { ...DEFAULT_LINK, loss: 0.1 }, { ...DEFAULT_LINK, loss: 0.5 });
    let ab = 0;
    let ba = 0;
    for (let i = 0; i < 20_000; i++) {
      if (ch.transmit('a', 'b', 10, i).delivered) ab++;
      if (ch.transmit('b', 'a', 10, i).delivered) ba++;
    }
    expect(ab / 20_000).toBeCloseTo(0.9, 1);
    expect(ba / 20_000).toBeCloseTo(0.5, 1);
  });

  it('Gilbert-Elliott loss comes in bursts with the stationary loss rate', () => {
    const ch = new SimChannel(seededRandom(3));
    ch.addLink('a', 'b', {
      ...DEFAULT_LINK,
      burst: { pGoodToBad: 0.02, pBadToGood: 0.2, lossBad: 1 },
    });
    const n = 100_000;
    let lost = 0;
    let runs = 0;
    let prevLost = false;
    for (let i = 0; i < n; i++) {
      const l = !ch.transmit('a', 'b', 10, i).delivered;
      if (l) lost++;
      if (l && !prevLost) runs++;
      prevLost = l;
    }
    // stationary P(bad) = 0.02 / (0.02 + 0.2) = 0.0909; mean burst length 1 / 0.2 = 5
    expect(lost / n).toBeCloseTo(0.0909, 1);
    expect(lost / runs).toBeGreaterThan(4);
    expect(lost / runs).toBeLessThan(6);
  });

  it('cuts, heals and switches nodes off', () => {
    const ch = new SimChannel(seededRandom(4));
    ch.addLink('a', 'b', DEFAULT_LINK);
    ch.addLink('b', 'c', DEFAULT_LINK);
    expect([...ch.neighbours('b')]).toEqual(['a', 'c']);
    ch.update('a', 'b', { up: false });
    expect([...ch.neighbours('b')]).toEqual(['c']);
    expect(ch.transmit('a', 'b', 10, 0).delivered).toBe(false);
    expect(ch.usable('a', 'b')).toBe(false);
    ch.update('a', 'b', { up: true });
    ch.setNodeUp('c', false);
    expect([...ch.neighbours('b')]).toEqual(['a']);
    expect(ch.usable('b', 'c')).toBe(false);
    expect(() => ch.update('a', 'c', { up: false })).toThrow(
      expect.objectContaining({ name: 'UnknownTargetError' }),
    );
  });
});
