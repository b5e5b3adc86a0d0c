/**
 * A bucketed timing wheel for the engine's purge: entries are filed under the time they may
 * next need attention, in buckets one `width` wide, and a purge takes out only the buckets
 * that are due instead of scanning every originator and every candidate each interval. An
 * entry may come out up to one width early (the engine checks it exactly and files it again).
 * Filing an entry anew makes its earlier filings stale: each entry remembers the key it was
 * last filed under, and a bucket hands out only entries whose key still matches.
 *
 * @example
 * const wheel = new ExpiryWheel<{ wheelKey: number }>(1000);
 * const e = { wheelKey: -1 };
 * wheel.add(e, 2500);
 * wheel.takeDue(1999, []); // []
 * wheel.takeDue(2000, []); // [e]: filed in the bucket 2000..2999, so possibly early
 */

/** What the wheel files: an object that remembers its last key (-1: none, or removed). */
export interface WheelEntry {
  wheelKey: number;
}

export class ExpiryWheel<T extends WheelEntry> {
  private readonly buckets = new Map<number, T[]>();
  /** No bucket below this key holds anything. */
  private from = 0;

  constructor(private readonly width: number) {}

  keyOf(at: number): number {
    return Math.max(this.from, Math.floor(at / this.width));
  }

  /** Files `e` under time `at` (a past time is filed in the oldest bucket still to be taken). */
  add(e: T, at: number): void {
    const key = this.keyOf(at);
    e.wheelKey = key;
    const bucket = this.buckets.get(key);
    if (bucket) bucket.push(e);
    else this.buckets.set(key, [e]);
  }

  /** Takes out into `out` every entry filed in a bucket starting at or before `now`. */
  takeDue(now: number, out: T[]): T[] {
    const last = Math.floor(now / this.width);
    if (last < this.from) return out;
    if (last - this.from <= this.buckets.size) {
      for (let key = this.from; key <= last; key++) this.take(key, out);
    } else {
      // A long gap between purges (a host that ticks late): visit the buckets, not the keys.
      for (const key of [...this.buckets.keys()]) if (key <= last) this.take(key, out);
    }
    // The bucket of `now` may get entries again that are not due yet: it stays the oldest.
    this.from = last;
    return out;
  }

  private take(key: number, out: T[]): void {
    const bucket = this.buckets.get(key);
    if (!bucket) return;
    this.buckets.delete(key);
    for (const e of bucket) if (e.wheelKey === key) out.push(e);
  }
}
