/**
 * Wall-clock scheduler for real nodes: the one place where `setTimeout` and the process clock
 * meet the cores. `now()` is Unix epoch milliseconds, so stored and published timestamps are
 * real dates, but it advances monotonically (a wall-clock step does not move it backwards).
 *
 * @example
 * const s = new RealScheduler();
 * s.after(100, () => console.log('100 ms later'));
 */
import type { Scheduler, TimerHandle } from './scheduler.ts';

export class RealScheduler implements Scheduler {
  now(): number {
    // Whole milliseconds: timestamps are stored in integer columns (PostgreSQL's BIGINT refuses
    // fractions), and flooring a monotonic clock keeps it monotonic.
    return Math.floor(performance.timeOrigin + performance.now());
  }

  after(delayMs: number, fn: () => void): TimerHandle {
    const timer = setTimeout(fn, Math.max(0, delayMs));
    // A pending retry or probe must not keep a finished CLI process alive.
    timer.unref?.();
    return { cancel: () => clearTimeout(timer) };
  }
}
