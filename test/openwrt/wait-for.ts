/**
 * Polls a condition until it holds or a deadline passes: the harness never sleeps a fixed time
 * and hopes. A probe answers a value (truthy: done, returned to the caller) or a falsy value
 * or an exception (not yet); at the deadline `WaitTimeoutError` carries the last answer.
 *
 * @example
 * const addr = await waitFor('a DHCP lease on wan', async () => (await leaseOf('wan')) ?? null, 10_000);
 */
import { setTimeout as delay } from 'node:timers/promises';
import { WaitTimeoutError } from './errors.ts';

export interface WaitOptions {
  /** Pause between two probes. @default 100 */
  intervalMs?: number;
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T> | T,
  timeoutMs: number,
  options: WaitOptions = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  const interval = options.intervalMs ?? 100;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (e) {
      last = e;
    }
    if (Date.now() >= deadline) throw new WaitTimeoutError(what, timeoutMs, last);
    await delay(Math.min(interval, Math.max(0, deadline - Date.now())));
  }
}
