/**
 * A deterministic scheduler on virtual time: events ordered by (time, insertion order), so the
 * same inputs always run in the same order. It is the simulator's event queue and the clock of
 * every test that needs time to pass.
 *
 * @example
 * const s = new VirtualScheduler();
 * s.after(10, () => {});
 * s.runUntil(10); // virtual time is now 10, the event ran
 */
import type { Scheduler, TimerHandle } from './scheduler.ts';

interface QueuedEvent {
  at: number;
  seq: number;
  fn: (() => void) | undefined;
}

function earlier(a: QueuedEvent, b: QueuedEvent): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

export class VirtualScheduler implements Scheduler {
  private time: number;
  private seq = 0;
  private readonly heap: QueuedEvent[] = [];
  private executed = 0;

  constructor(startMs = 0) {
    this.time = startMs;
  }

  now(): number {
    return this.time;
  }

  /** Number of events run so far (cancelled events are not counted). */
  get eventsRun(): number {
    return this.executed;
  }

  /** Number of events still queued, including cancelled ones not yet popped. */
  get pending(): number {
    return this.heap.length;
  }

  after(delayMs: number, fn: () => void): TimerHandle {
    return this.at(this.time + Math.max(0, delayMs), fn);
  }

  /** Runs `fn` at absolute virtual time `atMs` (clamped to now). */
  at(atMs: number, fn: () => void): TimerHandle {
    const event: QueuedEvent = { at: Math.max(atMs, this.time), seq: this.seq++, fn };
    this.push(event);
    return {
      cancel: () => {
        event.fn = undefined;
      },
    };
  }

  /** Time of the next live event, or undefined when nothing is queued. */
  nextEventAt(): number | undefined {
    this.dropCancelled();
    return this.heap[0]?.at;
  }

  /** Runs the next event, advancing time to it. Returns false when the queue is empty. */
  step(): boolean {
    this.dropCancelled();
    const event = this.pop();
    if (!event) return false;
    this.time = event.at;
    const fn = event.fn;
    event.fn = undefined;
    if (fn) {
      this.executed++;
      fn();
    }
    return true;
  }

  /** Runs every event up to and including `endMs`, then sets time to `endMs`. */
  runUntil(endMs: number): void {
    for (;;) {
      const next = this.nextEventAt();
      if (next === undefined || next > endMs) break;
      this.step();
    }
    if (endMs > this.time) this.time = endMs;
  }

  /** Advances virtual time by `ms`, running everything due on the way. */
  advance(ms: number): void {
    this.runUntil(this.time + ms);
  }

  /** Runs until the queue is empty or `maxEvents` ran; returns how many ran. */
  runAll(maxEvents = Number.POSITIVE_INFINITY): number {
    let n = 0;
    while (n < maxEvents && this.step()) n++;
    return n;
  }

  private dropCancelled(): void {
    while (this.heap.length > 0 && this.heap[0]!.fn === undefined) this.pop();
  }

  private push(event: QueuedEvent): void {
    const heap = this.heap;
    heap.push(event);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!earlier(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): QueuedEvent | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length === 0 || !last) return top;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && earlier(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && earlier(heap[r]!, heap[m]!)) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
    return top;
  }
}
