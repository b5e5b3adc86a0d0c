/**
 * The station's AP choice, as clients do it: join the AP heard best if it is above the join
 * threshold; while associated, roam when another AP has been better by the hysteresis margin
 * for the dwell time, or at once when the current AP has fallen below the roam threshold and
 * another is better; drop the association when the current AP fades below the loss threshold.
 * Pure: the caller keeps the small `ChoiceState` between steps.
 *
 * @example
 * const s = newChoiceState();
 * decide(s, undefined, new Map([['n1', -60]]), 0, DEFAULT_ROAM_POLICY); // { kind: 'associate', ap: 'n1' }
 */

export interface RoamPolicy {
  /** Lowest signal an AP needs to be joined or roamed to, dBm. */
  minSignalDbm: number;
  /** Below this the station roams to any better AP without waiting, dBm. */
  roamThresholdDbm: number;
  /** Below this the association is lost, dBm. */
  lostSignalDbm: number;
  /** How much better another AP must be, dB (hysteresis against ping-pong). */
  marginDb: number;
  /** How long it must stay that much better, ms. */
  dwellMs: number;
}

export const DEFAULT_ROAM_POLICY: RoamPolicy = {
  minSignalDbm: -80,
  roamThresholdDbm: -75,
  lostSignalDbm: -88,
  marginDb: 6,
  dwellMs: 500,
};

export interface ChoiceState {
  /** The AP that is currently better by the margin, and since when. */
  candidate: string | undefined;
  since: number;
}

export type Decision =
  | { kind: 'stay' }
  | { kind: 'associate'; ap: string }
  | { kind: 'roam'; ap: string; reason: 'better' | 'weak' }
  | { kind: 'lost' };

export const newChoiceState = (): ChoiceState => ({ candidate: undefined, since: 0 });

/** The strongest AP in `signals` other than `except` (ties go to the first in map order). */
function best(signals: ReadonlyMap<string, number>, except?: string): [string, number] | undefined {
  let out: [string, number] | undefined;
  for (const [ap, dbm] of signals) if (ap !== except && (!out || dbm > out[1])) out = [ap, dbm];
  return out;
}

/**
 * One decision at `now`. `current` is the associated AP (undefined when not associated);
 * `signals` holds the signal of every AP serving the station's SSID.
 */
export function decide(
  state: ChoiceState,
  current: string | undefined,
  signals: ReadonlyMap<string, number>,
  now: number,
  p: RoamPolicy,
): Decision {
  if (current === undefined) {
    state.candidate = undefined;
    const b = best(signals);
    return b && b[1] >= p.minSignalDbm ? { kind: 'associate', ap: b[0] } : { kind: 'stay' };
  }
  const cur = signals.get(current) ?? Number.NEGATIVE_INFINITY;
  const other = best(signals, current);
  const usable = other !== undefined && other[1] >= p.minSignalDbm;
  if (usable && cur < p.roamThresholdDbm && other[1] > cur) {
    state.candidate = undefined;
    return { kind: 'roam', ap: other[0], reason: 'weak' };
  }
  if (cur < p.lostSignalDbm) {
    state.candidate = undefined;
    return { kind: 'lost' };
  }
  if (usable && other[1] >= cur + p.marginDb) {
    if (state.candidate !== other[0]) {
      state.candidate = other[0];
      state.since = now;
    }
    if (now - state.since >= p.dwellMs) {
      state.candidate = undefined;
      return { kind: 'roam', ap: other[0], reason: 'better' };
    }
    return { kind: 'stay' };
  }
  state.candidate = undefined;
  return { kind: 'stay' };
}
