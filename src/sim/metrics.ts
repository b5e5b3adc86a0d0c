/**
 * Delivery metrics of the data flows: packets sent and delivered (PDR overall and per second
 * of send time) and one-way latencies. Duplicates count once.
 *
 * @example
 * const m = new FlowMetrics();
 * m.sent(0, 1, 1000); m.delivered(0, 1, 1012);
 * m.pdr(); // 1
 * m.latencyPercentile(50); // 12
 */
export class FlowMetrics {
  /**
   * Send times by flow, then by sequence number (both count up from 0); NaN once delivered, so
   * duplicates count once. Arrays rather than a Map keyed by flow * 2^32 + seq: a key that
   * large is a heap number, hashed on every send and delivery (issue 16).
   */
  private readonly sentAt: number[][] = [];
  private latencies: number[] = [];
  private sentCount = 0;
  private deliveredCount = 0;
  private readonly sentPerSecond: number[] = [];
  private readonly deliveredPerSecond: number[] = [];
  private sorted = true;

  sent(flow: number, seq: number, now: number): void {
    (this.sentAt[flow] ??= [])[seq] = now;
    this.sentCount++;
    const s = Math.floor(now / 1000);
    this.sentPerSecond[s] = (this.sentPerSecond[s] ?? 0) + 1;
  }

  delivered(flow: number, seq: number, now: number): void {
    const row = this.sentAt[flow];
    const at = row?.[seq];
    if (at === undefined || Number.isNaN(at)) return;
    row![seq] = Number.NaN;
    this.deliveredCount++;
    this.latencies.push(now - at);
    this.sorted = false;
    const s = Math.floor(at / 1000);
    this.deliveredPerSecond[s] = (this.deliveredPerSecond[s] ?? 0) + 1;
  }

  get sentTotal(): number {
    return this.sentCount;
  }

  get deliveredTotal(): number {
    return this.deliveredCount;
  }

  /** Delivered / sent; 1 when nothing was sent. */
  pdr(): number {
    return this.sentCount === 0 ? 1 : this.deliveredCount / this.sentCount;
  }

  /** PDR per second of send time; null for seconds that sent nothing. */
  pdrSeries(seconds: number): Array<number | null> {
    const out: Array<number | null> = [];
    for (let s = 0; s < seconds; s++) {
      const sent = this.sentPerSecond[s] ?? 0;
      out.push(sent === 0 ? null : (this.deliveredPerSecond[s] ?? 0) / sent);
    }
    return out;
  }

  /** Sorted latencies in ms. */
  sortedLatencies(): number[] {
    if (!this.sorted) {
      this.latencies.sort((a, b) => a - b);
      this.sorted = true;
    }
    return this.latencies;
  }

  /** Nearest-rank percentile in ms; null when nothing was delivered. */
  latencyPercentile(p: number): number | null {
    const xs = this.sortedLatencies();
    if (xs.length === 0) return null;
    const rank = Math.min(xs.length - 1, Math.max(0, Math.ceil((p / 100) * xs.length) - 1));
    return Math.round(xs[rank]! * 1000) / 1000;
  }
}
