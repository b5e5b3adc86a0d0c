/**
 * The recent messages of partitions this process does not own. Every process receives every
 * node message (each has its own persistent MQTT session); only a partition's owner writes it.
 * When an owner dies in the middle of a batch, what it received but never committed is still
 * here, in every survivor: the one that claims the partition replays its window into the store,
 * and deduplication (message-id.ts) drops what the dead owner did commit.
 *
 * Bounded twice: by age (a claim follows a death within seconds, so a short window suffices)
 * and by count (memory stays bounded under a flood; the oldest go first).
 *
 * @example
 * const w = new ReplayWindow({ clock, keepMs: 30_000, maxMessages: 100_000 });
 * w.hold(5, { topic, payload });
 * w.take([5]); // [{ topic, payload }], now gone from the window
 */
import type { Clock } from '../../core/clock.ts';

export interface WindowMessage {
  topic: string;
  payload: Uint8Array;
}

export interface ReplayWindowOptions {
  clock: Clock;
  /** How long a message is kept. @default 30_000 */
  keepMs?: number;
  /** At most this many messages are kept. @default 100_000 */
  maxMessages?: number;
}

interface Held {
  partition: number;
  at: number;
  message: WindowMessage;
}

export class ReplayWindow {
  private readonly keepMs: number;
  private readonly maxMessages: number;
  /** In arrival order: the oldest at the head (a queue with a moving head, compacted lazily). */
  private queue: (Held | undefined)[] = [];
  private head = 0;
  private count = 0;
  /** Messages dropped for the count bound: a hint the window is too small for the load. */
  dropped = 0;

  constructor(private readonly options: ReplayWindowOptions) {
    this.keepMs = options.keepMs ?? 30_000;
    this.maxMessages = options.maxMessages ?? 100_000;
  }

  get size(): number {
    return this.count;
  }

  hold(partition: number, message: WindowMessage): void {
    const now = this.options.clock.now();
    this.expire(now);
    this.queue.push({ partition, at: now, message });
    this.count++;
    while (this.count > this.maxMessages) {
      this.shift();
      this.dropped++;
    }
  }

  /** The held messages of these partitions, oldest first; they leave the window. */
  take(partitions: Iterable<number>): WindowMessage[] {
    this.expire(this.options.clock.now());
    const wanted = new Set(partitions);
    const out: WindowMessage[] = [];
    for (let i = this.head; i < this.queue.length; i++) {
      const held = this.queue[i];
      if (held && wanted.has(held.partition)) {
        out.push(held.message);
        this.queue[i] = undefined;
        this.count--;
      }
    }
    this.compact();
    return out;
  }

  private expire(now: number): void {
    while (this.head < this.queue.length) {
      const held = this.queue[this.head];
      if (held !== undefined && now - held.at < this.keepMs) break;
      if (held !== undefined) this.count--;
      this.queue[this.head] = undefined;
      this.head++;
    }
    this.compact();
  }

  private shift(): void {
    while (this.head < this.queue.length && this.queue[this.head] === undefined) this.head++;
    if (this.head < this.queue.length) {
      this.queue[this.head] = undefined;
      this.head++;
      this.count--;
    }
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
