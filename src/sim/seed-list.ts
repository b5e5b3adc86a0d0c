/**
 * The `--seeds` value of `sim run`: a range `1..8`, a list `1,3,5`, or both `1..4,9`. Seeds are
 * 32-bit unsigned integers, each at most once, kept in the order given.
 *
 * @example
 * parseSeedList('1..3,7'); // [1, 2, 3, 7]
 */
import { IntelliMeshError } from '../core/errors.ts';

/** A `--seeds` value that is not a list of seeds; the message says which part and why. */
export class SeedListError extends IntelliMeshError {
  constructor(
    readonly value: string,
    detail: string,
  ) {
    super(`--seeds '${value}': ${detail} (expected a range like 1..8 or a list like 1,3,5)`);
  }
}

const MAX_SEED = 0xffffffff;
/** More runs than this in one call is almost certainly a typo (1..10000 for 1..100). */
export const MAX_SEEDS = 1024;

export function parseSeedList(value: string): number[] {
  const seeds: number[] = [];
  const seen = new Set<number>();
  const seed = (text: string): number => {
    if (!/^\d+$/.test(text)) throw new SeedListError(value, `'${text}' is not a seed`);
    const n = Number(text);
    if (n > MAX_SEED) throw new SeedListError(value, `${n} is over ${MAX_SEED}`);
    return n;
  };
  const add = (n: number): void => {
    if (seen.has(n)) throw new SeedListError(value, `seed ${n} appears twice`);
    if (seeds.length >= MAX_SEEDS) throw new SeedListError(value, `more than ${MAX_SEEDS} seeds`);
    seen.add(n);
    seeds.push(n);
  };
  for (const part of value.split(',').map((p) => p.trim())) {
    const range = /^(\S+?)\.\.(\S+)$/.exec(part);
    if (!range) {
      add(seed(part));
      continue;
    }
    const from = seed(range[1]!);
    const to = seed(range[2]!);
    if (to < from) throw new SeedListError(value, `range ${part} runs backwards`);
    if (to - from >= MAX_SEEDS) throw new SeedListError(value, `more than ${MAX_SEEDS} seeds`);
    for (let n = from; n <= to; n++) add(n);
  }
  return seeds;
}
