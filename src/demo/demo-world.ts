/**
 * The simulated half of the demo, without any I/O: the grid mesh in the simulator with the real
 * routing engine and a real node agent on every node, its 4G modems, each node's confirmed
 * runtime configuration, and the faults the dashboard can inject. It runs on the simulator's
 * virtual clock: tests step it, `startDemo` paces it to the wall clock.
 *
 * @example
 * const world = new DemoWorld({ nodes: 24, seed: 1 });
 * world.advanceTo(20_000);
 * world.faults.apply({ action: 'cut-wan', node: 'n0', wan: 'wan' });
 * world.report('n7').gateway.selected; // another gateway within a few seconds
 */
import { idleReport } from '../agent/mqtt/node-reporter.ts';
import type { MeshEvent } from '../core/events.ts';
import { seededRandom } from '../core/random.ts';
import type { NodeState, WanReport } from '../mqtt/messages.ts';
import { addressToMac, macToAddress } from '../routing/address.ts';
import { Simulation } from '../sim/simulation.ts';
import { agentApp, type AgentApp } from './agent-app.ts';
import { demoScenario, type DemoLayout, type DemoWan } from './demo-scenario.ts';
import { SimFaults } from './sim-faults.ts';
import {
  defaultRuntimeConfig,
  validateRuntimeConfig,
  type ParsedRuntimeConfig,
} from './node-runtime-config.ts';

export interface DemoWorldOptions {
  nodes: number;
  seed: number;
  /** Wall-clock ms for fault timestamps. @default the virtual clock */
  wallClock?: () => number;
}

/** A node's report without the parts the MQTT side adds (`node`, `at`, config version). */
export type NodeReport = Omit<NodeState, 'node' | 'at' | 'config_version'>;

export class DemoWorld {
  readonly sim: Simulation;
  readonly layout: DemoLayout;
  readonly faults: SimFaults;
  private readonly configs = new Map<string, ParsedRuntimeConfig>();
  private readonly noCoverage = new Set<string>();
  private readonly clients = new Map<string, number>();
  private readonly listeners = new Set<(e: MeshEvent) => void>();

  constructor(options: DemoWorldOptions) {
    this.layout = demoScenario({ nodes: options.nodes, seed: options.seed });
    const rng = seededRandom(options.seed).fork('demo-clients');
    this.sim = new Simulation(this.layout.scenario, {
      extraApps: [
        agentApp({
          wansOf: (node) => this.wansOf(node),
          configOf: (node) => this.configOf(node),
          coverage: (node, wan) => !this.noCoverage.has(`${node}/${wan}`),
          onEvent: (e) => this.emit(e),
        }),
      ],
    });
    for (const n of this.sim.nodes) {
      this.clients.set(n.name, 2 + rng.int(11));
      const v = validateRuntimeConfig(
        defaultRuntimeConfig(this.wansOf(n.name)),
        this.wansOf(n.name).map((w) => w.name),
      );
      if (!v.ok) throw new Error(`default config of ${n.name}: ${JSON.stringify(v.errors)}`);
      this.configs.set(n.name, v.config);
    }
    this.faults = new SimFaults(this, options.wallClock);
  }

  get nodeNames(): string[] {
    return this.sim.nodes.map((n) => n.name);
  }

  get gatewayNames(): string[] {
    return [...this.layout.gateways.keys()];
  }

  now(): number {
    return this.sim.scheduler.now();
  }

  /** Starts the mesh (idempotent) and runs virtual time up to `ms`. */
  advanceTo(ms: number): void {
    this.sim.advanceTo(ms);
  }

  /**
   * Runs `ms` of virtual time in slices, letting promise callbacks (probe results, platform
   * actions) run between slices as they would between timers in real time: for tests and benches.
   */
  async step(ms: number, sliceMs = 10): Promise<void> {
    const end = this.now() + ms;
    while (this.now() < end) {
      this.advanceTo(Math.min(end, this.now() + sliceMs));
      await new Promise((r) => setImmediate(r));
    }
  }

  onEvent(listener: (e: MeshEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  wansOf(node: string): readonly DemoWan[] {
    return this.layout.gateways.get(node) ?? [];
  }

  configOf(node: string): ParsedRuntimeConfig {
    return this.configs.get(node)!;
  }

  /** The agent app a node runs now (undefined while the node is down). */
  agent(node: string): AgentApp | undefined {
    return this.sim.node(node)?.app<AgentApp>('agent');
  }

  isUp(node: string): boolean {
    return this.sim.node(node)?.up ?? false;
  }

  /** Makes `config` the node's configuration and rebuilds its running agent with it. */
  async applyConfig(node: string, config: ParsedRuntimeConfig): Promise<void> {
    this.configs.set(node, config);
    await this.agent(node)?.reconfigure(config);
  }

  setCoverage(node: string, wan: string, covered: boolean): void {
    if (covered) this.noCoverage.delete(`${node}/${wan}`);
    else this.noCoverage.add(`${node}/${wan}`);
    this.agent(node)?.coverageChanged(wan);
  }

  /** What the node would publish as its state now. */
  report(node: string): NodeReport {
    const n = this.sim.node(node)!;
    const now = this.now();
    const app = this.agent(node);
    const t = this.sim.topology.nodes.find((x) => x.name === node)!;
    const isGateway = this.layout.gateways.has(node);
    const base = {
      role: isGateway ? ('gateway' as const) : ('mesh' as const),
      address: n.address,
      location: { x: t.x * this.layout.spacingM, y: t.y * this.layout.spacingM },
      clients: this.clients.get(node) ?? 0,
    };
    if (!app) return { ...base, ...idleReport({ uptime_s: 0, role: base.role }), routes: [] };
    const engine = app.router.engine;
    const nameOf = (mac: string) => {
      const a = macToAddress(mac);
      return a === undefined ? mac : (this.sim.nodes[a - 1]?.name ?? mac);
    };
    const rows = engine.originatorsJson(now);
    const best = rows.filter((o) => o.best);
    // A neighbour's TQ is that of its direct link (the row where it is its own next hop), as
    // batctl shows it, even when the best route to it happens to go through someone else.
    const tqOf = new Map(
      rows.filter((o) => o.orig_address === o.neigh_address).map((o) => [o.orig_address, o.tq]),
    );
    const announcement = app.platform.currentAnnouncement;
    return {
      ...base,
      uptime_s: Math.round((now - app.bootedAt) / 1000),
      wans: this.wanReports(node, app),
      gateway: {
        announcing: announcement.mode === 'server',
        bandwidth_down_kbit: announcement.mode === 'server' ? announcement.bandwidthDownKbit : 0,
        bandwidth_up_kbit: announcement.mode === 'server' ? announcement.bandwidthUpKbit : 0,
        selected: app.selectedGateway,
      },
      neighbours: engine.neighboursJson(now).map((nb) => ({
        node: nameOf(nb.neigh_address),
        tq: tqOf.get(nb.neigh_address) ?? 0,
        last_seen_ms: nb.last_seen_msecs,
      })),
      routes: best.map((o) => ({
        destination: nameOf(o.orig_address),
        next_hop: nameOf(o.neigh_address),
        tq: o.tq,
      })),
    };
  }

  /** The mesh address rendered as batman-adv does, for logs. */
  macOf(node: string): string {
    return addressToMac(this.sim.node(node)!.address);
  }

  private wanReports(node: string, app: AgentApp): WanReport[] {
    const plan = app.platform.currentPlan;
    const rule = plan?.rules.find((r) => r.target.kind === 'wans');
    const shares = rule?.target.kind === 'wans' ? rule.target.shares : [];
    const total = shares.reduce((s, x) => s + x.weight, 0);
    const health = new Map(app.agent.health().map((h) => [h.wan, h]));
    const reports: WanReport[] = this.wansOf(node).map((w) => {
      const h = health.get(w.name);
      const share = total > 0 ? (shares.find((s) => s.wan === w.name)?.weight ?? 0) / total : 0;
      const targets = h?.targets ?? [];
      const latency =
        targets.length === 0 ? null : targets.reduce((s, t) => s + t.latencyMs, 0) / targets.length;
      const loss =
        targets.length === 0
          ? null
          : targets.reduce((s, t) => s + t.lossPct, 0) / targets.length / 100;
      const state: WanReport['state'] = !h
        ? 'unknown'
        : h.status === 'online'
          ? 'up'
          : h.status === 'offline'
            ? 'down'
            : 'degraded';
      const modem = app.modemState(w.name);
      return {
        name: w.name,
        kind: w.kind,
        state,
        active: share > 0,
        share: Math.round(share * 1000) / 1000,
        latency_ms: latency === null ? null : Math.round(latency * 10) / 10,
        loss: loss === null ? null : Math.min(1, Math.round(loss * 1000) / 1000),
        ...(modem !== undefined
          ? { modem: { state: modem, operator: modem === 'connected' ? 'SimTel' : null } }
          : {}),
      };
    });
    if (!this.layout.gateways.has(node) || reports.every((r) => r.state !== 'up')) {
      const via = app.selectedGateway;
      reports.push({
        name: 'mesh',
        kind: 'mesh',
        state: via ? 'up' : 'down',
        active: via !== null && reports.every((r) => !r.active),
        share: via !== null && reports.every((r) => !r.active) ? 1 : 0,
      });
    }
    return reports;
  }

  private emit(e: MeshEvent): void {
    for (const l of [...this.listeners]) l(e);
  }
}
