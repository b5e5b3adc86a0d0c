/**
 * Every neighbour's view of every originator (batman-adv's neigh_node with its ifinfo), held in
 * one flat buffer: one 32-byte record per (originator slot, neighbour slot), cell
 * `originatorSlot * stride + neighbourSlot`. A record keeps its fields together, within one
 * cache line, because an OGM copy touches one random cell of a table far bigger than the
 * processor's caches: with one array per field, every field read was a cache miss of its own;
 * and the smaller the record, the more of the mesh's tables stay cached (at 250 nodes a
 * 128-byte record cost 24 % more CPU than a 64-byte one, and 32 bytes is what is left when
 * nothing is stored twice). A cell holds which of the originator's last 64 sequence numbers
 * arrived through that neighbour, and the last 5 TQs it offered. No object per pair: at 250
 * nodes a node keeps about 2,500 of them, and one object each (with its own window and ring)
 * cost most of the simulator's memory and much of its garbage collection. Both dimensions grow
 * by doubling; slots are handed back on purge and reused.
 *
 * Aged lazily: each originator keeps a clock (how far its sequence numbers advanced, how many
 * new sequence numbers pushed a 0 into the other neighbours' rings), and a cell catches up with
 * it only when it is read or written. So a new sequence number costs O(1), not one shift and
 * one ring write per neighbour. A reset (a rebooted originator, rare) is applied to the row's
 * cells at once instead, which spares every record a reset counter.
 *
 * @example
 * const t = new CandidateTable(true);
 * const o = t.addOriginator();
 * const c = t.add(o, 3, 0, 7); // neighbour slot 3, heard at 0 ms, relayed by 7
 * t.setAge(c, 0); t.pushTq(c, 200, true);
 * t.advance(o, 1); // a new sequence number, not (yet) heard through this neighbour
 * t.tqAvg(c); // 200
 * t.has(c, 1); // true: the copy we had is now one sequence number old
 */
import { OriginatorRecords, RECORD_F64 } from './originator-record.ts';
import { popcount32, WINDOW_SIZE } from './seq-window.ts';

/** batman-adv's TQ_GLOBAL_WINDOW_SIZE: ring of recent TQs per (originator, neighbour). */
export const RING_SIZE = 5;

const INITIAL_ORIGINATORS = 8;
const INITIAL_STRIDE = 4;

/** A cell's record: 32 bytes, as 4 float64, 8 int32, 16 uint16 or 32 byte slots of one buffer. */
const RECORD_BYTES = 32;
// float64 slot (index cell * 4)
const F_LAST_SEEN = 0;
// int32 slots (index cell * 8 + ...): window bits 0..31 (bit 0 = newest) and 32..63
const W_LO = 2;
const W_HI = 3;
/**
 * The clock's values this cell has caught up with, modulo 2^32: the clock moves by at most
 * WINDOW_SIZE per OGM (advance), so a cell would need 2^26 OGMs of its originator without
 * being touched (or purged) for a difference to wrap.
 */
const W_WIN_AT = 4;
const W_RING_AT = 5;
// uint16 slot (index cell * 16 + ...): whom this neighbour got its latest copy from (its own
// next hop towards the originator; addresses are 16 bits on the wire)
const H_PREV_SENDER = 12;
// byte slots (index cell * 32 + ...)
/** Live slots of the window (sequence numbers since it started, max 64) and, in bit 7, presence. */
const B_SPAN = 26;
const LIVE = 0x80;
const SPAN_MASK = 0x7f;
/** The ring as a shift register, oldest first: 5 bytes, so no index byte is needed. */
const B_RING = 27;
// push() is written out for these 5 bytes.

/**
 * An originator's clock: the first float64 slots of its record (originator-record.ts, index
 * originator * RECORD_F64 + ...), in the same cache line as the route state the engine reads.
 */
const CLOCK_SLOTS = RECORD_F64;
/** Total sequence numbers the originator's windows have advanced by (each step capped at 64). */
const C_SEQ_POS = 0;
/** New sequence numbers that pushed a 0 into every other cell's ring. */
const C_NEW_COUNT = 1;

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
    return (this.u8[c * RECORD_BYTES + B_SPAN]! & LIVE) !== 0;
  }

  /**
   * Reads the records of cells (o, k) and (o, router) and returns a byte of them, for a caller
   * that wants them in the processor's cache before it needs them (the engine, a frame ahead).
   */
  touch(o: number, k: number, router: number): number {
    const u8 = this.u8;
    const row = o << this.shift;
    const a = u8[(row + k) * RECORD_BYTES + B_SPAN]!;
    return router < 0 ? a : a ^ u8[(row + router) * RECORD_BYTES + B_SPAN]!;
  }

  /** Starts the candidate of (originator row o, neighbour slot k): empty window and ring. */
  add(o: number, k: number, now: number, prevSender: number): number {
    const c = this.cell(o, k);
    this.u8.fill(0, c * RECORD_BYTES, (c + 1) * RECORD_BYTES);
    this.u8[c * RECORD_BYTES + B_SPAN] = LIVE;
    this.u16[c * 16 + H_PREV_SENDER] = prevSender;
    this.f64[c * 4 + F_LAST_SEEN] = now;
    const k8 = o * CLOCK_SLOTS;
    const clock = this.records.f64;
    this.i32[c * 8 + W_WIN_AT] = clock[k8 + C_SEQ_POS]!;
    this.i32[c * 8 + W_RING_AT] = clock[k8 + C_NEW_COUNT]!;
    return c;
  }

  remove(c: number): void {
    this.u8[c * RECORD_BYTES + B_SPAN] = 0;
  }

  /** When this neighbour last brought a copy of the originator's OGMs we kept. */
  lastSeen(c: number): number {
    return this.f64[c * 4 + F_LAST_SEEN]!;
  }

  setLastSeen(c: number, now: number): void {
    this.f64[c * 4 + F_LAST_SEEN] = now;
  }

  /** Whom this neighbour got its latest copy from: its own next hop towards the originator. */
  prevSender(c: number): number {
    return this.u16[c * 16 + H_PREV_SENDER]!;
  }

  setPrevSender(c: number, address: number): void {
    this.u16[c * 16 + H_PREV_SENDER] = address;
  }

  /**
   * The originator's windows move on by `diff` sequence numbers (applied lazily). A move of 64
   * or more empties a window whatever its size, so the clock counts at most 64 per move.
   */
  advance(o: number, diff: number): void {
    this.records.f64[o * CLOCK_SLOTS + C_SEQ_POS]! += Math.min(diff, WINDOW_SIZE);
  }

  /**
   * The originator rebooted: every cell's window (and with clearStaleTq its ring) is cleared
   * now. Each cell first catches up, so what it owed before the reset is settled.
   */
  reset(o: number): void {
    const first = this.cell(o, 0);
    for (let c = first; c < first + this.stride; c++) {
      if (!this.present(c)) continue;
      this.sync(c);
      this.i32[c * 8 + W_LO] = 0;
      this.i32[c * 8 + W_HI] = 0;
      this.u8[c * RECORD_BYTES + B_SPAN] = LIVE;
      if (this.clearTqOnReset) this.clearRingNow(c);
    }
  }

  /** Average of the ring's non-zero TQs (0 when none). */
  tqAvg(c: number): number {
    this.sync(c);
    const u8 = this.u8;
    const b = c * RECORD_BYTES + B_RING;
    let sum = 0;
    let n = 0;
    for (let i = b; i < b + RING_SIZE; i++) {
      const tq = u8[i]!;
      if (tq !== 0) {
        sum += tq;
        n++;
      }
    }
    return n === 0 ? 0 : Math.floor(sum / n);
  }

  span(c: number): number {
    this.sync(c);
    return this.u8[c * RECORD_BYTES + B_SPAN]! & SPAN_MASK;
  }

  /** Whether the sequence number `age` slots older than the newest arrived through us. */
  has(c: number, age: number): boolean {
    this.sync(c);
    if (age < 0 || age >= WINDOW_SIZE) return false;
    const w = c * 8;
    return age < 32
      ? ((this.i32[w + W_LO]! >>> age) & 1) === 1
      : ((this.i32[w + W_HI]! >>> (age - 32)) & 1) === 1;
  }

  /** Marks the sequence number `age` slots older than the newest (0 = newest). */
  setAge(c: number, age: number): void {
    this.sync(c);
    if (age < 0 || age >= WINDOW_SIZE) return;
    const w = c * 8;
    if (age < 32) this.i32[w + W_LO] = this.i32[w + W_LO]! | (1 << age);
    else this.i32[w + W_HI] = this.i32[w + W_HI]! | (1 << (age - 32));
  }

  count(c: number): number {
    this.sync(c);
    const w = c * 8;
    return popcount32(this.i32[w + W_LO]! >>> 0) + popcount32(this.i32[w + W_HI]! >>> 0);
  }

  /** How many of the `n` newest slots are marked. */
  countWithin(c: number, n: number): number {
    this.sync(c);
    if (n <= 0) return 0;
    const w = c * 8;
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
    const w = c * 8;
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
      this.i32[c * 8 + W_RING_AT] = clock[k] = clock[k]! + 1;
    }
    this.push(c, tq);
  }

  /** Forgets the ring (a stale path: clearStaleTq). */
  clearRing(c: number): void {
    this.sync(c);
    this.clearRingNow(c);
  }

  private clearRingNow(c: number): void {
    const b = c * RECORD_BYTES + B_RING;
    this.u8.fill(0, b, b + RING_SIZE);
  }

  /**
   * Catches up with the clock: sequence numbers since shift the window, and every new sequence
   * number first heard through another neighbour pushes a 0 (at most RING_SIZE of them change
   * anything). The differences are taken modulo 2^32, as the cell stores them (W_WIN_AT).
   */
  private sync(c: number): void {
    const k8 = (c >>> this.shift) * CLOCK_SLOTS;
    const clock = this.records.f64;
    const i32 = this.i32;
    const w = c * 8;
    const pos = clock[k8 + C_SEQ_POS]!;
    const d = (pos - i32[w + W_WIN_AT]!) >>> 0;
    if (d > 0) {
      this.shiftWindow(c, d);
      const b = c * RECORD_BYTES + B_SPAN;
      const live = this.u8[b]!;
      this.u8[b] = (live & LIVE) | Math.min(WINDOW_SIZE, (live & SPAN_MASK) + d);
      i32[w + W_WIN_AT] = pos;
    }
    const count = clock[k8 + C_NEW_COUNT]!;
    const zeros = (count - i32[w + W_RING_AT]!) >>> 0;
    if (zeros > 0) {
      if (zeros >= RING_SIZE) this.clearRingNow(c);
      else for (let i = zeros; i > 0; i--) this.push(c, 0);
      i32[w + W_RING_AT] = count;
    }
  }

  /** Ages the window by `n` sequence numbers: every bit moves n slots older. */
  private shiftWindow(c: number, n: number): void {
    const w = c * 8;
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

  /** Drops the oldest TQ of the ring and appends `tq`. */
  private push(c: number, tq: number): void {
    const b = c * RECORD_BYTES + B_RING;
    const u8 = this.u8;
    // By hand: copyWithin is a call into the runtime, and this runs for most OGM copies.
    u8[b] = u8[b + 1]!;
    u8[b + 1] = u8[b + 2]!;
    u8[b + 2] = u8[b + 3]!;
    u8[b + 3] = u8[b + 4]!;
    u8[b + 4] = tq;
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
