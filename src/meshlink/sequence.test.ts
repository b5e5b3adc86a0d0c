import { describe, expect, it } from 'vitest';
import { seededRandom } from '../core/random.ts';
import { NETWORK_KEY, SequenceGenerator, nextSequence } from './sequence.ts';

describe('sequences', () => {
  it("is the seed's (value + n) ^ NETWORK_KEY on one byte", () => {
    expect(NETWORK_KEY).toBe(0xae);
    expect(nextSequence(0x10, 1)).toBe(0x11 ^ 0xae);
    expect(nextSequence(0xff, 2)).toBe(0x01 ^ 0xae);
    // The seed's pong: response = next(ping, 1), sequence = next(response, 2).
    const response = nextSequence(200, 1);
    expect(nextSequence(response, 2)).toBe(((response + 2) & 0xff) ^ 0xae);
  });

  it('generates 256 distinct sequences before repeating, from a random start below 255', () => {
    for (const seed of [1, 2, 3]) {
      const gen = new SequenceGenerator(seededRandom(seed));
      const first = gen.next();
      expect(first).toBeLessThan(255);
      const seen = new Set([first]);
      for (let i = 1; i < 256; i++) seen.add(gen.next());
      expect(seen.size).toBe(256);
      expect(gen.next()).toBe(first);
    }
  });
});
