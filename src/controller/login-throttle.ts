/**
 * Slows password guessing with two budgets: failed logins per username (guessing one account
 * from many addresses) and per client address (guessing many accounts, or flooding the table,
 * from one). Either budget spent within `windowMs` refuses further attempts until it recovers.
 *
 * Memory is bounded, but trimming a full table drops the entries with the fewest recent failures
 * first, so an attacker cannot flush a blocked account out by trying thousands of throwaway
 * usernames: those are the entries that go. Sans-IO: the caller passes `now`.
 *
 * An attempt counts as failed from the moment it starts (`attempt`) and is forgiven if the
 * password was right (`succeeded`): checking a password takes a while, and a thousand
 * concurrent guesses must not all pass the check before the first failure is recorded.
 *
 * @example
 * const t = new LoginThrottle();
 * if (!t.allowed('admin', '203.0.113.9', now)) reply429();
 * t.attempt('admin', '203.0.113.9', now);
 * if (passwordRight) t.succeeded('admin', '203.0.113.9', now);
 */

export interface LoginThrottleOptions {
  /** Failed logins one username may have within the window. @default 5 */
  perUser?: number;
  /** Failed logins one client address may have within the window. @default 20 */
  perAddress?: number;
  /** @default 60 s */
  windowMs?: number;
  /** Most usernames (and, separately, addresses) tracked at once. @default 10,000 */
  maxTracked?: number;
}

/** The budgets and window `options` ask for, defaults filled in (the store's throttle too). */
export function throttleLimits(options: LoginThrottleOptions): {
  perUser: number;
  perAddress: number;
  windowMs: number;
} {
  return {
    perUser: options.perUser ?? 5,
    perAddress: options.perAddress ?? 20,
    windowMs: options.windowMs ?? 60_000,
  };
}

/** Failure times per key, oldest first, bounded as the header says. */
class FailureTable {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly budget: number,
    private readonly windowMs: number,
    private readonly maxTracked: number,
  ) {}

  get size(): number {
    return this.failures.size;
  }

  retryAfterMs(key: string, now: number): number {
    const recent = this.recent(key, now);
    if (recent.length < this.budget) return 0;
    return recent[recent.length - this.budget]! + this.windowMs - now;
  }

  failed(key: string, now: number): void {
    const recent = this.recent(key, now);
    recent.push(now);
    // Only the last `budget` failures decide anything; older ones need no memory.
    this.failures.set(key, recent.slice(-this.budget));
    if (this.failures.size > this.maxTracked) this.trim(now);
  }

  clear(key: string): void {
    this.failures.delete(key);
  }

  /** Takes back the failure counted at `at` (an attempt that turned out right). */
  forgive(key: string, at: number): void {
    const times = this.failures.get(key);
    const i = times?.lastIndexOf(at) ?? -1;
    if (i >= 0) times!.splice(i, 1);
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((t) => now - t < this.windowMs);
  }

  /** Drops expired entries, then the least-failed ones, down to 90 % of the bound. */
  private trim(now: number): void {
    const live: [string, number][] = [];
    for (const [key, times] of this.failures) {
      const n = times.filter((t) => now - t < this.windowMs).length;
      if (n === 0) this.failures.delete(key);
      else live.push([key, n]);
    }
    const target = Math.floor(this.maxTracked * 0.9);
    if (live.length <= target) return;
    live.sort((a, b) => a[1] - b[1]);
    for (const [key] of live.slice(0, live.length - target)) this.failures.delete(key);
  }
}

export class LoginThrottle {
  private readonly users: FailureTable;
  private readonly addresses: FailureTable;

  constructor(options: LoginThrottleOptions = {}) {
    const { perUser, perAddress, windowMs } = throttleLimits(options);
    const maxTracked = options.maxTracked ?? 10_000;
    this.users = new FailureTable(perUser, windowMs, maxTracked);
    this.addresses = new FailureTable(perAddress, windowMs, maxTracked);
  }

  /** How many usernames and addresses are remembered (for tests and metrics). */
  get tracked(): { users: number; addresses: number } {
    return { users: this.users.size, addresses: this.addresses.size };
  }

  allowed(username: string, address: string, now: number): boolean {
    return this.retryAfterMs(username, address, now) === 0;
  }

  /** Milliseconds until this username from this address may try again (0 when it may now). */
  retryAfterMs(username: string, address: string, now: number): number {
    return Math.max(
      this.users.retryAfterMs(username, now),
      this.addresses.retryAfterMs(address, now),
    );
  }

  /**
   * Admits an attempt (counted as failed until `succeeded`) and answers 0, or refuses it and
   * answers the milliseconds to wait (login-gate.ts).
   */
  begin(username: string, address: string, now: number): number {
    const wait = this.retryAfterMs(username, address, now);
    if (wait === 0) this.attempt(username, address, now);
    return wait;
  }

  /** Counts an attempt as failed until `succeeded` says otherwise. */
  attempt(username: string, address: string, now: number): void {
    this.users.failed(username, now);
    this.addresses.failed(address, now);
  }

  /** Same as `attempt`, for callers that learn of a failure afterwards. */
  failed(username: string, address: string, now: number): void {
    this.attempt(username, address, now);
  }

  /**
   * A correct password (for the attempt started at `startedAt`): clears the username's failures
   * and takes back that attempt from the address's budget.
   */
  succeeded(username: string, address: string, startedAt: number): void {
    this.users.clear(username);
    this.addresses.forgive(address, startedAt);
  }
}
