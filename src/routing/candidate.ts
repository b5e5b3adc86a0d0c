/**
 * One neighbour's view of one originator (batman-adv's neigh_node with its ifinfo): which of the
 * originator's last 64 sequence numbers arrived through that neighbour, and the ring of the last
 * 5 TQs it offered. Aged lazily: the originator keeps a clock (how far its sequence numbers
 * advanced, how many new sequence numbers pushed a 0 into the other neighbours' rings, when its
 * windows were last reset), and a candidate catches up with it only when it is read or written.
 * So a new sequence number costs O(1), not one shift and one ring write per neighbour, and the
 * ring keeps a running sum and count of its non-zero entries for an O(1) average.
 *
 * @example
 * const clock = newOriginatorClock();
 * const c = new Candidate(3, clock, true);
 * c.setAge(0); c.pushTq(200, true);
 * clock.seqPos += 1; clock.newCount += 1; // a new sequence number, first heard elsewhere
 * c.tqAvg; // 200 (the 0 pushed does not count in the average)
 * c.has(1); // true: the copy we had is now one sequence number old
 */
import { SeqWindow, WINDOW_SIZE } from './seq-window.ts';

/** batman-adv's TQ_GLOBAL_WINDOW_SIZE: ring of recent TQs per (originator, neighbour). */
export const RING_SIZE = 5;

/** The per-originator counters candidates catch up with. */
export interface OriginatorClock {
  /** Total sequence numbers the originator's windows have advanced by. */
  seqPos: number;
  /** New sequence numbers that pushed a 0 into every other candidate's ring. */
  newCount: number;
  /** Window resets (reboots) so far, and the seqPos at the last one. */
  epoch: number;
  resetPos: number;
}

export function newOriginatorClock(): OriginatorClock {
  return { seqPos: 0, newCount: 0, epoch: 0, resetPos: 0 };
}

export class Candidate {
  /** Whom this neighbour got its latest copy from: its own next hop towards the originator. */
  prevSender = 0;
  lastSeen = 0;
  private readonly window = new SeqWindow();
  /** Live slots of the window: sequence numbers since it started (max 64). */
  private spanRaw = 0;
  private readonly ring = new Uint8Array(RING_SIZE);
  private ringIndex = 0;
  private ringSum = 0;
  private ringCount = 0;
  /** The clock's values this candidate has caught up with. */
  private winAt: number;
  private ringAt: number;
  private epoch: number;

  constructor(
    readonly address: number,
    private readonly clock: OriginatorClock,
    /** clearStaleTq: a reset clears the ring with the window. */
    private readonly clearTqOnReset: boolean,
  ) {
    this.winAt = clock.seqPos;
    this.ringAt = clock.newCount;
    this.epoch = clock.epoch;
  }

  /** Average of the ring's non-zero TQs (0 when none). */
  get tqAvg(): number {
    this.sync();
    return this.ringCount === 0 ? 0 : Math.floor(this.ringSum / this.ringCount);
  }

  get span(): number {
    this.sync();
    return this.spanRaw;
  }

  /** Whether the sequence number `age` slots older than the newest arrived through us. */
  has(age: number): boolean {
    this.sync();
    return this.window.has(age);
  }

  setAge(age: number): void {
    this.sync();
    this.window.set(age);
  }

  count(): number {
    this.sync();
    return this.window.count();
  }

  countWithin(n: number): number {
    this.sync();
    return this.window.countWithin(n);
  }

  anyWithin(n: number): boolean {
    this.sync();
    return this.window.anyWithin(n);
  }

  /**
   * Pushes a TQ this neighbour offered into the ring (after the zeros it owes). With `isNew`
   * the copy brought a new sequence number: every other candidate of the originator owes a 0
   * for it, this one not.
   */
  pushTq(tq: number, isNew: boolean): void {
    this.sync();
    if (isNew) this.ringAt = ++this.clock.newCount;
    this.push(tq);
  }

  /** Forgets the ring (a stale path: clearStaleTq). */
  clearRing(): void {
    this.sync();
    this.ring.fill(0);
    this.ringSum = 0;
    this.ringCount = 0;
  }

  /**
   * Catches up with the clock: a reset clears the window (and the ring with clearTqOnReset),
   * sequence numbers since shift the window, and every new sequence number first heard through
   * another neighbour pushes a 0 (at most RING_SIZE of them change anything).
   */
  private sync(): void {
    const c = this.clock;
    if (this.epoch !== c.epoch) {
      this.epoch = c.epoch;
      this.window.clear();
      this.spanRaw = 0;
      this.winAt = c.resetPos;
      if (this.clearTqOnReset) {
        this.ring.fill(0);
        this.ringSum = 0;
        this.ringCount = 0;
      }
    }
    const d = c.seqPos - this.winAt;
    if (d > 0) {
      this.window.shift(d);
      this.spanRaw = Math.min(WINDOW_SIZE, this.spanRaw + d);
      this.winAt = c.seqPos;
    }
    const zeros = c.newCount - this.ringAt;
    if (zeros > 0) {
      for (let i = Math.min(zeros, RING_SIZE); i > 0; i--) this.push(0);
      this.ringAt = c.newCount;
    }
  }

  private push(tq: number): void {
    const old = this.ring[this.ringIndex]!;
    if (old !== 0) {
      this.ringSum -= old;
      this.ringCount--;
    }
    this.ring[this.ringIndex] = tq;
    if (tq !== 0) {
      this.ringSum += tq;
      this.ringCount++;
    }
    this.ringIndex = (this.ringIndex + 1) % RING_SIZE;
  }
}
