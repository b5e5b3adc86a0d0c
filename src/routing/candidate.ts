/**
 * Every neighbour's view of every originator (batman-adv's neigh_node with its ifinfo), held in
 * one flat buffer: one 64-byte record per (originator slot, neighbour slot), cell
 * `originatorSlot * stride + neighbourSlot`. A record keeps its fields together (one or two
 * cache lines) because an OGM copy touches one random cell of a table far bigger than the
 * processor's caches: with one array per field, every field read was a cache miss of its own. A cell holds which of the originator's last 64
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
import { OriginatorRecords, RECORD_F64 } from './originator-record.ts';
import { popcount32, WINDOW_SIZE } from './seq-window.ts';

/** batman-adv's TQ_GLOBAL_WINDOW_SIZE: ring of recent TQs per (originator, neighbour). */
export const RING_SIZE = 5;

const INITIAL_ORIGINATORS = 8;
const INITIAL_STRIDE = 4;

/** A cell's record: 64 bytes, as 8 float64, 16 int32 or 64 byte slots of one buffer. */
const RECORD_BYTES = 64;
// float64 slots (index cell * 8 + ...)
const F_LAST_SEEN = 0;
/** The clock's values this cell has caught up with. */
const F_WIN_AT = 1;
const F_RING_AT = 2;
const F_EPOCH_AT = 3;
// int32 slots (index cell * 16 + ...): window bits 0..31 (bit 0 = newest) and 32..63
const W_LO = 8;
const W_HI = 9;
/** Whom this neighbour got its latest copy from: its own next hop towards the originator. */
const W_PREV_SENDER = 10;
// byte slots (index cell * 64 + ...)
const B_LIVE = 44;
/** Live slots of the window: sequence numbers since it started (max 64). */
const B_SPAN = 45;
const B_RING_INDEX = 46;
/** Non-zero entries of the ring, and (16 bits at byte 54) their sum. */
const B_RING_COUNT = 47;
const B_RING = 48;
const H_RING_SUM = 27;

/**
 * An originator's clock: the first 4 float64 slots of its record (originator-record.ts, index
 * originator * RECORD_F64 + ...), in the same cache line as the route state the engine reads.
 */
const CLOCK_SLOTS = RECORD_F64;
/** Total sequence numbers the originator's windows have advanced by. */
const C_SEQ_POS = 0;
/** New sequence numbers that pushed a 0 into every other cell's ring. */
const C_NEW_COUNT = 1;
/** Window resets (reboots) so far, and the seqPos at the last one. */
const C_EPOCH = 2;
const C_RESET_POS = 3;

export class CandidateTable {
  /** Neighbour slots per originator row (a power of two). */
  private stride = INITIAL_STRIDE;
  private shift = Math.log2(INITIAL_STRIDE);
  private originatorCap = INITIAL_ORIGINATORS;
  // Views of one buffer of records.
  private f64!: Float64Array;
  private i32!: Int32Array;
  private u16!: Uint16Array;
  private u8!: Uint8Array;

  constructor(
    /** clearStaleTq: a reset clears the ring with the window. */
    private readonly clearTqOnReset: boolean,
    /** The originators' records, whose first slots are the clocks the cells age by. */
    readonly records = new OriginatorRecords(),
  ) {
    this.view(new ArrayBuffer(INITIAL_ORIGINATORS * INITIAL_STRIDE * RECORD_BYTES));
  }

  /**
   * A fresh originator row (a recycled one when any was removed), its record started at `now`
   * (originator-record.ts); its cells are all absent.
   */
  addOriginator(now = 0): number {
    const o = this.records.add(now);
    if (o >= this.originatorCap) this.resize(this.originatorCap * 2, this.stride);
    return o;
  }

  /** Hands an originator row back; its cells must have been removed. */
  removeOriginator(o: number): void {
    this.records.remove(o);
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
    return this.u8[c * RECORD_BYTES + B_LIVE] === 1;
  }

  /** Starts the candidate of (originator row o, neighbour slot k): empty window and ring. */
  add(o: number, k: number, now: number, prevSender: number): number {
    const c = this.cell(o, k);
    this.u8.fill(0, c * RECORD_BYTES, (c + 1) * RECORD_BYTES);
    this.u8[c * RECORD_BYTES + B_LIVE] = 1;
    this.i32[c * 16 + W_PREV_SENDER] = prevSender;
    const f = c * 8;
    const k4 = o * CLOCK_SLOTS;
    const clock = this.records.f64;
    this.f64[f + F_LAST_SEEN] = now;
    this.f64[f + F_WIN_AT] = clock[k4 + C_SEQ_POS]!;
    this.f64[f + F_RING_AT] = clock[k4 + C_NEW_COUNT]!;
    this.f64[f + F_EPOCH_AT] = clock[k4 + C_EPOCH]!;
    return c;
  }

  remove(c: number): void {
    this.u8[c * RECORD_BYTES + B_LIVE] = 0;
  }

  /** When this neighbour last brought a copy of the originator's OGMs we kept. */
  lastSeen(c: number): number {
    return this.f64[c * 8 + F_LAST_SEEN]!;
  }

  setLastSeen(c: number, now: number): void {
    this.f64[c * 8 + F_LAST_SEEN] = now;
  }

  /** Whom this neighbour got its latest copy from: its own next hop towards the originator. */
  prevSender(c: number): number {
    return this.i32[c * 16 + W_PREV_SENDER]!;
  }

  setPrevSender(c: number, address: number): void {
    this.i32[c * 16 + W_PREV_SENDER] = address;
  }

  /** The originator's windows move on by `diff` sequence numbers (applied lazily). */
  advance(o: number, diff: number): void {
    this.records.f64[o * CLOCK_SLOTS + C_SEQ_POS]! += diff;
  }

  /** The originator rebooted: every cell's window (and with clearStaleTq its ring) is cleared. */
  reset(o: number): void {
    const k4 = o * CLOCK_SLOTS;
    const clock = this.records.f64;
    clock[k4 + C_EPOCH]! += 1;
    clock[k4 + C_RESET_POS] = clock[k4 + C_SEQ_POS]!;
  }

  /** Average of the ring's non-zero TQs (0 when none). */
  tqAvg(c: number): number {
    this.sync(c);
    const n = this.u8[c * RECORD_BYTES + B_RING_COUNT]!;
    return n === 0 ? 0 : Math.floor(this.u16[c * 32 + H_RING_SUM]! / n);
  }

  span(c: number): number {
    this.sync(c);
    return this.u8[c * RECORD_BYTES + B_SPAN]!;
  }

  /** Whether the sequence number `age` slots older than the newest arrived through us. */
  has(c: number, age: number): boolean {
    this.sync(c);
    if (age < 0 || age >= WINDOW_SIZE) return false;
    const w = c * 16;
    return age < 32
      ? ((this.i32[w + W_LO]! >>> age) & 1) === 1
      : ((this.i32[w + W_HI]! >>> (age - 32)) & 1) === 1;
  }

  /** Marks the sequence number `age` slots older than the newest (0 = newest). */
  setAge(c: number, age: number): void {
    this.sync(c);
    if (age < 0 || age >= WINDOW_SIZE) return;
    const w = c * 16;
    if (age < 32) this.i32[w + W_LO] = this.i32[w + W_LO]! | (1 << age);
    else this.i32[w + W_HI] = this.i32[w + W_HI]! | (1 << (age - 32));
  }

  count(c: number): number {
    this.sync(c);
    const w = c * 16;
    return popcount32(this.i32[w + W_LO]! >>> 0) + popcount32(this.i32[w + W_HI]! >>> 0);
  }

  /** How many of the `n` newest slots are marked. */
  countWithin(c: number, n: number): number {
    this.sync(c);
    if (n <= 0) return 0;
    const w = c * 16;
    const lo = this.i32[w + W_LO]! >>> 0;
    const hi = this.i32[w + W_HI]! >>> 0;
    if (n >= WINDOW_SIZE) return popcount32(lo) + popcount32(hi);
    if (n >= 32) return popcount32(lo) + popcount32((hi & (2 ** (n - 32) - 1)) >>> 0);
    return popcount32((lo & (2 ** n - 1)) >>> 0);
  }

  /** True when any of the `n` newest slots is marked. */
  anyWithin(c: number, n: number): boolean {
    this.sync(c);
    if (n <= 0) return false;
    const w = c * 16;
    const lo = this.i32[w + W_LO]! >>> 0;
    if (n >= 32) {
      const hi = this.i32[w + W_HI]! >>> 0;
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
      const k = (c >>> this.shift) * CLOCK_SLOTS + C_NEW_COUNT;
      const clock = this.records.f64;
      this.f64[c * 8 + F_RING_AT] = clock[k] = clock[k]! + 1;
    }
    this.push(c, tq);
  }

  /** Forgets the ring (a stale path: clearStaleTq). */
  clearRing(c: number): void {
    this.sync(c);
    this.clearRingNow(c);
  }

  private clearRingNow(c: number): void {
    const b = c * RECORD_BYTES;
    this.u8.fill(0, b + B_RING, b + B_RING + RING_SIZE);
    this.u8[b + B_RING_COUNT] = 0;
    this.u16[c * 32 + H_RING_SUM] = 0;
  }

  /**
   * Catches up with the clock: a reset clears the window (and the ring with clearTqOnReset),
   * sequence numbers since shift the window, and every new sequence number first heard through
   * another neighbour pushes a 0 (at most RING_SIZE of them change anything).
   */
  private sync(c: number): void {
    const k4 = (c >>> this.shift) * CLOCK_SLOTS;
    const clock = this.records.f64;
    const f64 = this.f64;
    const f = c * 8;
    const epoch = clock[k4 + C_EPOCH]!;
    if (f64[f + F_EPOCH_AT] !== epoch) {
      f64[f + F_EPOCH_AT] = epoch;
      this.i32[c * 16 + W_LO] = 0;
      this.i32[c * 16 + W_HI] = 0;
      this.u8[c * RECORD_BYTES + B_SPAN] = 0;
      f64[f + F_WIN_AT] = clock[k4 + C_RESET_POS]!;
      if (this.clearTqOnReset) this.clearRingNow(c);
    }
    const pos = clock[k4 + C_SEQ_POS]!;
    const d = pos - f64[f + F_WIN_AT]!;
    if (d > 0) {
      this.shiftWindow(c, d);
      const b = c * RECORD_BYTES + B_SPAN;
      this.u8[b] = Math.min(WINDOW_SIZE, this.u8[b]! + d);
      f64[f + F_WIN_AT] = pos;
    }
    const count = clock[k4 + C_NEW_COUNT]!;
    const zeros = count - f64[f + F_RING_AT]!;
    if (zeros > 0) {
      for (let i = Math.min(zeros, RING_SIZE); i > 0; i--) this.push(c, 0);
      f64[f + F_RING_AT] = count;
    }
  }

  /** Ages the window by `n` sequence numbers: every bit moves n slots older. */
  private shiftWindow(c: number, n: number): void {
    const w = c * 16;
    const i32 = this.i32;
    if (n >= WINDOW_SIZE) {
      i32[w + W_LO] = 0;
      i32[w + W_HI] = 0;
    } else if (n >= 32) {
      i32[w + W_HI] = n === 32 ? i32[w + W_LO]! : i32[w + W_LO]! << (n - 32);
      i32[w + W_LO] = 0;
    } else {
      const lo = i32[w + W_LO]!;
      i32[w + W_HI] = (i32[w + W_HI]! << n) | (lo >>> (32 - n));
      i32[w + W_LO] = lo << n;
    }
  }

  private push(c: number, tq: number): void {
    const b = c * RECORD_BYTES;
    const u8 = this.u8;
    const index = u8[b + B_RING_INDEX]!;
    const at = b + B_RING + index;
    const old = u8[at]!;
    const h = c * 32 + H_RING_SUM;
    if (old !== 0) {
      this.u16[h] = this.u16[h]! - old;
      u8[b + B_RING_COUNT] = u8[b + B_RING_COUNT]! - 1;
    }
    u8[at] = tq;
    if (tq !== 0) {
      this.u16[h] = this.u16[h]! + tq;
      u8[b + B_RING_COUNT] = u8[b + B_RING_COUNT]! + 1;
    }
    u8[b + B_RING_INDEX] = index === RING_SIZE - 1 ? 0 : index + 1;
  }

  private view(buffer: ArrayBuffer): void {
    this.f64 = new Float64Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.u16 = new Uint16Array(buffer);
    this.u8 = new Uint8Array(buffer);
  }

  /** New capacities: the buffer is reallocated, rows re-laid at the new stride. */
  private resize(originatorCap: number, stride: number): void {
    const old = this.u8;
    const oldRow = this.stride * RECORD_BYTES;
    const row = stride * RECORD_BYTES;
    const next = new Uint8Array(originatorCap * row);
    if (row === oldRow) next.set(old);
    else
      for (let o = 0; o < this.originatorCap; o++)
        next.set(old.subarray(o * oldRow, (o + 1) * oldRow), o * row);
    this.view(next.buffer);
    this.originatorCap = originatorCap;
    this.stride = stride;
    this.shift = Math.log2(stride);
  }
}
