/**
 * False failovers under bursty loss, on virtual time: one node's WAN tracker (fast mode) probes a
 * healthy WAN whose packets cross a Gilbert-Elliott channel with ~10 % mean loss, for whole
 * simulated weeks; every online -> offline transition is a false failover.
 *
 * @example
 * const r = simulateFalseFailovers({ tracker: FAST_MODE, channel: GE_10PCT, weeks: 1, seed: 1 });
 * r.falseFailovers; // 0
 */
import { seededRandom } from '../src/core/random.ts';
import { VirtualScheduler } from '../src/core/virtual-scheduler.ts';
import {
  parseTrackerOptions,
  type TrackerOptionsInput,
} from '../src/agent/health/tracker-options.ts';
import { WanTracker } from '../src/agent/health/wan-tracker.ts';
import { GilbertElliott, type GilbertElliottParams } from './gilbert-elliott.ts';

export const WEEK_MS = 7 * 24 * 3600 * 1000;

export interface FalseFailoverRun {
  weeks: number;
  falseFailovers: number;
  probesSent: number;
  probesLost: number;
}

export function simulateFalseFailovers(o: {
  tracker: TrackerOptionsInput;
  channel: GilbertElliottParams;
  weeks: number;
  seed: number;
  rttMs?: number;
  /**
   * Models the Linux platform's fast-mode ICMP stream: echoes leave every `echoIntervalMs` and a
   * probe succeeds at the first reply inside its window. Without it, one echo per probe.
   */
  echoIntervalMs?: number;
}): FalseFailoverRun {
  const s = new VirtualScheduler();
  const rng = seededRandom(o.seed);
  const channel = new GilbertElliott(o.channel, rng.fork('channel'), 0);
  const t = new WanTracker({
    node: 'sim',
    wan: 'wan',
    options: parseTrackerOptions(o.tracker),
    now: 0,
  });
  const rtt = o.rttMs ?? 20;
  let falseFailovers = 0;
  let probesSent = 0;
  let probesLost = 0;
  const count = (events: { to: string | null }[]) => {
    for (const e of events) if (e.to === 'offline') falseFailovers++;
  };
  const wake = () => {
    const out = t.tick(s.now());
    count(out.events);
    for (const p of out.probes) {
      probesSent++;
      const answeredAt = firstReply(s.now(), p.timeoutMs);
      if (answeredAt === undefined) {
        probesLost++;
        continue;
      }
      s.at(answeredAt, () => {
        count(t.onResult({ probeId: p.probeId, ok: true, rttMs: rtt }, s.now()));
        reschedule();
      });
    }
    reschedule();
  };
  const echo = o.echoIntervalMs;
  const phase = echo === undefined ? 0 : rng.fork('phase').next() * echo;
  /** When the first reply reaches the prober in [now, now + timeout), if any gets through. */
  const firstReply = (now: number, timeoutMs: number): number | undefined => {
    if (echo === undefined) return channel.lost(now) || rtt >= timeoutMs ? undefined : now + rtt;
    // Replies in the window belong to echoes sent in [now - rtt, now + timeout - rtt).
    for (
      let j = Math.ceil((now - rtt - phase) / echo);
      phase + j * echo < now + timeoutMs - rtt;
      j++
    ) {
      const sent = phase + j * echo;
      if (!channel.lost(sent)) return sent + rtt;
    }
    return undefined;
  };
  let timer: { cancel(): void } | undefined;
  const reschedule = () => {
    timer?.cancel();
    const at = t.nextWakeAt();
    if (at !== undefined) timer = s.at(at, wake);
  };
  s.at(0, wake);
  s.runUntil(o.weeks * WEEK_MS);
  return { weeks: o.weeks, falseFailovers, probesSent, probesLost };
}
