/**
 * The Platform of a simulated node: its WANs are the simulator's `SimWan` uplinks, probes travel
 * through their latency/loss/blackhole model on the node's (virtual or real) scheduler, carrier
 * news comes from their state changes, and connection tracking is a table of simulated client
 * flows placed by the routing plan's weights. So the real NodeAgent runs unchanged on every
 * simulated node.
 *
 * @example
 * const platform = new SimPlatform({ wans: node.wans, scheduler: ctx.scheduler, random: ctx.random,
 *   onAnnouncement: (a) => engine.announceGateway(a.mode === 'server' ? { downKbit: a.bandwidthDownKbit, upKbit: a.bandwidthUpKbit } : undefined) });
 * await platform.setup();
 * await platform.probe({ probeId: 'wan#1', wan: 'wan', target: '198.51.100.1', method: 'icmp', timeoutMs: 200 });
 */
import type { Random } from '../../core/random.ts';
import type { Scheduler } from '../../core/scheduler.ts';
import type { ProbeRequest, ProbeResult } from '../../agent/health/wan-tracker.ts';
import type { Announcement } from '../../agent/policy/gateway-announce.ts';
import type { SimWan } from '../../sim/wan.ts';
import { PlatformConfigError } from '../errors.ts';
import type {
  DeviceCounters,
  InterfaceInfo,
  LinkChange,
  Platform,
  PlatformStation,
  RoutingPlan,
} from '../platform.ts';
import { SimConntrack } from './sim-conntrack.ts';

export interface SimPlatformOptions {
  wans: ReadonlyMap<string, SimWan>;
  scheduler: Scheduler;
  random: Random;
  onAnnouncement?: (announcement: Announcement) => void;
  /** How long a simulated interface restart keeps the carrier down. @default 200 */
  restartDownMs?: number;
  /** Size of a probe packet. @default 64 */
  probeBytes?: number;
  /** The stations of the node's simulated access points (a station model's list). @default none */
  stations?: () => PlatformStation[];
}

export class SimPlatform implements Platform {
  readonly kind = 'sim' as const;
  private plan: RoutingPlan | null = null;
  private announcement: Announcement = { mode: 'off' };
  private readonly listeners = new Set<(change: LinkChange) => void>();
  private readonly unsubscribe: (() => void)[] = [];
  readonly conntrack: SimConntrack;
  private installed = false;
  // Bytes through each WAN since this platform (this boot of the node) started, as the kernel's
  // interface statistics count them.
  private readonly counters = new Map<string, DeviceCounters>();

  constructor(private readonly o: SimPlatformOptions) {
    this.conntrack = new SimConntrack(o.random);
    for (const [name, wan] of o.wans) {
      this.unsubscribe.push(
        wan.onStateChange((state) => this.tell({ device: name, carrier: state !== 'down' })),
      );
    }
  }

  /** The routing plan in force, null before `applyRouting` and after `close`. */
  get currentPlan(): RoutingPlan | null {
    return this.plan;
  }

  get currentAnnouncement(): Announcement {
    return this.announcement;
  }

  async setup(): Promise<void> {
    this.installed = true;
  }

  async applyRouting(plan: RoutingPlan): Promise<void> {
    plan.rules.forEach((rule, i) => {
      if (rule.target.kind !== 'wans') return;
      rule.target.shares.forEach((s, j) => {
        if (!this.o.wans.has(s.wan))
          throw new PlatformConfigError(
            `plan.rules[${i}] '${rule.name}' shares[${j}]: unknown WAN '${s.wan}'`,
          );
        if (!Number.isFinite(s.weight) || s.weight < 0)
          throw new PlatformConfigError(
            `plan.rules[${i}] '${rule.name}' shares[${j}]: weight ${s.weight} is not >= 0`,
          );
      });
    });
    this.plan = structuredClone(plan);
    this.conntrack.setPlan(this.plan);
  }

  async flushConntrack(wan: string): Promise<number> {
    this.wan(wan, 'flushConntrack');
    return this.conntrack.flush(wan);
  }

  async setGatewayAnnouncement(announcement: Announcement): Promise<void> {
    this.announcement = announcement;
    this.o.onAnnouncement?.(announcement);
  }

  async readInterfaces(): Promise<InterfaceInfo[]> {
    return [...this.o.wans].map(([name, w]) => ({
      name,
      up: true,
      carrier: w.linkUp,
      addresses: [],
    }));
  }

  async probe(request: ProbeRequest): Promise<ProbeResult> {
    const wan = this.wan(request.wan, 'probe');
    const { scheduler } = this.o;
    const now = scheduler.now();
    const bytes = this.o.probeBytes ?? 64;
    const out = wan.transmit(bytes, now);
    const back = out.delivered ? wan.transmit(bytes, now + out.delayMs) : out;
    const rtt = out.delayMs + back.delayMs;
    const ok = out.delivered && back.delivered && rtt <= request.timeoutMs;
    return await new Promise((resolve) => {
      scheduler.after(ok ? rtt : request.timeoutMs, () =>
        resolve(
          ok ? { probeId: request.probeId, ok, rttMs: rtt } : { probeId: request.probeId, ok },
        ),
      );
    });
  }

  async restartInterface(wan: string): Promise<void> {
    const w = this.wan(wan, 'restartInterface');
    this.tell({ device: wan, carrier: false });
    await new Promise<void>((resolve) =>
      this.o.scheduler.after(this.o.restartDownMs ?? 200, () => resolve()),
    );
    this.tell({ device: wan, carrier: w.linkUp });
  }

  /**
   * Counts traffic that left and came back through `wan` (the demo's simulated clients). Only a
   * WAN that passes packets carries any: a cut or blackholed one counts nothing (returns false).
   */
  countTraffic(wan: string, rxBytes: number, txBytes: number): boolean {
    const w = this.wan(wan, 'countTraffic');
    if (w.state !== 'up') return false;
    const c = this.counters.get(wan) ?? { rxBytes: 0, txBytes: 0 };
    this.counters.set(wan, { rxBytes: c.rxBytes + rxBytes, txBytes: c.txBytes + txBytes });
    return true;
  }

  async readCounters(devices: string[]): Promise<Map<string, DeviceCounters>> {
    const out = new Map<string, DeviceCounters>();
    for (const d of devices) {
      if (!this.o.wans.has(d)) continue;
      const c = this.counters.get(d);
      // Whole bytes, as the kernel counts them.
      out.set(d, { rxBytes: Math.floor(c?.rxBytes ?? 0), txBytes: Math.floor(c?.txBytes ?? 0) });
    }
    return out;
  }

  watchLinks(listener: (change: LinkChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async readStations(): Promise<PlatformStation[]> {
    return this.o.stations?.() ?? [];
  }

  async close(): Promise<void> {
    this.plan = null;
    this.conntrack.setPlan(null);
    this.conntrack.clear();
    if (this.announcement.mode !== 'off') await this.setGatewayAnnouncement({ mode: 'off' });
    this.installed = false;
  }

  /** What is still installed (routing plan, tracked flows, setup): empty after `close`. */
  residue(): string[] {
    const left: string[] = [];
    if (this.installed) left.push('setup');
    if (this.plan) left.push('routing plan');
    if (this.conntrack.size > 0) left.push(`${this.conntrack.size} tracked flows`);
    if (this.announcement.mode !== 'off') left.push('gateway announcement');
    return left;
  }

  /** Stops listening to the WANs for good (the node is being discarded). */
  dispose(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    this.listeners.clear();
  }

  private tell(change: LinkChange): void {
    for (const l of [...this.listeners]) l(change);
  }

  private wan(name: string, where: string): SimWan {
    const w = this.o.wans.get(name);
    if (!w) throw new PlatformConfigError(`${where}: unknown WAN '${name}'`);
    return w;
  }
}
