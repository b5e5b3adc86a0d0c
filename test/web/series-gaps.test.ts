import { describe, expect, it } from 'vitest';
import { withGaps } from '../../web/src/lib/series-gaps.ts';

describe('withGaps', () => {
  it('breaks the line where buckets are missing', () => {
    const points = [0, 10, 20, 70, 80].map((at) => ({ at, v: at / 10 }));
    expect(withGaps(points, (p) => p.v)).toEqual({
      at: [0, 10, 20, 30, 70, 80],
      values: [0, 1, 2, null, 7, 8],
    });
  });

  it('leaves a regular series alone', () => {
    const points = [0, 10, 20].map((at) => ({ at, v: 1 }));
    expect(withGaps(points, (p) => p.v)).toEqual({ at: [0, 10, 20], values: [1, 1, 1] });
    expect(withGaps([{ at: 5, v: 2 }], (p) => p.v)).toEqual({ at: [5], values: [2] });
  });
});
