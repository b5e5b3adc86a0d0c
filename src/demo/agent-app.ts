/**
 * The node agent as a simulator application: on every boot of a simulated node it runs the real
 * `NodeAgent` (health + policy cores) on the node's scheduler against a `SimPlatform` over the
 * node's simulated WANs, dials its 4G modems with the real dial state machine, feeds it the
 * routing engine's gateway table every 500 ms, and lets its announcement decision drive what the
 * engine puts in its OGMs. The mesh therefore heals by the agents' own decisions.
 *
 * @example
 * new Simulation(scenario, { extraApps: [agentApp(world)] });
 * node.app<AgentApp>('agent')?.selectedGateway; // 'n5'
 */
import type { MeshEvent } from '../core/events.ts';
import { NodeAgent } from '../agent/node-agent.ts';
import type { GatewayCandidate } from '../agent/policy/gateway-select.ts';
import { SimPlatform } from '../platform/sim/sim-platform.ts';
import type { SystemUpgrade } from '../platform/system-upgrade.ts';
import { macToAddress } from '../routing/address.ts';
import type { AppFactory, NodeApp, NodeContext } from '../sim/node-host.ts';
import type { RoutingApp } from '../sim/routing-app.ts';
import type { DemoWan } from './demo-scenario.ts';
import type { ParsedRuntimeConfig } from './node-runtime-config.ts';
import { SimModem } from './sim-modem.ts';

/** A gateway whose OGMs stopped for this long is no candidate any more (it died silently). */
export const GATEWAY_STALE_MS = 2_250;
const CANDIDATE_PERIOD_MS = 500;

/** What the app needs of the demo around it; it outlives the node's reboots. */
export interface AgentAppHost {
  wansOf(node: string): readonly DemoWan[];
  configOf(node: string): ParsedRuntimeConfig;
  coverage(node: string, wan: string): boolean;
  onEvent(e: MeshEvent): void;
  onBoot?(node: string, app: AgentApp): void;
  /** The node's way to install firmware, made anew at every boot (its timers die with it). */
  systemUpgrade?(ctx: NodeContext): SystemUpgrade;
  onStop?(node: string): void;
}

export interface AgentApp extends NodeApp {
  readonly platform: SimPlatform;
  readonly agent: NodeAgent;
  readonly bootedAt: number;
  /** The neighbour gateway the agent sends internet traffic to (null: none or not needed). */
  readonly selectedGateway: string | null;
  readonly router: RoutingApp;
  /** How this boot of the node installs firmware (absent when the host offers none). */
  readonly firmware: SystemUpgrade | undefined;
  modemState(wan: string): string | undefined;
  coverageChanged(wan: string): void;
  /** Rebuilds the agent with a new runtime configuration; resolves once it runs. */
  reconfigure(config: ParsedRuntimeConfig): Promise<void>;
}

export function agentApp(host: AgentAppHost): AppFactory {
  return (ctx: NodeContext): AgentApp => new SimAgentApp(ctx, host);
}

class SimAgentApp implements AgentApp {
  readonly name = 'agent';
  readonly platform: SimPlatform;
  readonly router: RoutingApp;
  readonly bootedAt: number;
  readonly firmware: SystemUpgrade | undefined;
  agent: NodeAgent;
  selectedGateway: string | null = null;
  private readonly modems = new Map<string, SimModem>();
  private readonly wans: readonly DemoWan[];
  private stopped = false;

  constructor(
    private readonly ctx: NodeContext,
    private readonly host: AgentAppHost,
  ) {
    this.bootedAt = ctx.scheduler.now();
    const router = ctx.app<RoutingApp>('batman');
    if (!router) throw new Error(`${ctx.node}: the agent app needs the routing app first`);
    this.router = router;
    this.wans = host.wansOf(ctx.node);
    this.firmware = host.systemUpgrade?.(ctx);
    this.platform = new SimPlatform({
      wans: ctx.wans,
      scheduler: ctx.scheduler,
      random: ctx.random.fork('platform'),
      onAnnouncement: (a) =>
        router.engine.announceGateway(
          a.mode === 'server'
            ? { downKbit: a.bandwidthDownKbit, upKbit: a.bandwidthUpKbit }
            : undefined,
        ),
    });
    for (const w of this.wans) {
      const wan = ctx.wans.get(w.name);
      if (w.kind !== 'modem' || !wan) continue;
      this.modems.set(
        w.name,
        new SimModem({
          node: ctx.node,
          wan,
          scheduler: ctx.scheduler,
          random: ctx.random.fork(`modem/${w.name}`),
          coverage: () => host.coverage(ctx.node, w.name),
          onEvent: (e) => host.onEvent(e),
        }),
      );
    }
    for (const m of this.modems.values()) m.start();
    this.agent = this.build(host.configOf(ctx.node));
    void this.agent.start();
    this.feed();
    host.onBoot?.(ctx.node, this);
  }

  modemState(wan: string): string | undefined {
    return this.modems.get(wan)?.state;
  }

  coverageChanged(wan: string): void {
    this.modems.get(wan)?.coverageChanged(this.host.coverage(this.ctx.node, wan));
  }

  async reconfigure(config: ParsedRuntimeConfig): Promise<void> {
    const old = this.agent;
    await old.stop();
    if (this.stopped) return;
    this.selectedGateway = null;
    this.agent = this.build(config);
    await this.agent.start();
    this.agent.setGatewayCandidates(this.candidates());
  }

  stop(): void {
    this.stopped = true;
    for (const m of this.modems.values()) m.stop();
    void this.agent.stop();
    this.platform.dispose();
    this.host.onStop?.(this.ctx.node);
  }

  private build(config: ParsedRuntimeConfig): NodeAgent {
    const node = this.ctx.node;
    return new NodeAgent({
      node,
      scheduler: this.ctx.scheduler,
      platform: this.platform,
      policy: config.policy,
      holdDownMs: config.raw.holdDownMs,
      gwSelClass: config.raw.gwSelClass,
      zones: { lan: ['br-lan'] },
      wans: this.wans.map((w) => ({
        name: w.name,
        device: w.name,
        bandwidthDownKbit: w.bandwidthDownKbit,
        bandwidthUpKbit: w.bandwidthUpKbit,
        tracker: config.raw.trackers[w.name]!,
      })),
      onEvent: (e) => {
        if (e.kind === 'gateway-select') this.selectedGateway = e.to;
        this.host.onEvent(e);
      },
    });
  }

  /** The engine's gateway table as the agent's candidates, minus gateways gone silent. */
  private candidates(): GatewayCandidate[] {
    const engine = this.router.engine;
    const now = this.ctx.scheduler.now();
    const lastSeen = new Map<string, number>();
    for (const o of engine.originatorsJson(now))
      if (o.best) lastSeen.set(o.orig_address, o.last_seen_msecs);
    const out: GatewayCandidate[] = [];
    for (const g of engine.gatewaysJson()) {
      const seen = lastSeen.get(g.orig_address);
      const address = macToAddress(g.orig_address);
      if (seen === undefined || seen > GATEWAY_STALE_MS || address === undefined) continue;
      out.push({
        originator: this.ctx.nameOf(address),
        tq: g.tq,
        bandwidthDownKbit: g.bandwidth_down * 100,
        bandwidthUpKbit: g.bandwidth_up * 100,
      });
    }
    return out;
  }

  private feed(): void {
    if (this.stopped) return;
    // A gateway serves itself: it only looks for another one once its own WANs are gone.
    const own = this.platform.currentAnnouncement;
    if (own.mode === 'server') {
      this.agent.setGatewayCandidates(
        [],
        `this node serves itself: it announces its own WANs (${own.bandwidthDownKbit}/${own.bandwidthUpKbit} kbit/s)`,
      );
    } else {
      this.agent.setGatewayCandidates(this.candidates());
    }
    this.ctx.scheduler.after(CANDIDATE_PERIOD_MS, () => this.feed());
  }
}
