/**
 * The sans-IO health tracker of one WAN, with mwan3track's score semantics.
 *
 * A cycle probes every track target `count` times at once; the cycle succeeds when at least
 * `reliability` targets are up. The score starts at `down + up` (online) or 0 (offline); a failed
 * cycle lowers it, a good one raises it. Online -> offline after `down` consecutive failed cycles,
 * offline -> online after `up` consecutive good ones. A link-down report takes the WAN offline at
 * once, as mwan3's ifdown hotplug event does.
 *
 * Differences from mwan3track, on purpose: targets are probed in parallel (mwan3 probes them one
 * after another and stops at `reliability`), cycles start `interval` after the previous *start*
 * (mwan3 sleeps after the cycle ends), and quality mode keeps a target's verdict while its figures
 * sit between the thresholds (mwan3 counts such a target as not up).
 *
 * @example
 * const t = new WanTracker({ node: 'n1', wan: 'wan', options: parseTrackerOptions({ targets: ['198.51.100.1'] }), now: 0 });
 * const { probes } = t.tick(0);                  // one ICMP probe request
 * t.onResult({ probeId: probes[0]!.probeId, ok: true, rttMs: 9 }, 9);
 * t.nextWakeAt();                                // 10_000: the next cycle
 */
import type { MeshEvent } from '../../core/events.ts';
import { InvalidProbeResultError, UnknownProbeError } from './errors.ts';
import {
  judgeTarget,
  type ProbeSample,
  type TargetJudgement,
  type TargetVerdict,
} from './target-verdict.ts';
import type { ProbeMethod, TrackerOptions } from './tracker-options.ts';

export interface ProbeRequest {
  probeId: string;
  wan: string;
  target: string;
  method: ProbeMethod;
  timeoutMs: number;
}

export interface ProbeResult {
  probeId: string;
  ok: boolean;
  rttMs?: number | undefined;
}

export type WanStatus = 'online' | 'disconnecting' | 'offline' | 'connecting';

export interface TickOutput {
  probes: ProbeRequest[];
  events: MeshEvent[];
}

export interface WanTrackerInit {
  node: string;
  wan: string;
  options: TrackerOptions;
  now: number;
}

interface Cycle {
  startedAt: number;
  deadline: number;
  pending: Map<string, number>;
  samples: ProbeSample[][];
}

export interface WanHealthSnapshot {
  wan: string;
  status: WanStatus;
  online: boolean;
  linkUp: boolean;
  score: number;
  /** Probe cycles finished so far. */
  cycles: number;
  targets: { target: string; verdict: TargetVerdict; lossPct: number; latencyMs: number }[];
}

export class WanTracker {
  readonly wan: string;
  private readonly node: string;
  private readonly o: TrackerOptions;
  private online: boolean;
  private score: number;
  private link = true;
  private nextCycleAt: number;
  private cycle: Cycle | undefined;
  private seq = 0;
  private readonly verdicts: TargetVerdict[];
  private lastJudgements: TargetJudgement[] = [];
  private cycles = 0;
  private lastOk = true;

  constructor(init: WanTrackerInit) {
    this.node = init.node;
    this.wan = init.wan;
    this.o = init.options;
    this.online = init.options.initialState === 'online';
    this.score = this.online ? this.full : 0;
    this.nextCycleAt = init.now;
    this.verdicts = init.options.targets.map(() => (this.online ? 'up' : 'down'));
  }

  private get full(): number {
    return this.o.down + this.o.up;
  }

  /** Cycles finished so far, and whether the last one met `reliability`. */
  get lastCycle(): { count: number; ok: boolean } {
    return { count: this.cycles, ok: this.lastOk };
  }

  /** The per-probe timeout, for hosts that run the probes. */
  get timeoutMs(): number {
    return this.o.timeoutMs;
  }

  get isOnline(): boolean {
    return this.online;
  }

  get status(): WanStatus {
    if (this.online) return this.score === this.full ? 'online' : 'disconnecting';
    return this.score === 0 ? 'offline' : 'connecting';
  }

  /** When the host should call `tick` next: the cycle's deadline or the next cycle's start. */
  nextWakeAt(): number | undefined {
    if (this.cycle) return this.cycle.deadline;
    return this.link ? this.nextCycleAt : undefined;
  }

  /** Expires a cycle past its timeout and starts the next one when due. */
  tick(now: number): TickOutput {
    const events: MeshEvent[] = [];
    if (this.cycle && now >= this.cycle.deadline) events.push(...this.finishCycle(now));
    const probes: ProbeRequest[] = [];
    if (!this.cycle && this.link && now >= this.nextCycleAt) probes.push(...this.startCycle(now));
    return { probes, events };
  }

  /** Records one probe's outcome; finishes the cycle early once every probe has answered. */
  onResult(result: ProbeResult, now: number): MeshEvent[] {
    const { probeId, rttMs } = result;
    if (result.ok && (rttMs === undefined || !Number.isFinite(rttMs) || rttMs < 0)) {
      throw new InvalidProbeResultError(
        probeId,
        `rttMs must be a finite number >= 0, got ${rttMs}`,
      );
    }
    const targetIndex = this.cycle?.pending.get(probeId);
    if (targetIndex === undefined || !this.cycle) {
      if (this.wasIssued(probeId)) return []; // late answer to an expired cycle
      throw new UnknownProbeError(probeId, this.wan);
    }
    this.cycle.pending.delete(probeId);
    this.cycle.samples[targetIndex]!.push({ ok: result.ok, rttMs });
    return this.cycle.pending.size === 0 ? this.finishCycle(now) : [];
  }

  /** The carrier or the interface went down: offline now, no probing until `linkUp`. */
  linkDown(now: number, detail = 'link down'): MeshEvent[] {
    if (!this.link) return [];
    this.link = false;
    this.cycle = undefined;
    // Judgements of the cycle before the cut describe a link that is gone.
    this.lastJudgements = [];
    this.verdicts.fill('down');
    const wasOnline = this.online;
    this.online = false;
    this.score = 0;
    return wasOnline ? [this.event(now, 'online', 'offline', detail)] : [];
  }

  /** The link is back: probing resumes at once and `up` good cycles bring the WAN online. */
  linkUp(now: number): void {
    if (this.link) return;
    this.link = true;
    this.nextCycleAt = now;
  }

  /**
   * Where the WAN stands. Without a carrier nothing gets through: every target reads 100% loss
   * and no latency (Infinity), never the figures of the last cycle before the cut.
   */
  snapshot(): WanHealthSnapshot {
    return {
      wan: this.wan,
      status: this.status,
      online: this.online,
      linkUp: this.link,
      score: this.score,
      cycles: this.cycles,
      targets: this.o.targets.map((target, i) => ({
        target,
        verdict: this.verdicts[i]!,
        lossPct: this.link ? (this.lastJudgements[i]?.lossPct ?? 0) : 100,
        latencyMs: this.link ? (this.lastJudgements[i]?.latencyMs ?? 0) : Number.POSITIVE_INFINITY,
      })),
    };
  }

  private wasIssued(probeId: string): boolean {
    const prefix = `${this.wan}#`;
    if (!probeId.startsWith(prefix)) return false;
    const n = Number(probeId.slice(prefix.length));
    return Number.isInteger(n) && n >= 0 && n < this.seq;
  }

  private startCycle(now: number): ProbeRequest[] {
    const pending = new Map<string, number>();
    const probes: ProbeRequest[] = [];
    this.o.targets.forEach((target, i) => {
      for (let k = 0; k < this.o.count; k++) {
        const probeId = `${this.wan}#${this.seq++}`;
        pending.set(probeId, i);
        probes.push({
          probeId,
          wan: this.wan,
          target,
          method: this.o.method,
          timeoutMs: this.o.timeoutMs,
        });
      }
    });
    this.cycle = {
      startedAt: now,
      deadline: now + this.o.timeoutMs,
      pending,
      samples: this.o.targets.map(() => []),
    };
    return probes;
  }

  private finishCycle(now: number): MeshEvent[] {
    const cycle = this.cycle!;
    this.cycle = undefined;
    // Probes still pending at the deadline are lost.
    for (const targetIndex of cycle.pending.values())
      cycle.samples[targetIndex]!.push({ ok: false });
    this.lastJudgements = cycle.samples.map((s, i) => judgeTarget(s, this.o, this.verdicts[i]!));
    this.lastJudgements.forEach((j, i) => (this.verdicts[i] = j.verdict));
    const upCount = this.verdicts.filter((v) => v === 'up').length;
    this.cycles++;
    this.lastOk = upCount >= this.o.reliability;
    const { down, up } = this.o;
    const events: MeshEvent[] = [];
    let sleep = this.o.intervalMs;
    if (upCount < this.o.reliability) {
      this.score--;
      if (this.score < up) {
        this.score = 0;
        if (this.o.keepFailureInterval) sleep = this.o.failureIntervalMs;
      } else {
        sleep = this.o.failureIntervalMs;
      }
      if (this.score === up) {
        this.online = false;
        this.score = 0;
        events.push(
          this.event(
            now,
            'online',
            'offline',
            `${down} consecutive failed checks: ${this.describe(upCount)}`,
          ),
        );
      }
    } else {
      this.score++;
      if (this.score > up) {
        this.score = this.full;
      } else {
        sleep = this.o.recoveryIntervalMs;
      }
      if (this.score === up) {
        this.online = true;
        this.score = this.full;
        events.push(
          this.event(
            now,
            'offline',
            'online',
            `${up} consecutive good checks: ${this.describe(upCount)}`,
          ),
        );
      }
    }
    this.nextCycleAt = Math.max(now, cycle.startedAt + sleep);
    return events;
  }

  private describe(upCount: number): string {
    const parts = this.o.targets.map((t, i) => {
      const j = this.lastJudgements[i]!;
      const lat = Number.isFinite(j.latencyMs) ? `${Math.round(j.latencyMs)} ms` : 'no reply';
      return `${t} ${j.verdict} (loss ${Math.round(j.lossPct)}%, ${lat})`;
    });
    return `${upCount} of ${this.o.targets.length} targets up, reliability ${this.o.reliability}; ${parts.join(', ')}`;
  }

  private event(at: number, from: string, to: string, reason: string): MeshEvent {
    return { at, node: this.node, kind: 'wan-state', subject: this.wan, from, to, reason };
  }
}
