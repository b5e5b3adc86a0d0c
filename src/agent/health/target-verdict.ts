/**
 * Judges one track target from the probes of one cycle, as mwan3track does, but with true
 * hysteresis in quality mode: a target whose loss or latency sits between the recovery and the
 * failure thresholds keeps its previous verdict instead of counting as failed.
 *
 * @example
 * judgeTarget([{ ok: true, rttMs: 12 }], options, 'up'); // { verdict: 'up', lossPct: 0, latencyMs: 12 }
 */
import type { TrackerOptions } from './tracker-options.ts';

export type TargetVerdict = 'up' | 'down';

export interface ProbeSample {
  ok: boolean;
  rttMs?: number | undefined;
}

export interface TargetJudgement {
  verdict: TargetVerdict;
  lossPct: number;
  /** Mean round trip of the answered probes; Infinity when none answered. */
  latencyMs: number;
  /** True when the figures sat between the thresholds and the previous verdict was kept. */
  held: boolean;
}

export function judgeTarget(
  samples: readonly ProbeSample[],
  options: Pick<
    TrackerOptions,
    'checkQuality' | 'failureLatencyMs' | 'failureLossPct' | 'recoveryLatencyMs' | 'recoveryLossPct'
  >,
  previous: TargetVerdict,
): TargetJudgement {
  const answered = samples.filter((s) => s.ok);
  const lossPct =
    samples.length === 0 ? 100 : (100 * (samples.length - answered.length)) / samples.length;
  const latencyMs =
    answered.length === 0
      ? Number.POSITIVE_INFINITY
      : answered.reduce((sum, s) => sum + (s.rttMs ?? 0), 0) / answered.length;
  if (!options.checkQuality) {
    // Like `ping -c count`: the target is up when any probe came back.
    return { verdict: answered.length > 0 ? 'up' : 'down', lossPct, latencyMs, held: false };
  }
  if (lossPct >= options.failureLossPct || latencyMs >= options.failureLatencyMs) {
    return { verdict: 'down', lossPct, latencyMs, held: false };
  }
  if (lossPct <= options.recoveryLossPct && latencyMs <= options.recoveryLatencyMs) {
    return { verdict: 'up', lossPct, latencyMs, held: false };
  }
  return { verdict: previous, lossPct, latencyMs, held: true };
}
