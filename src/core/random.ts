/**
 * Seeded random streams. Cores take a `Random` instead of `Math.random()` so a simulation with
 * the same seed replays exactly; `fork(label)` derives an independent stream per component.
 *
 * @example
 * const rng = seededRandom(42);
 * const jitter = rng.fork('node-7/jitter');
 * jitter.int(100); // same value for seed 42, every run
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** A new independent stream derived from this one's seed and `label`. */
  fork(label: string): Random;
}

/** FNV-1a: mixes a label into a 32-bit seed. */
function hashLabel(seed: number, label: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** sfc32, a small fast generator that passes PractRand; seeded through splitmix32. */
export function seededRandom(seed: number): Random {
  let s = seed >>> 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const base = seed >>> 0;
  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    fork: (label: string) => seededRandom(hashLabel(base, label)),
  };
}
