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

/**
 * A queued event, which is also its own handle: scheduling allocates one object, not an event
 * plus a handle and its closure (the simulator schedules several hundred events per virtual
 * second at 25 nodes, issue 16).
 */
class QueuedEvent implements TimerHandle {
  constructor(
    readonly at: number,
    readonly seq: number,
    public fn: (() => void) | undefined,
  ) {}

  cancel(): void {
    this.fn = undefined;
  }
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
    const event = new QueuedEvent(Math.max(atMs, this.time), this.seq++, fn);
    this.push(event);
    return event;
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
    // step() and nextEventAt() in one loop: the top is looked at once per event.
    const heap = this.heap;
    for (;;) {
      const event = heap[0];
      if (event === undefined) break;
      const fn = event.fn;
      if (fn === undefined) {
        this.pop();
        continue;
      }
      if (event.at > endMs) break;
      this.pop();
      this.time = event.at;
      event.fn = undefined;
      this.executed++;
      fn();
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

  // Sift with a hole: the moving event is written once, where it lands.
  private push(event: QueuedEvent): void {
    const heap = this.heap;
    let i = heap.length;
    heap.push(event);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (!earlier(event, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = event;
  }

  private pop(): QueuedEvent | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    const n = heap.length;
    if (n === 0 || !last) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let m = l;
      let child = heap[l]!;
      if (l + 1 < n) {
        const right = heap[l + 1]!;
        if (earlier(right, child)) {
          m = l + 1;
          child = right;
        }
      }
      if (!earlier(child, last)) break;
      heap[i] = child;
      i = m;
    }
    heap[i] = last;
    return top;
  }
}
