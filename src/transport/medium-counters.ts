/**
 * Traffic counters every medium of this folder exposes, so the CLI and the simulator report
 * media the same way.
 *
 * @example
 * const udp = await openUdpMedium({ bind: '127.0.0.1:0', peers: [] });
 * udp.counters.framesIn; // 0
 */
export interface MediumCounters {
  /** Frames delivered to this medium's listeners. */
  framesIn: number;
  /** Frames accepted by `send`. */
  framesOut: number;
  /**
   * Incoming frames discarded before delivery: oversize or corrupt on UDP and serial, lost by
   * the link model in memory.
   */
  dropped: number;
}
