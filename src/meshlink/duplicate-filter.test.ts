import { describe, expect, it } from 'vitest';
import { DuplicateFilter } from './duplicate-filter.ts';

describe('DuplicateFilter', () => {
  it('reports a repeat inside the window with its first transmitter, forgets it after', () => {
    const f = new DuplicateFilter({ windowMs: 100, capacity: 10 });
    expect(f.check('a', 2, 0)).toBeUndefined();
    expect(f.check('a', 3, 50)).toBe(2);
    expect(f.check('a', 3, 100)).toBeUndefined();
  });

  it('never holds more than its capacity, evicting the oldest', () => {
    const f = new DuplicateFilter({ windowMs: 1e9, capacity: 100 });
    for (let i = 0; i < 10_000; i++) f.check(`k${i}`, 1, i);
    expect(f.size).toBe(100);
    expect(f.check('k9999', 1, 10_000)).toBe(1);
    expect(f.check('k0', 1, 10_000)).toBeUndefined();
  });
});
