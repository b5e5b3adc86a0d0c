/**
 * A Platform for agent tests: records every call and answers probes from a function of
 * (request, time), so a test scripts the network and asserts on what the agent did.
 *
 * @example
 * const p = new RecordingPlatform(() => true, () => s.now());
 */
import type { ProbeRequest, ProbeResult } from '../../src/agent/health/wan-tracker.ts';
import type { Announcement } from '../../src/agent/policy/gateway-announce.ts';
import type {
  DeviceCounters,
  InterfaceInfo,
  LinkChange,
  Platform,
  RoutingPlan,
} from '../../src/platform/platform.ts';

export type Call =
  | { at: number; op: 'setup' | 'close' }
  | { at: number; op: 'applyRouting'; plan: RoutingPlan }
  | { at: number; op: 'flushConntrack' | 'restartInterface'; wan: string }
  | { at: number; op: 'setGatewayAnnouncement'; announcement: Announcement };

export class RecordingPlatform implements Platform {
  readonly kind = 'sim';
  readonly calls: Call[] = [];
  private linkListener: ((c: LinkChange) => void) | undefined;
  /** Set by a test that wants byte counters in the metrics. */
  readCounters?: (devices: string[]) => Promise<Map<string, DeviceCounters>>;

  constructor(
    private readonly answer: (p: ProbeRequest, now: number) => boolean,
    private readonly now: () => number,
  ) {}

  async setup(): Promise<void> {
    this.calls.push({ at: this.now(), op: 'setup' });
  }
  async applyRouting(plan: RoutingPlan): Promise<void> {
    this.calls.push({ at: this.now(), op: 'applyRouting', plan });
  }
  async flushConntrack(wan: string): Promise<number> {
    this.calls.push({ at: this.now(), op: 'flushConntrack', wan });
    return 0;
  }
  async restartInterface(wan: string): Promise<void> {
    this.calls.push({ at: this.now(), op: 'restartInterface', wan });
  }
  async setGatewayAnnouncement(announcement: Announcement): Promise<void> {
    this.calls.push({ at: this.now(), op: 'setGatewayAnnouncement', announcement });
  }
  async readInterfaces(): Promise<InterfaceInfo[]> {
    return [];
  }
  async probe(p: ProbeRequest): Promise<ProbeResult> {
    return this.answer(p, this.now())
      ? { probeId: p.probeId, ok: true, rttMs: 1 }
      : { probeId: p.probeId, ok: false };
  }
  watchLinks(listener: (c: LinkChange) => void): () => void {
    this.linkListener = listener;
    return () => (this.linkListener = undefined);
  }
  async close(): Promise<void> {
    this.calls.push({ at: this.now(), op: 'close' });
  }
  /** Test hook: a carrier change as `ip monitor link` would report it. */
  link(change: LinkChange): void {
    this.linkListener?.(change);
  }
}
