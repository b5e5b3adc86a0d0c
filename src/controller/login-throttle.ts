/**
 * Slows password guessing: after `maxFailures` failed logins for one username within `windowMs`,
 * further attempts are refused until the window passes. Sans-IO: the caller passes `now`.
 *
 * @example
 * const t = new LoginThrottle();
 * if (!t.allowed('admin', now)) reply429();
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures = 5,
    private readonly windowMs = 60_000,
    /** Bounds memory when many usernames are tried. */
    private readonly maxTracked = 10_000,
  ) {}

  allowed(username: string, now: number): boolean {
    return this.recent(username, now).length < this.maxFailures;
  }

  /** Milliseconds until `username` may try again (0 when it may now). */
  retryAfterMs(username: string, now: number): number {
    const recent = this.recent(username, now);
    if (recent.length < this.maxFailures) return 0;
    return recent[recent.length - this.maxFailures]! + this.windowMs - now;
  }

  failed(username: string, now: number): void {
    const recent = this.recent(username, now);
    recent.push(now);
    this.failures.set(username, recent);
    if (this.failures.size > this.maxTracked) {
      this.failures.delete(this.failures.keys().next().value!);
    }
  }

  succeeded(username: string): void {
    this.failures.delete(username);
  }

  private recent(username: string, now: number): number[] {
    return (this.failures.get(username) ?? []).filter((t) => now - t < this.windowMs);
  }
}
