/**
 * Choosing an internet gateway among the originators that announce one, with batman-adv's
 * `gw_sel_class` semantics (gateway_client.c, in our words):
 *
 * - class 1 "fast connection": best TQ² × download bandwidth (scaled as batman-adv does:
 *   tq * tq * down * 10000 >> 18); keeps the chosen gateway until it disappears.
 * - class 2 "stable": best TQ; keeps the chosen gateway until it disappears.
 * - class 3 "fast switch": best TQ; switches as soon as another gateway has a better TQ.
 * - class N > 3 "late switch": best TQ; switches when another gateway is at least N TQ better.
 *
 * @example
 * bestGateway([{ address: 1, tq: 200, down: 100 }, { address: 2, tq: 150, down: 1000 }], 1)?.address; // 2
 * shouldSwitch(20, 180, 199); // false: 19 < 20
 */
export interface GatewayCandidate {
  address: number;
  /** TQ of our best route to the gateway. */
  tq: number;
  /** Download bandwidth in units of 100 kbit/s, as announced. */
  down: number;
}

function fastConnectionFactor(c: GatewayCandidate): bigint {
  return (BigInt(c.tq) * BigInt(c.tq) * BigInt(c.down) * 10000n) >> 18n;
}

/** The gateway a fresh election picks, or undefined when none is reachable. */
export function bestGateway(
  candidates: Iterable<GatewayCandidate>,
  selClass: number,
): GatewayCandidate | undefined {
  let best: GatewayCandidate | undefined;
  let bestFactor = -1n;
  for (const c of candidates) {
    if (c.tq === 0) continue;
    if (selClass === 1) {
      const f = fastConnectionFactor(c);
      if (!best || f > bestFactor || (f === bestFactor && c.tq > best.tq)) {
        best = c;
        bestFactor = f;
      }
    } else if (!best || c.tq > best.tq) {
      best = c;
    }
  }
  return best;
}

/** Whether a client on `selClass`, using a gateway at `currentTq`, moves to one at `otherTq`. */
export function shouldSwitch(selClass: number, currentTq: number, otherTq: number): boolean {
  if (selClass <= 2) return false;
  if (otherTq <= currentTq) return false;
  if (selClass > 3 && otherTq - currentTq < selClass) return false;
  return true;
}
