/**
 * A two-state Gilbert-Elliott loss process on virtual time: the channel alternates between a
 * good and a bad state with exponentially distributed sojourns, and loses each packet with the
 * state's own probability. Mean loss = (goodMs·lossGood + badMs·lossBad) / (goodMs + badMs).
 *
 * @example
 * const ge = new GilbertElliott({ meanGoodMs: 180, meanBadMs: 20, lossGood: 0.01, lossBad: 0.9 }, rng, 0);
 * ge.lost(1_234); // true or false, replayable for the same seed
 */
import type { Random } from '../src/core/random.ts';

export interface GilbertElliottParams {
  meanGoodMs: number;
  meanBadMs: number;
  lossGood: number;
  lossBad: number;
}

export function meanLoss(p: GilbertElliottParams): number {
  return (p.meanGoodMs * p.lossGood + p.meanBadMs * p.lossBad) / (p.meanGoodMs + p.meanBadMs);
}

export class GilbertElliott {
  private bad = false;
  private until: number;

  constructor(
    private readonly p: GilbertElliottParams,
    private readonly rng: Random,
    start: number,
  ) {
    this.until = start + this.sojourn(this.p.meanGoodMs);
  }

  private sojourn(mean: number): number {
    return -mean * Math.log(1 - this.rng.next());
  }

  /** Advances the state to `now` (monotonic) and draws whether a packet sent now is lost. */
  lost(now: number): boolean {
    while (now >= this.until) {
      this.bad = !this.bad;
      this.until += this.sojourn(this.bad ? this.p.meanBadMs : this.p.meanGoodMs);
    }
    return this.rng.next() < (this.bad ? this.p.lossBad : this.p.lossGood);
  }
}
