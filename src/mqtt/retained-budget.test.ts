import { describe, expect, it } from 'vitest';
import { RetainedBudget } from './retained-budget.ts';

const T = (n: number) => `t/${n}`; // 3 bytes of topic each

describe('RetainedBudget', () => {
  it("bounds one login's retained bytes, counting a replacement once", () => {
    const b = new RetainedBudget({ maxBytesPerClient: 100, maxBytesTotal: 1000 });
    expect(b.admit('a', T(1), 57)).toBe(true); // 60 bytes with the topic
    expect(b.admit('a', T(2), 37)).toBe(true); // 40 more: exactly the budget
    expect(b.bytes('a')).toBe(100);
    expect(b.admit('a', T(1), 58)).toBe(false); // replacing 60 by 61 would make 101
  });

  it('refuses what would exceed the per-login budget and keeps the old value counted', () => {
    const b = new RetainedBudget({ maxBytesPerClient: 100, maxBytesTotal: 1000 });
    expect(b.admit('a', T(1), 57)).toBe(true);
    expect(b.admit('a', T(2), 41)).toBe(false);
    expect(b.bytes('a')).toBe(60);
    // Replacing its own topic with a larger value frees the old bytes first.
    expect(b.admit('a', T(1), 97)).toBe(true);
    expect(b.bytes('a')).toBe(100);
    // An empty retained message deletes and frees.
    expect(b.admit('a', T(1), 0)).toBe(true);
    expect(b.bytes('a')).toBe(0);
  });

  it('bounds the total across logins', () => {
    const b = new RetainedBudget({ maxBytesPerClient: 100, maxBytesTotal: 150 });
    expect(b.admit('a', T(1), 97)).toBe(true);
    expect(b.admit('b', T(2), 97)).toBe(false);
    expect(b.admit('b', T(2), 47)).toBe(true);
    expect(b.bytes()).toBe(150);
    // Another login replacing a topic frees its first owner's share.
    expect(b.admit('b', T(1), 0)).toBe(true);
    expect(b.bytes('a')).toBe(0);
    expect(b.bytes()).toBe(50);
  });
});
