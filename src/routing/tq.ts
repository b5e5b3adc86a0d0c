/**
 * B.A.T.M.A.N. IV transmit-quality arithmetic, in integers as batman-adv does it
 * (bat_iv_ogm.c, restated in our own words):
 *
 * - Local link quality towards a neighbour N. `rq` = how many of N's own OGMs we received
 *   directly in the last 64 sequence numbers; `echo` = how many of OUR last 64 OGMs N sent
 *   back to us flagged DIRECTLINK. The share of our packets that reach N is echo / rq (capped
 *   at 1 since echo needs both directions): tq_own = 255 * min(echo, rq) / rq, and 0 when
 *   either count is 0 (the link is not bidirectional).
 * - Asymmetry penalty: a link on which we hear few of N's packets is punished by
 *   1 - (1 - rq/64)^3, scaled to 255: 255 - 255 * (64 - rq)^3 / 64^3.
 * - The TQ carried in an OGM is multiplied by both (and by an optional per-interface hop
 *   penalty), each normalised to 255: tq * own * asym * (255 - ifacePenalty) / 255^3.
 * - Before re-broadcasting, every hop takes its hop penalty: tq * (255 - penalty) / 255
 *   (batman-adv's default penalty is 30).
 *
 * @example
 * localTq(64, 64); // 255 — every packet both ways
 * asymmetryPenalty(32); // 224
 * hopPenalty(255, 30); // 225
 */
import { WINDOW_SIZE } from './seq-window.ts';

export const TQ_MAX = 255;
const WINDOW_CUBE = WINDOW_SIZE * WINDOW_SIZE * WINDOW_SIZE;

/** Share of our own OGMs that reach the neighbour, from echo and receive counts. */
export function localTq(echoCount: number, receiveCount: number): number {
  if (receiveCount < 1 || echoCount < 1) return 0;
  const total = echoCount > receiveCount ? receiveCount : echoCount;
  return Math.floor((TQ_MAX * total) / receiveCount);
}

/** 255 * (1 - (1 - rq/64)^3): near 255 for good links, small for links we barely hear. */
export function asymmetryPenalty(receiveCount: number): number {
  const inv = WINDOW_SIZE - receiveCount;
  return TQ_MAX - Math.floor((TQ_MAX * inv * inv * inv) / WINDOW_CUBE);
}

/** The TQ an OGM is worth once it arrived over a link with the given local quality. */
export function combinedTq(
  packetTq: number,
  ownTq: number,
  asymPenalty: number,
  ifaceHopPenalty = 0,
): number {
  // 255^4 fits easily in a double's 53-bit integer range, so this is exact.
  const num = packetTq * ownTq * asymPenalty * (TQ_MAX - ifaceHopPenalty);
  return Math.floor(num / (TQ_MAX * TQ_MAX * TQ_MAX));
}

/** The TQ a node re-broadcasts after adding its hop penalty. */
export function hopPenalty(tq: number, penalty: number): number {
  return Math.floor((tq * (TQ_MAX - penalty)) / TQ_MAX);
}

/** Average of the non-zero entries of a TQ ring, as batman-adv's ring buffer average. */
export function ringAverage(ring: Uint8Array): number {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < ring.length; i++) {
    const v = ring[i]!;
    if (v !== 0) {
      sum += v;
      count++;
    }
  }
  return count === 0 ? 0 : Math.floor(sum / count);
}
