/**
 * One node's autonomous loop, the thin adapter around the sans-IO cores: it wakes the WAN
 * trackers on the scheduler, runs their probes through the platform, feeds carrier changes in,
 * re-decides the policy, gateway choice and announcement whenever something changed, and carries
 * the result out through the platform, in order. Every decision is handed to `onEvent`.
 *
 * @example
 * const agent = new NodeAgent({ node: 'n1', scheduler: new RealScheduler(), platform, policy: cfg,
 *   wans: [{ name: 'wan1', device: 'wan1', tracker: { targets: ['198.51.100.2'], intervalMs: 50, timeoutMs: 50, down: 8 } }],
 *   zones: { lan: ['lan0'] }, onEvent: (e) => log.info(e, e.kind) });
 * await agent.start();
 */
import type { MeshEvent } from '../core/events.ts';
import type { Logger } from '../core/logger.ts';
import { silentLogger } from '../core/logger.ts';
import type { Scheduler, TimerHandle } from '../core/scheduler.ts';
import type { Platform } from '../platform/platform.ts';
import { parseTrackerOptions, type TrackerOptionsInput } from './health/tracker-options.ts';
import { InterfaceRestarter } from './health/interface-restarter.ts';
import { WanTracker } from './health/wan-tracker.ts';
import { GatewayAnnouncer } from './policy/gateway-announce.ts';
import {
  GatewaySelector,
  type GatewayCandidate,
  type GatewaySelClass,
} from './policy/gateway-select.ts';
import { MultiWanPolicy, type DesiredRouting } from './policy/multi-wan-policy.ts';
import type { Announcement } from './policy/gateway-announce.ts';
import type { PolicyConfig } from './policy/policy-config.ts';
import { toRoutingPlan, type PlanContext } from './routing-plan.ts';

export interface AgentWan {
  name: string;
  /** Kernel device, matched against carrier changes. */
  device: string;
  tracker: Omit<TrackerOptionsInput, 'method'> & { method?: TrackerOptionsInput['method'] };
  /** @default 0 */
  bandwidthDownKbit?: number;
  /** @default 0 */
  bandwidthUpKbit?: number;
}

export interface NodeAgentOptions {
  node: string;
  scheduler: Scheduler;
  platform: Platform;
  policy: PolicyConfig;
  wans: AgentWan[];
  zones?: PlanContext['zones'];
  meshRoute?: PlanContext['meshRoute'];
  /** @default 30_000 */
  holdDownMs?: number;
  /** @default 20 */
  gwSelClass?: GatewaySelClass;
  /**
   * How long a better mesh gateway must stay ahead by the switch margin before the node moves
   * to it (hysteresis against TQ noise on lossy links). @default 10_000
   */
  gwSwitchHoldMs?: number;
  /** Restart a WAN's interface after this many failed cycles in a row (with backoff); off when unset. */
  restartAfterFailedCycles?: number;
  /** @default 30_000 */
  restartBackoffMs?: number;
  onEvent?: (e: MeshEvent) => void;
  logger?: Logger;
}

export class NodeAgent {
  private readonly o: NodeAgentOptions;
  private readonly trackers = new Map<string, WanTracker>();
  private readonly timers = new Map<string, TimerHandle>();
  private readonly inFlight = new Map<string, number>();
  private readonly restarters = new Map<string, InterfaceRestarter>();
  private readonly cyclesSeen = new Map<string, number>();
  private readonly policy: MultiWanPolicy;
  private readonly selector: GatewaySelector;
  private readonly announcer: GatewayAnnouncer;
  private readonly log: Logger;
  private candidates: GatewayCandidate[] = [];
  private gatewayNotNeeded: string | undefined;
  private work: Promise<void> = Promise.resolve();
  private holdTimer: TimerHandle | undefined;
  private stopLinks: (() => void) | undefined;
  private running = false;
  private applied = false;
  private routing: DesiredRouting | undefined;
  private announcement: Announcement = { mode: 'off' };
  private selected: string | null = null;

  constructor(options: NodeAgentOptions) {
    this.o = options;
    this.log = options.logger ?? silentLogger;
    const now = options.scheduler.now();
    for (const w of options.wans) {
      this.trackers.set(
        w.name,
        new WanTracker({
          node: options.node,
          wan: w.name,
          options: parseTrackerOptions(w.tracker),
          now,
        }),
      );
    }
    if (options.restartAfterFailedCycles !== undefined) {
      for (const w of options.wans) {
        this.restarters.set(
          w.name,
          new InterfaceRestarter({
            node: options.node,
            iface: w.name,
            maxFailures: options.restartAfterFailedCycles,
            backoffBaseMs: options.restartBackoffMs ?? 30_000,
          }),
        );
      }
    }
    this.policy = new MultiWanPolicy({
      node: options.node,
      config: options.policy,
      holdDownMs: options.holdDownMs,
    });
    this.selector = new GatewaySelector({
      node: options.node,
      selClass: options.gwSelClass,
      switchHoldMs: options.gwSwitchHoldMs ?? 10_000,
    });
    this.announcer = new GatewayAnnouncer({ node: options.node });
  }

  /** Health of every WAN, for reports. */
  health() {
    return [...this.trackers.values()].map((t) => t.snapshot());
  }

  /** What the last decision chose: each rule's routing, the announcement, the mesh gateway. */
  decisions(): {
    routing: DesiredRouting | undefined;
    announcement: Announcement;
    selectedGateway: string | null;
  } {
    return {
      routing: this.routing,
      announcement: this.announcement,
      selectedGateway: this.selected,
    };
  }

  async start(): Promise<void> {
    await this.o.platform.setup();
    this.running = true;
    const devices = new Map(this.o.wans.map((w) => [w.device, w.name]));
    this.stopLinks = this.o.platform.watchLinks((change) => {
      const wan = devices.get(change.device);
      const t = wan === undefined ? undefined : this.trackers.get(wan);
      if (!t || !this.running) return;
      const now = this.o.scheduler.now();
      if (change.carrier) {
        t.linkUp(now);
        this.wake(t.wan);
      } else {
        this.emit(t.linkDown(now, `carrier lost on ${change.device}`));
        this.redecide();
      }
    });
    this.redecide();
    for (const wan of this.trackers.keys()) this.wake(wan);
    await this.work;
  }

  /**
   * New gateway table from the routing engine or `batctl gwj`. `notNeeded` says why this node
   * wants no mesh gateway now (it serves itself): the current one is released with that reason.
   */
  setGatewayCandidates(candidates: GatewayCandidate[], notNeeded?: string): void {
    const previous = this.candidates;
    const previousNotNeeded = this.gatewayNotNeeded;
    this.candidates = candidates;
    this.gatewayNotNeeded = notNeeded;
    try {
      this.redecide();
    } catch (e) {
      // A malformed table is rejected whole; later decisions keep using the last good one.
      this.candidates = previous;
      this.gatewayNotNeeded = previousNotNeeded;
      throw e;
    }
  }

  /** Resolves once every decision taken so far has been carried out. */
  settled(): Promise<void> {
    return this.work;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopLinks?.();
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    this.holdTimer?.cancel();
    await this.work;
    await this.o.platform.close();
  }

  private wake(wan: string): void {
    if (!this.running) return;
    const t = this.trackers.get(wan)!;
    const out = t.tick(this.o.scheduler.now());
    this.emit(out.events);
    if (out.events.length > 0) this.redecide();
    for (const p of out.probes) {
      this.inFlight.set(wan, (this.inFlight.get(wan) ?? 0) + 1);
      const landed = () => this.inFlight.set(wan, (this.inFlight.get(wan) ?? 1) - 1);
      this.o.platform.probe(p).then(
        (r) => {
          landed();
          if (!this.running) return;
          const events = t.onResult(r, this.o.scheduler.now());
          this.emit(events);
          if (events.length > 0) this.redecide();
          this.schedule(wan);
        },
        (e: unknown) => {
          landed();
          this.log.warn({ err: e, wan }, 'probe failed to run');
        },
      );
    }
    this.schedule(wan);
  }

  /** Feeds each finished cycle to the interface restarter and restarts a stuck WAN. */
  private checkStuck(wan: string, t: WanTracker): void {
    const restarter = this.restarters.get(wan);
    const { count, ok } = t.lastCycle;
    if (!restarter || count === (this.cyclesSeen.get(wan) ?? 0)) return;
    this.cyclesSeen.set(wan, count);
    const r = restarter.onCheck(ok, this.o.scheduler.now());
    this.emit(r.events);
    if (!r.restart) return;
    const platform = this.o.platform;
    this.work = this.work
      .then(() => platform.restartInterface(wan))
      .catch((e: unknown) => this.log.error({ err: e, wan }, 'interface restart failed'));
  }

  private schedule(wan: string): void {
    this.timers.get(wan)?.cancel();
    const t = this.trackers.get(wan)!;
    this.checkStuck(wan, t);
    let at = t.nextWakeAt();
    if (at === undefined || !this.running) return;
    // The platform settles every probe by its timeout; while some are out, give them that long
    // again before the tracker's deadline counts them lost, so a late event loop is no outage.
    if ((this.inFlight.get(wan) ?? 0) > 0) at += t.timeoutMs;
    this.timers.set(
      wan,
      this.o.scheduler.after(at - this.o.scheduler.now(), () => this.wake(wan)),
    );
  }

  private redecide(): void {
    const now = this.o.scheduler.now();
    const usable = new Map([...this.trackers].map(([name, t]) => [name, t.isOnline]));
    const gw = this.selector.select(this.candidates, now, this.gatewayNotNeeded);
    const decision = this.policy.decide({
      now,
      usable,
      meshGateway: gw.gateway?.originator ?? null,
    });
    const announce = this.announcer.decide(
      this.o.wans.map((w) => ({
        wan: w.name,
        usable: usable.get(w.name) ?? false,
        bandwidthDownKbit: w.bandwidthDownKbit ?? 0,
        bandwidthUpKbit: w.bandwidthUpKbit ?? 0,
      })),
      now,
    );
    this.routing = decision.state;
    this.announcement = announce.announcement;
    this.selected = gw.gateway?.originator ?? null;
    this.emit([...gw.events, ...decision.events, ...announce.events]);
    this.holdTimer?.cancel();
    const wakeAt = this.policy.nextWakeAt();
    if (wakeAt !== undefined)
      this.holdTimer = this.o.scheduler.after(wakeAt - now, () => this.redecide());
    const routingChanged =
      decision.events.some((e) => e.kind !== 'conntrack-flush') || gw.events.length > 0;
    const mustApply = routingChanged || !this.applied;
    this.applied = true;
    if (!mustApply && decision.flushWans.length === 0 && announce.events.length === 0) return;
    const plan = toRoutingPlan(
      this.o.policy,
      decision.state,
      {
        zones: this.o.zones ?? {},
        meshRoute: this.o.meshRoute ?? (() => null),
      },
      usable,
    );
    const platform = this.o.platform;
    // Carried out in decision order; a failure is logged and the next decision still runs.
    this.work = this.work
      .then(async () => {
        if (mustApply) await platform.applyRouting(plan);
        for (const wan of decision.flushWans) await platform.flushConntrack(wan);
        if (announce.events.length > 0)
          await platform.setGatewayAnnouncement(announce.announcement);
      })
      .catch((e: unknown) => this.log.error({ err: e }, 'platform failed to apply a decision'));
  }

  private emit(events: readonly MeshEvent[]): void {
    for (const e of events) this.o.onEvent?.(e);
  }
}
