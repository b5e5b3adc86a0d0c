/**
 * Waiting on real I/O in tests without sleeping on wall time: `until` polls a condition while
 * the event loop runs, `drainEventLoop` lets already-queued I/O callbacks run.
 *
 * @example
 * await until(() => received.length === 3);
 * await drainEventLoop();
 */
import { vi } from 'vitest';

export async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  await vi.waitFor(
    () => {
      if (!condition()) throw new Error('condition not met yet');
    },
    { timeout: timeoutMs, interval: 2 },
  );
}

/** Runs `turns` rounds of the event loop (each one polls sockets and file descriptors). */
export async function drainEventLoop(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
