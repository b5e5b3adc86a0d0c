/**
 * A 64-slot sliding window of sequence numbers (B.A.T.M.A.N.'s TQ_LOCAL_WINDOW_SIZE), kept in
 * two 32-bit halves so the hot path allocates nothing. Bit 0 is the newest sequence number.
 *
 * @example
 * const w = new SeqWindow();
 * w.set(0); w.shift(3); w.set(0);
 * w.count(); // 2 (the newest and the one 3 back)
 */
export const WINDOW_SIZE = 64;

/** Set bits of a 32-bit word. */
export function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

export class SeqWindow {
  /** Bits 0..31 (bit 0 = newest). */
  private lo = 0;
  /** Bits 32..63. */
  private hi = 0;

  /** Ages the window by `n` sequence numbers: every bit moves n slots older. */
  shift(n: number): void {
    if (n <= 0) return;
    if (n >= WINDOW_SIZE) {
      this.lo = 0;
      this.hi = 0;
    } else if (n >= 32) {
      this.hi = n === 32 ? this.lo : (this.lo << (n - 32)) >>> 0;
      this.lo = 0;
    } else {
      this.hi = ((this.hi << n) | (this.lo >>> (32 - n))) >>> 0;
      this.lo = (this.lo << n) >>> 0;
    }
  }

  /** Marks the sequence number `age` slots older than the newest (0 = newest). */
  set(age: number): void {
    if (age < 0 || age >= WINDOW_SIZE) return;
    if (age < 32) this.lo = (this.lo | (1 << age)) >>> 0;
    else this.hi = (this.hi | (1 << (age - 32))) >>> 0;
  }

  has(age: number): boolean {
    if (age < 0 || age >= WINDOW_SIZE) return false;
    return age < 32 ? ((this.lo >>> age) & 1) === 1 : ((this.hi >>> (age - 32)) & 1) === 1;
  }

  /** True when any of the `n` newest slots is marked. */
  anyWithin(n: number): boolean {
    if (n <= 0) return false;
    if (n >= 32)
      return (
        this.lo !== 0 || (n >= WINDOW_SIZE ? this.hi !== 0 : (this.hi & (2 ** (n - 32) - 1)) !== 0)
      );
    return (this.lo & (2 ** n - 1)) !== 0;
  }

  count(): number {
    return popcount32(this.lo) + popcount32(this.hi);
  }

  /** How many of the `n` newest slots are marked. */
  countWithin(n: number): number {
    if (n <= 0) return 0;
    if (n >= WINDOW_SIZE) return this.count();
    if (n >= 32) return popcount32(this.lo) + popcount32((this.hi & (2 ** (n - 32) - 1)) >>> 0);
    return popcount32((this.lo & (2 ** n - 1)) >>> 0);
  }

  clear(): void {
    this.lo = 0;
    this.hi = 0;
  }
}
