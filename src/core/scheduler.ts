/**
 * A clock that can also run work later: what hosts (simulator, real node, tests) give to the
 * thin adapters that drive sans-IO cores.
 *
 * @example
 * const s = new VirtualScheduler();
 * s.after(50, () => console.log('at', s.now()));
 * s.runUntil(100); // prints "at 50"
 */
import type { Clock } from './clock.ts';

export interface TimerHandle {
  cancel(): void;
}

export interface Scheduler extends Clock {
  /** Runs `fn` once, `delayMs` from now (0 means after the current event). */
  after(delayMs: number, fn: () => void): TimerHandle;
}
