import { describe, expect, it } from 'vitest';
import { ExpiryWheel } from './expiry-wheel.ts';

const entry = (): { wheelKey: number } => ({ wheelKey: -1 });

describe('ExpiryWheel', () => {
  it('hands out what is due by bucket, and nothing filed later', () => {
    const w = new ExpiryWheel<{ wheelKey: number }>(1000);
    const [a, b, c] = [entry(), entry(), entry()];
    w.add(a, 1500);
    w.add(b, 2999);
    w.add(c, 5000);
    expect(w.takeDue(999, [])).toEqual([]);
    expect(w.takeDue(1000, [])).toEqual([a]);
    expect(w.takeDue(2000, [])).toEqual([b]); // early: the engine re-checks exactly
    expect(w.takeDue(4999, [])).toEqual([]);
    expect(w.takeDue(5000, [])).toEqual([c]);
  });

  it('keeps entries filed into the current bucket for the next take, and past times too', () => {
    const w = new ExpiryWheel<{ wheelKey: number }>(1000);
    const a = entry();
    w.takeDue(3500, []);
    w.add(a, 3900); // same bucket as the last take: still to come
    expect(w.takeDue(3600, [])).toEqual([a]);
    w.add(a, 100); // in the past: the oldest bucket still to be taken
    expect(w.takeDue(3700, [])).toEqual([a]);
  });

  it('drops stale filings: only the latest key of an entry counts', () => {
    const w = new ExpiryWheel<{ wheelKey: number }>(1000);
    const a = entry();
    w.add(a, 9000);
    w.add(a, 2000); // filed earlier: the 9000 filing is stale
    expect(w.takeDue(2000, [])).toEqual([a]);
    expect(w.takeDue(9000, [])).toEqual([]);
    const b = entry();
    w.add(b, 12_000);
    b.wheelKey = -1; // removed
    expect(w.takeDue(12_000, [])).toEqual([]);
  });

  it('finds due buckets after a long gap between takes', () => {
    const w = new ExpiryWheel<{ wheelKey: number }>(10);
    const [a, b] = [entry(), entry()];
    w.add(a, 50);
    w.add(b, 5_000_000);
    expect(w.takeDue(1_000_000, [])).toEqual([a]);
    expect(w.takeDue(5_000_000, [])).toEqual([b]);
  });
});
