/**
 * Node clocks may run a little ahead of the controller's, but not far: a state stamped a year
 * ahead would win every "newer than what is stored" comparison and freeze the node's state until
 * then. Ingest refuses such messages (they appear in /api/rejected with this reason).
 *
 * @example
 * futureTimestampError(now + 3_600_000, now); // 'at is 3600 s ahead of the controller's clock …'
 */

/** How far ahead of the controller's clock a node's timestamp may be. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** Why `at` is too far in the future, or undefined when it is acceptable (or absent). */
export function futureTimestampError(at: number | undefined, now: number): string | undefined {
  if (at === undefined || at <= now + MAX_CLOCK_SKEW_MS) return undefined;
  return `at is ${Math.round((at - now) / 1000)} s ahead of the controller's clock (at most ${MAX_CLOCK_SKEW_MS / 1000} s allowed)`;
}
