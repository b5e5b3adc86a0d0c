import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planProjection } from '../../web/src/lib/plan-projection.ts';

describe('planProjection', () => {
  it('fits the points in the box, keeping the aspect ratio and turning y up', () => {
    const p = planProjection(
      [
        { x: 0, y: 0 },
        { x: 100, y: 50 },
      ],
      800,
      400,
      20,
    );
    // Height limits the scale (7.2 px per unit), so x is centred: (800 - 720) / 2 = 40.
    expect(p({ x: 0, y: 0 })).toEqual({ x: 40, y: 380 });
    expect(p({ x: 100, y: 50 })).toEqual({ x: 760, y: 20 });
  });

  it('keeps every point inside the margins', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            x: fc.integer({ min: -1e6, max: 1e6 }),
            y: fc.integer({ min: -1e6, max: 1e6 }),
          }),
          {
            minLength: 1,
            maxLength: 30,
          },
        ),
        (pts) => {
          const p = planProjection(pts, 900, 500, 40);
          for (const q of pts.map(p)) {
            expect(q.x).toBeGreaterThanOrEqual(40 - 1e-6);
            expect(q.x).toBeLessThanOrEqual(860 + 1e-6);
            expect(q.y).toBeGreaterThanOrEqual(40 - 1e-6);
            expect(q.y).toBeLessThanOrEqual(460 + 1e-6);
          }
        },
      ),
    );
  });
});
