import { describe, expect, it } from 'vitest';
import { seededRandom } from './random.ts';

describe('seededRandom', () => {
  it('replays the same stream for the same seed', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const xs = Array.from({ length: 10 }, () => a.next());
    expect(Array.from({ length: 10 }, () => b.next())).toEqual(xs);
    expect(seededRandom(43).next()).not.toBe(xs[0]);
  });

  it('forks independent streams by label', () => {
    const root = seededRandom(7);
    const x = root.fork('a').next();
    expect(seededRandom(7).fork('a').next()).toBe(x);
    expect(seededRandom(7).fork('b').next()).not.toBe(x);
  });

  it('is roughly uniform', () => {
    const r = seededRandom(1);
    const buckets = new Array<number>(10).fill(0);
    let min = 1;
    let max = 0;
    for (let i = 0; i < 100_000; i++) {
      const v = r.next();
      min = Math.min(min, v);
      max = Math.max(max, v);
      buckets[Math.floor(v * 10)]!++;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    for (const count of buckets) expect(Math.abs(count - 10_000)).toBeLessThan(500);
    expect(r.int(1)).toBe(0);
  });
});
