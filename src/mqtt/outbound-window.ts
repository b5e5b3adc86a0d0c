/**
 * One client's outgoing window, as Mosquitto's `max_inflight_messages` and
 * `max_queued_messages` / `max_queued_bytes`: at most `maxInflight` messages on their way to the
 * client at once (written but not yet taken by its socket, or QoS 1/2 not yet acknowledged),
 * then up to `maxQueued` messages and `maxQueuedBytes` bytes waiting behind them; what comes
 * beyond that is dropped. Sans-IO: the caller says what arrives, when a write completes and when
 * an acknowledgement comes, and does what `offer` and `pump` answer.
 *
 * @example
 * const w = new OutboundWindow<string>({ maxInflight: 2, maxQueued: 1, maxQueuedBytes: 100 });
 * w.offer('a', 10); // 'send'
 * w.offer('b', 10); // 'send'
 * w.offer('c', 10); // 'queued'
 * w.offer('d', 10); // 'dropped'
 * w.written(true); // 'a' reached the socket, awaits its PUBACK: still in flight
 * w.acked(); w.pump(); // ['c']
 */

export interface OutboundLimits {
  maxInflight: number;
  maxQueued: number;
  maxQueuedBytes: number;
}

export type OfferOutcome = 'send' | 'queued' | 'dropped';

export class OutboundWindow<T> {
  /** Sent, and the socket has not taken them yet. */
  private writing = 0;
  /** Taken by the socket, QoS 1 or 2, no acknowledgement yet. */
  private unacked = 0;
  private readonly queue: { item: T; bytes: number }[] = [];
  private head = 0;
  private bytes = 0;
  /** Messages dropped because the queue was full. */
  dropped = 0;

  constructor(private readonly limits: OutboundLimits) {}

  get inflight(): number {
    return this.writing + this.unacked;
  }

  get queued(): number {
    return this.queue.length - this.head;
  }

  get queuedBytes(): number {
    return this.bytes;
  }

  /** A new message for the client. 'send' counts it in flight at once. */
  offer(item: T, bytes: number): OfferOutcome {
    if (this.queued === 0 && this.inflight < this.limits.maxInflight) {
      this.writing++;
      return 'send';
    }
    if (this.queued < this.limits.maxQueued && this.bytes + bytes <= this.limits.maxQueuedBytes) {
      this.queue.push({ item, bytes });
      this.bytes += bytes;
      return 'queued';
    }
    this.dropped++;
    return 'dropped';
  }

  /** A send's write completed; `awaitsAck` when it went out at QoS 1 or 2. */
  written(awaitsAck: boolean): void {
    if (this.writing > 0) this.writing--;
    if (awaitsAck) this.unacked++;
  }

  /**
   * The client acknowledged a message. Acknowledgements are not matched to messages (a clean
   * session keeps no record of what it sent), so a client sending spurious ones only frees its
   * own window of unacknowledged messages; those still being written stay counted.
   */
  acked(): void {
    if (this.unacked > 0) this.unacked--;
  }

  /** The queued messages that may go now, oldest first, each counted in flight. */
  pump(): T[] {
    const out: T[] = [];
    while (this.queued > 0 && this.inflight < this.limits.maxInflight) {
      const next = this.queue[this.head]!;
      this.queue[this.head++] = undefined as never;
      this.bytes -= next.bytes;
      this.writing++;
      out.push(next.item);
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return out;
  }

  /** Forgets what is queued (the connection ended); returns it. */
  clear(): T[] {
    const rest = this.queue.slice(this.head).map((q) => q.item);
    this.queue.length = 0;
    this.head = 0;
    this.bytes = 0;
    return rest;
  }
}
