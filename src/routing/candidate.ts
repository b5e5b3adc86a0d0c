/**
 * Every neighbour's view of every originator (batman-adv's neigh_node with its ifinfo), held in
 * flat typed arrays: one cell per (originator slot, neighbour slot), at index
 * `originatorSlot * stride + neighbourSlot`. A cell holds which of the originator's last 64
 * sequence numbers arrived through that neighbour, and the ring of the last 5 TQs it offered.
 * No object per pair: at 250 nodes a node keeps about 2,500 of them, and one object each (with
 * its own window and ring) cost most of the simulator's memory and much of its garbage
 * collection. Both dimensions grow by doubling; slots are handed back on purge and reused.
 *
 * Aged lazily: each originator keeps a clock (how far its sequence numbers advanced, how many
 * new sequence numbers pushed a 0 into the other neighbours' rings, when its windows were last
 * reset), and a cell catches up with it only when it is read or written. So a new sequence
 * number costs O(1), not one shift and one ring write per neighbour, and the ring keeps a
 * running sum and count of its non-zero entries for an O(1) average.
 *
 * @example
 * const t = new CandidateTable(true);
 * const o = t.addOriginator();
 * const c = t.add(o, 3, 0, 7); // neighbour slot 3, heard at 0 ms, relayed by 7
 * t.setAge(c, 0); t.pushTq(c, 200, true);
 * t.advance(o, 1); t.newSeqnoElsewhere(o); // a new sequence number, first heard elsewhere
 * t.tqAvg(c); // 200 (the 0 pushed does not count in the average)
 * t.has(c, 1); // true: the copy we had is now one sequence number old
 */
import { popcount32, WINDOW_SIZE } from './seq-window.ts';

/** batman-adv's TQ_GLOBAL_WINDOW_SIZE: ring of recent TQs per (originator, neighbour). */
export const RING_SIZE = 5;

const INITIAL_ORIGINATORS = 8;
const INITIAL_STRIDE = 4;

function grown<T extends Float64Array | Uint32Array | Int32Array | Uint16Array | Uint8Array>(
  a: T,
  length: number,
): T {
  const b = new (a.constructor as new (n: number) => T)(length);
  b.set(a);
  return b;
}

export class CandidateTable {
  /** Neighbour slots per originator row (a power of two). */
  private stride = INITIAL_STRIDE;
  private shift = Math.log2(INITIAL_STRIDE);
  private originatorCap = INITIAL_ORIGINATORS;
  private originatorSlots = 0;
  private readonly freeOriginators: number[] = [];

  // Per originator: the clock its cells catch up with.
  /** Total sequence numbers the originator's windows have advanced by. */
  private seqPos = new Float64Array(INITIAL_ORIGINATORS);
  /** New sequence numbers that pushed a 0 into every other cell's ring. */
  private newCount = new Float64Array(INITIAL_ORIGINATORS);
  /** Window resets (reboots) so far, and the seqPos at the last one. */
  private epochOf = new Float64Array(INITIAL_ORIGINATORS);
  private resetPos = new Float64Array(INITIAL_ORIGINATORS);

  // Per cell.
  private live = new Uint8Array(INITIAL_ORIGINATORS * INITIAL_STRIDE);
  /** Whom this neighbour got its latest copy from: its own next hop towards the originator. */
  prevSender = new Int32Array(INITIAL_ORIGINATORS * INITIAL_STRIDE);
  lastSeen = new Float64Array(INITIAL_ORIGINATORS * INITIAL_STRIDE);
  /** Window bits 0..31 (bit 0 = newest) and 32..63. */
  private lo = new Uint32Array(INITIAL_ORIGINATORS * INITIAL_STRIDE);
  private hi = new Uint32Array(INITIAL_ORIGINATORS * INITIAL_STRIDE);
  /** Live slots of the window: sequence numbers since it started (max 64). */
  private spanOf = new Uint8Array(INITIAL_ORIGINATORS * INITIAL_STRIDE);
  private ring = new Uint8Array(INITIAL_ORIGINATORS * INITIAL_STRIDE * RING_SIZE);
  private ringIndex = new Uint8Array(INITIAL_ORIGINATORS * INITIAL_STRIDE);
  private ringSum = new Uint16Array(INITIAL_ORIGINATORS * INITIAL_STRIDE);
  private ringCount = new Uint8Array(INITIAL_ORIGINATORS * INITIAL_STRIDE);
  /** The clock's values this cell has caught up with. */
  private winAt = new Float64Array(INITIAL_ORIGINATORS * INITIAL_STRIDE);
  private ringAt = new Float64Array(INITIAL_ORIGINATORS * INITIAL_STRIDE);
  private epochAt = new Float64Array(INITIAL_ORIGINATORS * INITIAL_STRIDE);

  constructor(
    /** clearStaleTq: a reset clears the ring with the window. */
    private readonly clearTqOnReset: boolean,
  ) {}

  /** A fresh originator row (a recycled one when any was removed); its cells are all absent. */
  addOriginator(): number {
    let o = this.freeOriginators.pop();
    if (o === undefined) {
      o = this.originatorSlots++;
      if (o >= this.originatorCap) this.resize(this.originatorCap * 2, this.stride);
    }
    this.seqPos[o] = 0;
    this.newCount[o] = 0;
    this.epochOf[o] = 0;
    this.resetPos[o] = 0;
    return o;
  }

  /** Hands an originator row back; its cells must have been removed. */
  removeOriginator(o: number): void {
    this.freeOriginators.push(o);
  }

  /** Makes room for neighbour slots 0..slot. */
  ensureNeighbourSlot(slot: number): void {
    if (slot < this.stride) return;
    let stride = this.stride;
    while (stride <= slot) stride *= 2;
    this.resize(this.originatorCap, stride);
  }

  /** The cell of (originator row o, neighbour slot k); valid until the next ensureNeighbourSlot. */
  cell(o: number, k: number): number {
    return (o << this.shift) + k;
  }

  /** The neighbour slot of cell `c`. */
  slotOf(c: number): number {
    return c & (this.stride - 1);
  }

  /** Whether the cell holds a candidate. */
  present(c: number): boolean {
    return this.live[c] === 1;
  }

  /** Starts the candidate of cell `c` (of originator row o): empty window and ring. */
  add(o: number, k: number, now: number, prevSender: number): number {
    const c = this.cell(o, k);
    this.live[c] = 1;
    this.prevSender[c] = prevSender;
    this.lastSeen[c] = now;
    this.lo[c] = 0;
    this.hi[c] = 0;
    this.spanOf[c] = 0;
    this.ring.fill(0, c * RING_SIZE, c * RING_SIZE + RING_SIZE);
    this.ringIndex[c] = 0;
    this.ringSum[c] = 0;
    this.ringCount[c] = 0;
    this.winAt[c] = this.seqPos[o]!;
    this.ringAt[c] = this.newCount[o]!;
    this.epochAt[c] = this.epochOf[o]!;
    return c;
  }

  remove(c: number): void {
    this.live[c] = 0;
  }

  /** The originator's windows move on by `diff` sequence numbers (applied lazily). */
  advance(o: number, diff: number): void {
    this.seqPos[o]! += diff;
  }

  /** The originator rebooted: every cell's window (and with clearStaleTq its ring) is cleared. */
  reset(o: number): void {
    this.epochOf[o]! += 1;
    this.resetPos[o] = this.seqPos[o]!;
  }

  /** Average of the ring's non-zero TQs (0 when none). */
  tqAvg(c: number): number {
    this.sync(c);
    const n = this.ringCount[c]!;
    return n === 0 ? 0 : Math.floor(this.ringSum[c]! / n);
  }

  span(c: number): number {
    this.sync(c);
    return this.spanOf[c]!;
  }

  /** Whether the sequence number `age` slots older than the newest arrived through us. */
  has(c: number, age: number): boolean {
    this.sync(c);
    if (age < 0 || age >= WINDOW_SIZE) return false;
    return age < 32 ? ((this.lo[c]! >>> age) & 1) === 1 : ((this.hi[c]! >>> (age - 32)) & 1) === 1;
  }

  /** Marks the sequence number `age` slots older than the newest (0 = newest). */
  setAge(c: number, age: number): void {
    this.sync(c);
    if (age < 0 || age >= WINDOW_SIZE) return;
    if (age < 32) this.lo[c] = this.lo[c]! | (1 << age);
    else this.hi[c] = this.hi[c]! | (1 << (age - 32));
  }

  count(c: number): number {
    this.sync(c);
    return popcount32(this.lo[c]!) + popcount32(this.hi[c]!);
  }

  /** How many of the `n` newest slots are marked. */
  countWithin(c: number, n: number): number {
    this.sync(c);
    if (n <= 0) return 0;
    const lo = this.lo[c]!;
    const hi = this.hi[c]!;
    if (n >= WINDOW_SIZE) return popcount32(lo) + popcount32(hi);
    if (n >= 32) return popcount32(lo) + popcount32((hi & (2 ** (n - 32) - 1)) >>> 0);
    return popcount32((lo & (2 ** n - 1)) >>> 0);
  }

  /** True when any of the `n` newest slots is marked. */
  anyWithin(c: number, n: number): boolean {
    this.sync(c);
    if (n <= 0) return false;
    const lo = this.lo[c]!;
    if (n >= 32) {
      const hi = this.hi[c]!;
      return lo !== 0 || (n >= WINDOW_SIZE ? hi !== 0 : (hi & (2 ** (n - 32) - 1)) !== 0);
    }
    return (lo & (2 ** n - 1)) !== 0;
  }

  /**
   * Pushes a TQ this neighbour offered into the ring (after the zeros it owes). With `isNew`
   * the copy brought a new sequence number: every other cell of the originator owes a 0 for
   * it, this one not.
   */
  pushTq(c: number, tq: number, isNew: boolean): void {
    this.sync(c);
    if (isNew) {
      const o = c >>> this.shift;
      this.ringAt[c] = this.newCount[o] = this.newCount[o]! + 1;
    }
    this.push(c, tq);
  }

  /** Forgets the ring (a stale path: clearStaleTq). */
  clearRing(c: number): void {
    this.sync(c);
    this.clearRingNow(c);
  }

  private clearRingNow(c: number): void {
    this.ring.fill(0, c * RING_SIZE, c * RING_SIZE + RING_SIZE);
    this.ringSum[c] = 0;
    this.ringCount[c] = 0;
  }

  /**
   * Catches up with the clock: a reset clears the window (and the ring with clearTqOnReset),
   * sequence numbers since shift the window, and every new sequence number first heard through
   * another neighbour pushes a 0 (at most RING_SIZE of them change anything).
   */
  private sync(c: number): void {
    const o = c >>> this.shift;
    const epoch = this.epochOf[o]!;
    if (this.epochAt[c] !== epoch) {
      this.epochAt[c] = epoch;
      this.lo[c] = 0;
      this.hi[c] = 0;
      this.spanOf[c] = 0;
      this.winAt[c] = this.resetPos[o]!;
      if (this.clearTqOnReset) this.clearRingNow(c);
    }
    const pos = this.seqPos[o]!;
    const d = pos - this.winAt[c]!;
    if (d > 0) {
      this.shiftWindow(c, d);
      this.spanOf[c] = Math.min(WINDOW_SIZE, this.spanOf[c]! + d);
      this.winAt[c] = pos;
    }
    const count = this.newCount[o]!;
    const zeros = count - this.ringAt[c]!;
    if (zeros > 0) {
      for (let i = Math.min(zeros, RING_SIZE); i > 0; i--) this.push(c, 0);
      this.ringAt[c] = count;
    }
  }

  /** Ages the window by `n` sequence numbers: every bit moves n slots older. */
  private shiftWindow(c: number, n: number): void {
    if (n >= WINDOW_SIZE) {
      this.lo[c] = 0;
      this.hi[c] = 0;
    } else if (n >= 32) {
      this.hi[c] = n === 32 ? this.lo[c]! : this.lo[c]! << (n - 32);
      this.lo[c] = 0;
    } else {
      const lo = this.lo[c]!;
      this.hi[c] = (this.hi[c]! << n) | (lo >>> (32 - n));
      this.lo[c] = lo << n;
    }
  }

  private push(c: number, tq: number): void {
    const at = c * RING_SIZE + this.ringIndex[c]!;
    const old = this.ring[at]!;
    if (old !== 0) {
      this.ringSum[c] = this.ringSum[c]! - old;
      this.ringCount[c] = this.ringCount[c]! - 1;
    }
    this.ring[at] = tq;
    if (tq !== 0) {
      this.ringSum[c] = this.ringSum[c]! + tq;
      this.ringCount[c] = this.ringCount[c]! + 1;
    }
    this.ringIndex[c] = (this.ringIndex[c]! + 1) % RING_SIZE;
  }

  /** New capacities: every array is reallocated, rows re-laid at the new stride. */
  private resize(originatorCap: number, stride: number): void {
    this.seqPos = grown(this.seqPos, originatorCap);
    this.newCount = grown(this.newCount, originatorCap);
    this.epochOf = grown(this.epochOf, originatorCap);
    this.resetPos = grown(this.resetPos, originatorCap);
    const cells = originatorCap * stride;
    const oldStride = this.stride;
    const rows = this.originatorCap;
    const relay = <T extends Float64Array | Uint32Array | Int32Array | Uint16Array | Uint8Array>(
      a: T,
      width = 1,
    ): T => {
      if (stride === oldStride) return grown(a, cells * width);
      const b = new (a.constructor as new (n: number) => T)(cells * width);
      for (let o = 0; o < rows; o++)
        b.set(a.subarray(o * oldStride * width, (o + 1) * oldStride * width), o * stride * width);
      return b;
    };
    this.live = relay(this.live);
    this.prevSender = relay(this.prevSender);
    this.lastSeen = relay(this.lastSeen);
    this.lo = relay(this.lo);
    this.hi = relay(this.hi);
    this.spanOf = relay(this.spanOf);
    this.ring = relay(this.ring, RING_SIZE);
    this.ringIndex = relay(this.ringIndex);
    this.ringSum = relay(this.ringSum);
    this.ringCount = relay(this.ringCount);
    this.winAt = relay(this.winAt);
    this.ringAt = relay(this.ringAt);
    this.epochAt = relay(this.epochAt);
    this.originatorCap = originatorCap;
    this.stride = stride;
    this.shift = Math.log2(stride);
  }
}
