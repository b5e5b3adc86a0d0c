/**
 * Slows down password guessing over MQTT, per source address: after `maxFailures` failed logins
 * within `windowMs`, the address is blocked for `blockMs`, doubling at each new block up to
 * `maxBlockMs`; while blocked its CONNECTs are refused without checking the password, so a
 * storm of wrong passwords no longer costs every other client the broker's time (each check is a
 * deliberately slow hash). A success does not clear the count: an attacker holding one good login
 * could otherwise reset it between guesses.
 *
 * The table is bounded (`maxAddresses`) and cannot be flushed by spraying: a new address evicts
 * the least recently seen entry that is not blocked, and a blocked one only when all are, then
 * the mildest, so the worst offenders stay. IPv6 addresses count by their /64, which one host can fill with addresses of its own.
 * Sans-IO: the clock is injected; the broker calls `check` before a login and `failed` after.
 *
 * @example
 * const throttle = new AuthFailureThrottle({ now: () => Date.now() });
 * if (!throttle.check('203.0.113.7').allowed) refuse();
 * else if (!passwordOk) throttle.failed('203.0.113.7');
 */
import { isIPv6 } from 'node:net';

export interface AuthFailureThrottleOptions {
  /** Failed logins from one address within `windowMs` that start a block. @default 10 */
  maxFailures?: number | undefined;
  /** @default 60_000 */
  windowMs?: number | undefined;
  /** The first block; each later block of the same address doubles it. @default 60_000 */
  blockMs?: number | undefined;
  /** @default 900_000 */
  maxBlockMs?: number | undefined;
  /** Addresses tracked at once. @default 10_000 */
  maxAddresses?: number | undefined;
  now: () => number;
}

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryInMs: number };

interface Entry {
  windowStart: number;
  failures: number;
  blockedUntil: number;
  /** Blocks so far: the next block lasts blockMs * 2^strikes. */
  strikes: number;
}

export class AuthFailureThrottle {
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly blockMs: number;
  private readonly maxBlockMs: number;
  private readonly maxAddresses: number;
  private readonly now: () => number;
  /** In order of last use (a Map keeps insertion order; a touched entry is re-inserted). */
  private readonly entries = new Map<string, Entry>();

  constructor(options: AuthFailureThrottleOptions) {
    this.maxFailures = options.maxFailures ?? 10;
    this.windowMs = options.windowMs ?? 60_000;
    this.blockMs = options.blockMs ?? 60_000;
    this.maxBlockMs = options.maxBlockMs ?? 900_000;
    this.maxAddresses = options.maxAddresses ?? 10_000;
    this.now = options.now;
  }

  /** Whether a login from `address` may be tried now. */
  check(address: string): ThrottleVerdict {
    const entry = this.entries.get(keyOf(address));
    const now = this.now();
    if (entry && entry.blockedUntil > now) {
      return { allowed: false, retryInMs: entry.blockedUntil - now };
    }
    return { allowed: true };
  }

  /** Counts a failed login from `address`; returns the verdict for its next attempt. */
  failed(address: string): ThrottleVerdict {
    const key = keyOf(address);
    const now = this.now();
    let entry = this.entries.get(key);
    if (entry) this.entries.delete(key);
    else {
      entry = { windowStart: now, failures: 0, blockedUntil: 0, strikes: 0 };
      this.makeRoom(now);
    }
    this.entries.set(key, entry);
    if (now - entry.windowStart >= this.windowMs) {
      entry.windowStart = now;
      entry.failures = 0;
    }
    entry.failures++;
    if (entry.failures >= this.maxFailures && entry.blockedUntil <= now) {
      const ms = Math.min(this.blockMs * 2 ** entry.strikes, this.maxBlockMs);
      entry.blockedUntil = now + ms;
      entry.strikes++;
      entry.failures = 0;
      entry.windowStart = now;
    }
    return this.check(address);
  }

  /** Addresses tracked now (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Frees one slot when full: the least recently seen entry that is not blocked; when every one
   * is blocked (a spray from more addresses than the table holds), the mildest offender, the one
   * with the fewest blocks and the soonest end.
   */
  private makeRoom(now: number): void {
    if (this.entries.size < this.maxAddresses) return;
    let mildest: [string, Entry] | undefined;
    for (const [key, entry] of this.entries) {
      if (entry.blockedUntil <= now) {
        this.entries.delete(key);
        return;
      }
      if (
        !mildest ||
        entry.strikes < mildest[1].strikes ||
        (entry.strikes === mildest[1].strikes && entry.blockedUntil < mildest[1].blockedUntil)
      ) {
        mildest = [key, entry];
      }
    }
    if (mildest) this.entries.delete(mildest[0]);
  }
}

/** IPv4 (also when mapped into IPv6) as is; IPv6 by its first 64 bits. */
function keyOf(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address;
  return expandIPv6(address).slice(0, 4).join(':') + '::/64';
}

function expandIPv6(address: string): string[] {
  const [head = '', tail] = address.split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''));
}
