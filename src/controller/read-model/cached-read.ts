/**
 * A read the dashboard repeats (overview, topology) kept as one built snapshot, so its cost
 * follows the rate of change, not the rate of requests: a snapshot is served until it is at
 * least `intervalMs` old AND something it shows changed (`changed()`), its own expiry passed
 * (`validUntil`, for answers that age with time), or it reached `maxAgeMs` (a safety net for a
 * change whose notice was lost). So an answer is never older than `intervalMs` behind a change
 * that was announced, and never older than `maxAgeMs` at all. Concurrent requests that find it
 * out of date share one rebuild.
 *
 * A snapshot served inside the interval after a change misses that change, and nothing will
 * announce the rebuild that catches up. So it is served with `refreshAfterMs`: how long until a
 * request gets a snapshot that includes every change announced so far. A client that refetches
 * on live changes (the dashboard) asks again then, instead of keeping the older answer until
 * the next change.
 *
 * With `intervalMs` and `maxAgeMs` at 0 every request rebuilds (the uncached behaviour).
 *
 * @example
 * const overview = new CachedRead({ clock, intervalMs: 1000, maxAgeMs: 10_000, build });
 * hub.onChanges(() => overview.changed());
 * const { value, generatedAt, version } = await overview.get();
 */
import type { Clock } from '../../core/clock.ts';

export interface Built<T> {
  value: T;
  /** The value is right until this time even if nothing changes (e.g. a state turning stale). */
  validUntil?: number;
  /** When the data it was built from was read, if earlier than now (a shared snapshot). */
  dataAt?: number;
  /**
   * Built from a shared snapshot that a change had already made out of date (see `outdated`):
   * the value is served within the interval like any other, but rebuilt once it has passed.
   */
  outdated?: boolean;
}

export interface ReadSnapshot<T> {
  value: T;
  /** Counts rebuilds of this read in this process, from 1. */
  version: number;
  /** When the data behind `value` was read from the store (the injected clock's ms). */
  generatedAt: number;
  /**
   * Set when a change was announced after this snapshot was built: a request this many ms from
   * now gets one that includes it.
   */
  refreshAfterMs?: number;
}

export interface CachedReadOptions<T> {
  clock: Clock;
  /** A snapshot younger than this is served whatever changed. */
  intervalMs: number;
  /** A snapshot this old is rebuilt even if no change was announced. */
  maxAgeMs: number;
  build: () => Promise<Built<T>>;
}

interface Held<T> extends ReadSnapshot<T> {
  validUntil: number;
  /** The change count the build started from: a later change makes it out of date. */
  seenChanges: number;
}

export class CachedRead<T> {
  private held: Held<T> | undefined;
  private changes = 0;
  private version = 0;
  private building: Promise<Held<T>> | undefined;

  constructor(private readonly o: CachedReadOptions<T>) {}

  /** Something the read shows changed: the next request after the interval rebuilds it. */
  changed(): void {
    this.changes++;
  }

  /** Whether a change was announced after this snapshot of this read was built. */
  outdated(snapshot: ReadSnapshot<T>): boolean {
    return snapshot !== this.held || this.held.seenChanges !== this.changes;
  }

  async get(): Promise<ReadSnapshot<T>> {
    let held = this.held;
    if (!held || !this.current(held, this.o.clock.now())) {
      this.building ??= this.rebuild().finally(() => {
        this.building = undefined;
      });
      held = await this.building;
    }
    if (held.seenChanges === this.changes) return held;
    // Built before a change (or from a shared read that was): say when it catches up. A copy,
    // so `outdated()` of what the caller holds stays true after later rebuilds.
    const catchesUpAt = held.generatedAt + this.o.intervalMs;
    return { ...held, refreshAfterMs: Math.max(1, catchesUpAt - this.o.clock.now()) };
  }

  private current(held: Held<T>, now: number): boolean {
    const age = now - held.generatedAt;
    if (age < this.o.intervalMs) return true;
    return held.seenChanges === this.changes && now <= held.validUntil && age < this.o.maxAgeMs;
  }

  private async rebuild(): Promise<Held<T>> {
    const seenChanges = this.changes;
    const started = this.o.clock.now();
    const built = await this.o.build();
    this.version++;
    this.held = {
      value: built.value,
      version: this.version,
      generatedAt: Math.min(started, built.dataAt ?? started),
      validUntil: built.validUntil ?? Number.POSITIVE_INFINITY,
      seenChanges: built.outdated ? -1 : seenChanges,
    };
    return this.held;
  }
}
