/**
 * Signal a station hears from an AP: the log-distance path-loss model with log-normal
 * shadowing (Rappaport, "Wireless Communications", ch. 4), the shadowing correlated along the
 * station's path after Gudmundson (1991): each metre moved keeps exp(-d / decorrelation) of the
 * previous deviation, so the signal does not jump from one step to the next.
 *
 * The mesh links of the simulator have no path-loss model (they are given by the topology with
 * latency and loss); this model is only for the air between stations and APs.
 *
 * @example
 * meanSignalDbm(DEFAULT_PATH_LOSS, 30); // 20 - 40 - 30*log10(30) ≈ -64.3 dBm
 */
import type { Random } from '../../core/random.ts';
import { normal } from './gaussian.ts';

export interface PathLossParams {
  /** AP transmit power (EIRP), dBm. */
  txPowerDbm: number;
  /** Loss at the reference distance, dB (≈ 40 dB at 1 m for 2.4 GHz in free space). */
  refLossDb: number;
  refDistanceM: number;
  /** Path-loss exponent: 2 in free space, about 3 indoors. */
  exponent: number;
  /** Standard deviation of the shadowing, dB; 0 turns it off. */
  shadowingSigmaDb: number;
  /** Distance over which the shadowing decorrelates to 1/e, m. */
  decorrelationM: number;
}

export const DEFAULT_PATH_LOSS: PathLossParams = {
  txPowerDbm: 20,
  refLossDb: 40,
  refDistanceM: 1,
  exponent: 3,
  shadowingSigmaDb: 4,
  decorrelationM: 10,
};

/** Mean received power at `distanceM`, dBm (closer than the reference distance counts as it). */
export function meanSignalDbm(p: PathLossParams, distanceM: number): number {
  const d = Math.max(distanceM, p.refDistanceM);
  return p.txPowerDbm - p.refLossDb - 10 * p.exponent * Math.log10(d / p.refDistanceM);
}

/** One station–AP shadowing process (first-order autoregressive in distance moved). */
export class Shadowing {
  private value: number;

  constructor(
    private readonly p: PathLossParams,
    private readonly random: Random,
  ) {
    this.value = p.shadowingSigmaDb > 0 ? normal(random) * p.shadowingSigmaDb : 0;
  }

  get db(): number {
    return this.value;
  }

  /** Moves the process on by `movedM` metres and returns the new deviation, dB. */
  step(movedM: number): number {
    if (this.p.shadowingSigmaDb <= 0 || movedM <= 0) return this.value;
    const rho = Math.exp(-movedM / this.p.decorrelationM);
    this.value =
      rho * this.value + Math.sqrt(1 - rho * rho) * this.p.shadowingSigmaDb * normal(this.random);
    return this.value;
  }
}
