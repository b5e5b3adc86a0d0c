/**
 * Turns the byte counters nodes report per WAN (cumulative, like the kernel's
 * `/sys/class/net/DEV/statistics`) into rates in bit/s between two reports, which is what a
 * traffic chart shows and what survives downsampling (an average of counters means nothing).
 * A counter that goes backwards (the node rebooted, the interface was recreated) starts over
 * instead of producing a negative or huge rate.
 *
 * @example
 * const rates = new TrafficRates();
 * rates.update('gw-1', 'wan', 10_000, 1_000, 500); // [] (first sample)
 * rates.update('gw-1', 'wan', 20_000, 126_000, 500); // [{ direction: 'rx', bps: 100_000 }, …]
 */

export interface TrafficRate {
  direction: 'rx' | 'tx';
  bps: number;
}

interface Sample {
  at: number;
  rx: number | undefined;
  tx: number | undefined;
}

/** The latest rates of one WAN, with when they were measured (the node's report time). */
export interface CurrentTraffic {
  at: number;
  rx_bps: number | null;
  tx_bps: number | null;
}

export class TrafficRates {
  private readonly last = new Map<string, Sample>();
  private readonly latest = new Map<string, Map<string, CurrentTraffic>>();

  /** The latest rate of each WAN of `node` (empty before its second report with counters). */
  current(node: string): Record<string, CurrentTraffic> {
    return Object.fromEntries(this.latest.get(node) ?? []);
  }

  update(node: string, wan: string, at: number, rx?: number, tx?: number): TrafficRate[] {
    if (rx === undefined && tx === undefined) return [];
    const key = `${node}\u0000${wan}`;
    const prev = this.last.get(key);
    // A report older than the last one (a redelivery) neither yields a rate nor moves the base.
    if (prev && at <= prev.at) return [];
    this.last.set(key, { at, rx, tx });
    if (!prev) return [];
    const seconds = (at - prev.at) / 1000;
    const out: TrafficRate[] = [];
    const rate = (direction: 'rx' | 'tx', now?: number, before?: number) => {
      if (now === undefined || before === undefined || now < before) return;
      out.push({ direction, bps: ((now - before) * 8) / seconds });
    };
    rate('rx', rx, prev.rx);
    rate('tx', tx, prev.tx);
    let wans = this.latest.get(node);
    if (!wans) this.latest.set(node, (wans = new Map()));
    wans.set(wan, {
      at,
      rx_bps: out.find((r) => r.direction === 'rx')?.bps ?? null,
      tx_bps: out.find((r) => r.direction === 'tx')?.bps ?? null,
    });
    return out;
  }
}
