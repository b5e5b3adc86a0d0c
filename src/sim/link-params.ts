/**
 * Parameters of one direction of a simulated link: latency, bandwidth, random loss and bursty
 * loss after Gilbert-Elliott (a two-state Markov chain: in the Bad state frames are lost with
 * `lossBad`, in Good with the link's plain `loss`).
 *
 * @example
 * const p: LinkParams = { latencyMs: 2, bandwidthKbps: 1000, loss: 0.1, burst: undefined, up: true };
 */
export interface BurstLoss {
  /** Chance per frame of moving Good -> Bad. */
  pGoodToBad: number;
  /** Chance per frame of moving Bad -> Good. */
  pBadToGood: number;
  /** Loss probability while Bad. */
  lossBad: number;
}

export interface LinkParams {
  latencyMs: number;
  /** 0 means unlimited (no serialisation delay). */
  bandwidthKbps: number;
  loss: number;
  burst: BurstLoss | undefined;
  /** False while cut. */
  up: boolean;
}

export const DEFAULT_LINK: LinkParams = {
  latencyMs: 2,
  bandwidthKbps: 0,
  loss: 0,
  burst: undefined,
  up: true,
};
