/**
 * Remembers which frames a node has already handled, for a time window and up to a fixed
 * number of entries (oldest evicted first), so floods die out and replays inside the window
 * are dropped with memory bounded whatever arrives.
 *
 * A frame's identity is (src, dst, type, sequence, fragment, crc): hop, hops and attempt change
 * on the way, and the CRC tells apart two payloads that happen to share a sequence.
 *
 * @example
 * const seen = new DuplicateFilter({ windowMs: 3000, capacity: 4096 });
 * seen.check(frameKey(frame), 'r1', now); // undefined: first time
 * seen.check(frameKey(frame), 'r1', now); // 'r1': seen before, first heard from r1
 */
import type { Frame } from './frame-codec.ts';

export interface DuplicateFilterOptions {
  /** How long an identity is remembered. @default 3000 */
  windowMs?: number;
  /** Most identities remembered at once. @default 4096 */
  capacity?: number;
}

/** The identity of a frame as a string key (52 bits of header plus the CRC do not fit a double). */
export function frameKey(f: Frame): string {
  return `${f.src}:${f.dst}:${f.type}:${f.sequence}:${f.fragment}:${f.crc}`;
}

interface Entry {
  at: number;
  /** Mesh address of the transmitter we first heard it from. */
  firstFrom: number;
}

export class DuplicateFilter {
  private readonly windowMs: number;
  private readonly capacity: number;
  // A Map iterates in insertion order, so its first entry is always the oldest.
  private readonly entries = new Map<string, Entry>();

  constructor(options: DuplicateFilterOptions = {}) {
    this.windowMs = options.windowMs ?? 3000;
    this.capacity = options.capacity ?? 4096;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Returns the transmitter this identity was first heard from when it was seen inside the
   * window, or undefined after recording it as new.
   */
  check(key: string, from: number, now: number): number | undefined {
    this.expire(now);
    const e = this.entries.get(key);
    if (e) return e.firstFrom;
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { at: now, firstFrom: from });
    return undefined;
  }

  private expire(now: number): void {
    for (const [k, e] of this.entries) {
      if (now - e.at < this.windowMs) break;
      this.entries.delete(k);
    }
  }
}
