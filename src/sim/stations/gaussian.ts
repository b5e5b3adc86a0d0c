/**
 * Normal and triangular draws from an injected `Random` (the simulator's seeded streams), so
 * shadowing and handshake times replay exactly for the same seed.
 *
 * @example
 * normal(seededRandom(1)); // one standard-normal draw
 * triangular(seededRandom(1), 40, 60, 90); // in [40, 90], most likely near 60
 */
import type { Random } from '../../core/random.ts';

/** A standard-normal draw (Box–Muller; one of the pair is discarded to keep the stream simple). */
export function normal(random: Random): number {
  // 1 - next() is in (0, 1], so the logarithm is finite.
  const u = 1 - random.next();
  const v = random.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A draw from the triangular distribution on [min, max] with its peak at `mode`. */
export function triangular(random: Random, min: number, mode: number, max: number): number {
  if (max <= min) return min;
  const u = random.next();
  const cut = (mode - min) / (max - min);
  return u < cut
    ? min + Math.sqrt(u * (max - min) * (mode - min))
    : max - Math.sqrt((1 - u) * (max - min) * (max - mode));
}
