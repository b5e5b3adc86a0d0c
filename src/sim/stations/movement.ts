/**
 * Where a station is at a given time: standing still, walking a path of waypoints at a speed
 * (once or in a loop), or the random waypoint model (pick a point in the bounds, walk there at a
 * speed drawn from a range, pause, repeat), drawn from the injected random so a seed replays.
 * Positions are in metres. The random-waypoint speed range must not start at 0: with a zero
 * minimum the model's mean speed decays over time (Yoon, Liu and Noble, "Random waypoint
 * considered harmful", 2003).
 *
 * @example
 * const m = createMover({ kind: 'path', waypoints: [{ x: 0, y: 0 }, { x: 10, y: 0 }], speedMps: 1 }, rng);
 * m.positionAt(5000); // { x: 5, y: 0 }
 */
import type { Random } from '../../core/random.ts';
import { IntelliMeshError } from '../../core/errors.ts';

export interface Point {
  x: number;
  y: number;
}

export interface Bounds {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export type MovementSpec =
  | { kind: 'static'; at: Point }
  | {
      kind: 'path';
      waypoints: Point[];
      speedMps: number;
      /** Walk back to the first waypoint and start again. */
      loop?: boolean;
      /** Stands at the first waypoint until then (ms of field time). */
      startMs?: number;
    }
  | {
      kind: 'random-waypoint';
      bounds: Bounds;
      speedMps: { min: number; max: number };
      pauseMs: number;
      /** Starting point; a random point in the bounds if absent. */
      start?: Point;
    };

/** A movement that cannot be followed (no waypoints, a speed of 0, empty bounds). */
export class MovementError extends IntelliMeshError {}

export interface Mover {
  /** Position at `now`; for random waypoint, `now` must not go backwards. */
  positionAt(now: number): Point;
}

const lerp = (a: Point, b: Point, f: number): Point => ({
  x: a.x + (b.x - a.x) * f,
  y: a.y + (b.y - a.y) * f,
});

export const distance = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);

class PathMover implements Mover {
  private readonly points: Point[];
  private readonly cumulative: number[] = [0];
  private readonly length: number;

  constructor(
    waypoints: Point[],
    private readonly speedMps: number,
    private readonly loop: boolean,
    private readonly startMs: number,
  ) {
    this.points = loop && waypoints.length > 1 ? [...waypoints, waypoints[0]!] : [...waypoints];
    for (let i = 1; i < this.points.length; i++)
      this.cumulative.push(
        this.cumulative[i - 1]! + distance(this.points[i - 1]!, this.points[i]!),
      );
    this.length = this.cumulative[this.cumulative.length - 1]!;
  }

  positionAt(now: number): Point {
    const walked = (Math.max(0, now - this.startMs) / 1000) * this.speedMps;
    if (this.length === 0) return this.points[0]!;
    let s = walked;
    if (this.loop) s = walked % this.length;
    else if (s >= this.length) return this.points[this.points.length - 1]!;
    let i = 1;
    while (i < this.cumulative.length - 1 && this.cumulative[i]! < s) i++;
    const segment = this.cumulative[i]! - this.cumulative[i - 1]!;
    return lerp(
      this.points[i - 1]!,
      this.points[i]!,
      segment === 0 ? 1 : (s - this.cumulative[i - 1]!) / segment,
    );
  }
}

interface Leg {
  from: Point;
  to: Point;
  departAt: number;
  arriveAt: number;
  leaveAt: number;
}

class RandomWaypointMover implements Mover {
  private leg: Leg;

  constructor(
    private readonly bounds: Bounds,
    private readonly speed: { min: number; max: number },
    private readonly pauseMs: number,
    private readonly random: Random,
    start: Point | undefined,
  ) {
    const from = start ?? this.randomPoint();
    this.leg = this.legFrom(from, 0);
  }

  positionAt(now: number): Point {
    while (now >= this.leg.leaveAt) this.leg = this.legFrom(this.leg.to, this.leg.leaveAt);
    if (now >= this.leg.arriveAt) return this.leg.to;
    if (now <= this.leg.departAt) return this.leg.from;
    return lerp(
      this.leg.from,
      this.leg.to,
      (now - this.leg.departAt) / (this.leg.arriveAt - this.leg.departAt),
    );
  }

  private randomPoint(): Point {
    const b = this.bounds;
    return {
      x: b.minX + this.random.next() * (b.maxX - b.minX),
      y: b.minY + this.random.next() * (b.maxY - b.minY),
    };
  }

  private legFrom(from: Point, departAt: number): Leg {
    const to = this.randomPoint();
    const speed = this.speed.min + this.random.next() * (this.speed.max - this.speed.min);
    const arriveAt = departAt + (distance(from, to) / speed) * 1000;
    // A leg of zero length still takes the pause, so time always moves the walk on.
    return { from, to, departAt, arriveAt, leaveAt: arriveAt + Math.max(this.pauseMs, 1) };
  }
}

export function createMover(spec: MovementSpec, random: Random): Mover {
  switch (spec.kind) {
    case 'static':
      return { positionAt: () => spec.at };
    case 'path':
      if (spec.waypoints.length === 0)
        throw new MovementError('a path needs at least one waypoint');
      if (!(spec.speedMps > 0)) throw new MovementError('a path needs a speed above 0 m/s');
      return new PathMover(spec.waypoints, spec.speedMps, spec.loop ?? false, spec.startMs ?? 0);
    case 'random-waypoint': {
      const { min, max } = spec.speedMps;
      if (!(min > 0) || max < min)
        throw new MovementError('random waypoint speed needs 0 < min <= max (m/s)');
      const b = spec.bounds;
      if (b.maxX < b.minX || b.maxY < b.minY)
        throw new MovementError('random waypoint bounds need min <= max');
      return new RandomWaypointMover(b, spec.speedMps, spec.pauseMs, random, spec.start);
    }
  }
}
