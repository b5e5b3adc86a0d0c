import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/core/random.ts';
import { createMover, MovementError } from '../../../src/sim/stations/index.ts';

describe('station movement', () => {
  it('walks a path at its speed and stops at the last waypoint', () => {
    const m = createMover(
      {
        kind: 'path',
        waypoints: [
          { x: 0, y: 0 },
          { x: 10, y: 0 },
          { x: 10, y: 10 },
        ],
        speedMps: 2,
        startMs: 1000,
      },
      seededRandom(1),
    );
    expect(m.positionAt(0)).toEqual({ x: 0, y: 0 });
    expect(m.positionAt(3500)).toEqual({ x: 5, y: 0 });
    expect(m.positionAt(8500)).toEqual({ x: 10, y: 5 });
    expect(m.positionAt(60_000)).toEqual({ x: 10, y: 10 });
  });

  it('loops back to the first waypoint when asked', () => {
    const m = createMover(
      {
        kind: 'path',
        waypoints: [
          { x: 0, y: 0 },
          { x: 10, y: 0 },
        ],
        speedMps: 1,
        loop: true,
      },
      seededRandom(1),
    );
    expect(m.positionAt(15_000)).toEqual({ x: 5, y: 0 }); // on the way back
    expect(m.positionAt(22_000)).toEqual({ x: 2, y: 0 }); // second lap
  });

  it('random waypoint stays in bounds, pauses, and replays for the same seed', () => {
    const spec = {
      kind: 'random-waypoint' as const,
      bounds: { minX: 0, minY: 0, maxX: 50, maxY: 20 },
      speedMps: { min: 1, max: 2 },
      pauseMs: 2000,
    };
    const a = createMover(spec, seededRandom(7));
    const b = createMover(spec, seededRandom(7));
    const c = createMover(spec, seededRandom(8));
    const pa: string[] = [];
    const pb: string[] = [];
    const pc: string[] = [];
    let still = 0;
    let prev = a.positionAt(0);
    for (let t = 0; t <= 600_000; t += 250) {
      const p = a.positionAt(t);
      expect(p.x).toBeGreaterThanOrEqual(0);
      expect(p.x).toBeLessThanOrEqual(50);
      expect(p.y).toBeGreaterThanOrEqual(0);
      expect(p.y).toBeLessThanOrEqual(20);
      // Between steps it never moves faster than the top speed.
      expect(Math.hypot(p.x - prev.x, p.y - prev.y)).toBeLessThanOrEqual(2 * 0.25 + 1e-9);
      if (p.x === prev.x && p.y === prev.y) still++;
      prev = p;
      pa.push(`${p.x},${p.y}`);
      const q = b.positionAt(t);
      pb.push(`${q.x},${q.y}`);
      const r = c.positionAt(t);
      pc.push(`${r.x},${r.y}`);
    }
    expect(pb).toEqual(pa);
    expect(pc).not.toEqual(pa);
    expect(still).toBeGreaterThan(10); // the pauses
  });

  it('refuses movements it cannot follow', () => {
    expect(() =>
      createMover({ kind: 'path', waypoints: [{ x: 0, y: 0 }], speedMps: 0 }, seededRandom(1)),
    ).toThrow(MovementError);
    expect(() =>
      createMover(
        {
          kind: 'random-waypoint',
          bounds: { minX: 0, minY: 0, maxX: 1, maxY: 1 },
          speedMps: { min: 0, max: 1 },
          pauseMs: 0,
        },
        seededRandom(1),
      ),
    ).toThrow(/0 < min/);
  });
});
