/**
 * Time as the cores see it: milliseconds since an arbitrary epoch, read from an injected clock.
 *
 * Cores never call `Date.now()`; the simulator hands them virtual time and a real node hands
 * them wall time, through the same interface.
 *
 * @example
 * const clock: Clock = { now: () => 1_000 };
 * clock.now(); // 1000
 */
export interface Clock {
  now(): number;
}
