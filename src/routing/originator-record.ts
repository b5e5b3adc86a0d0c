/**
 * One 64-byte record per originator row, in one flat buffer: the clock its candidate cells age
 * by (slots 0..1, read and written by CandidateTable; 2..3 are free) and the route state the
 * engine reads for every OGM copy (newest sequence number and when it came, the router, what
 * was forwarded). Every received copy touches its originator's state, and at simulator scale
 * (250 engines of 250 originators each) that state is never in the processor's caches: as an
 * object it was several cache misses a copy (the object, its boxed doubles, the clock
 * elsewhere); here it is one line. Rows are handed back on purge and reused; the buffer grows
 * by doubling.
 *
 * @example
 * const r = new OriginatorRecords();
 * const o = r.add(0); // seen at 0 ms, no sequence number yet, no router
 * r.setSeqno(o, 7, 1000);
 * r.lastSeqno(o); // 7
 * r.setForwarded(o, 7); r.forwarded(o, 7); // true
 */

/** float64 slots per record (64 bytes); also 16 int32 or 64 byte slots. */
export const RECORD_F64 = 8;
/** Slots 0..1 are the candidate table's clock (candidate.ts); 2..3 are free. */
const F_LAST_SEQNO_AT = 4;
const F_LAST_SEEN = 5;
// int32 slots (index row * 16 + ...)
const I_LAST_SEQNO = 12;
const I_LAST_FORWARDED = 13;
const I_ROUTER = 14;
// byte slots (index row * 64 + ...)
const B_FLAGS = 60;
const B_LAST_TTL = 61;
const HAS_SEQNO = 1;
const FORWARDED = 2;
const GATEWAY = 4;

/** The router of a row that has none. */
export const NO_ROUTER = -1;

const INITIAL_ROWS = 8;

export class OriginatorRecords {
  /** Views of one buffer; replaced when it grows (read them after any `add`). */
  f64!: Float64Array;
  private i32!: Int32Array;
  private u8!: Uint8Array;
  private rows = 0;
  private capacity = INITIAL_ROWS;
  private readonly free: number[] = [];

  constructor() {
    this.view(new ArrayBuffer(INITIAL_ROWS * RECORD_F64 * 8));
  }

  /** A fresh row (a recycled one when any was handed back): seen at `now`, nothing else. */
  add(now: number): number {
    let o = this.free.pop();
    if (o === undefined) {
      o = this.rows++;
      if (o >= this.capacity) this.grow();
    }
    this.f64.fill(0, o * RECORD_F64, (o + 1) * RECORD_F64);
    this.f64[o * RECORD_F64 + F_LAST_SEQNO_AT] = now;
    this.f64[o * RECORD_F64 + F_LAST_SEEN] = now;
    this.i32[o * 16 + I_ROUTER] = NO_ROUTER;
    return o;
  }

  remove(o: number): void {
    this.free.push(o);
  }

  /** Rows ever handed out (the buffer holds at least this many). */
  get size(): number {
    return this.rows;
  }

  hasSeqno(o: number): boolean {
    return (this.u8[o * 64 + B_FLAGS]! & HAS_SEQNO) !== 0;
  }

  /** The newest sequence number (0 before the first). */
  lastSeqno(o: number): number {
    return this.i32[o * 16 + I_LAST_SEQNO]! >>> 0;
  }

  /** When the newest sequence number last advanced (creation time before the first). */
  lastSeqnoAt(o: number): number {
    return this.f64[o * RECORD_F64 + F_LAST_SEQNO_AT]!;
  }

  setSeqno(o: number, seqno: number, now: number): void {
    this.u8[o * 64 + B_FLAGS]! |= HAS_SEQNO;
    this.i32[o * 16 + I_LAST_SEQNO] = seqno;
    this.f64[o * RECORD_F64 + F_LAST_SEQNO_AT] = now;
  }

  /** When a copy last updated the originator. */
  lastSeen(o: number): number {
    return this.f64[o * RECORD_F64 + F_LAST_SEEN]!;
  }

  setLastSeen(o: number, now: number): void {
    this.f64[o * RECORD_F64 + F_LAST_SEEN] = now;
  }

  /** TTL of the newest sequence number's first copy (0 before one). */
  lastTtl(o: number): number {
    return this.u8[o * 64 + B_LAST_TTL]!;
  }

  setLastTtl(o: number, ttl: number): void {
    this.u8[o * 64 + B_LAST_TTL] = ttl;
  }

  /** Neighbour slot of the best next hop, NO_ROUTER when none. */
  router(o: number): number {
    return this.i32[o * 16 + I_ROUTER]!;
  }

  setRouter(o: number, slot: number): void {
    this.i32[o * 16 + I_ROUTER] = slot;
  }

  /** Whether sequence number `seqno` is the one we forwarded last. */
  forwarded(o: number, seqno: number): boolean {
    return (
      (this.u8[o * 64 + B_FLAGS]! & FORWARDED) !== 0 &&
      this.i32[o * 16 + I_LAST_FORWARDED]! >>> 0 === seqno
    );
  }

  setForwarded(o: number, seqno: number): void {
    this.u8[o * 64 + B_FLAGS]! |= FORWARDED;
    this.i32[o * 16 + I_LAST_FORWARDED] = seqno;
  }

  /** Forgets what was forwarded (a reboot: the old sequence space is gone). */
  clearForwarded(o: number): void {
    this.u8[o * 64 + B_FLAGS]! &= ~FORWARDED;
  }

  /** Whether the newest sequence number announced a gateway (the engine keeps its bandwidths). */
  hasGateway(o: number): boolean {
    return (this.u8[o * 64 + B_FLAGS]! & GATEWAY) !== 0;
  }

  setHasGateway(o: number, on: boolean): void {
    if (on) this.u8[o * 64 + B_FLAGS]! |= GATEWAY;
    else this.u8[o * 64 + B_FLAGS]! &= ~GATEWAY;
  }

  private grow(): void {
    const old = this.f64;
    this.capacity *= 2;
    this.view(new ArrayBuffer(this.capacity * RECORD_F64 * 8));
    this.f64.set(old);
  }

  private view(buffer: ArrayBuffer): void {
    this.f64 = new Float64Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.u8 = new Uint8Array(buffer);
  }
}
