/**
 * The simulated half of the demo, without any I/O: the grid mesh in the simulator with the real
 * routing engine and a real node agent on every node, its 4G modems, each node's confirmed
 * runtime configuration, the faults the dashboard can inject, and each node's firmware: its
 * flash (running version and upgrade journal, kept across reboots) and a SystemUpgrade that
 * fetches the demo's example images and reboots the node into them. It runs on the simulator's
 * virtual clock: tests step it, `startDemo` paces it to the wall clock.
 *
 * @example
 * const world = new DemoWorld({ nodes: 24, seed: 1 });
 * world.advanceTo(20_000);
 * world.faults.apply({ action: 'cut-wan', node: 'n0', wan: 'wan' });
 * world.report('n7').gateway.selected; // another gateway within a few seconds
 * world.firmware('n7').runningVersion(); // DEMO_FIRMWARE, until an upgrade reboots it
 */
import { wanFigures } from '../agent/health/wan-figures.ts';
import { idleReport } from '../agent/mqtt/node-reporter.ts';
import type { MeshEvent } from '../core/events.ts';
import { seededRandom } from '../core/random.ts';
import type { NodeMetrics, NodeState, WanReport } from '../mqtt/messages.ts';
import { addressToMac, macToAddress } from '../routing/address.ts';
import { IntelliMeshError } from '../core/errors.ts';
import {
  SIM_UPGRADE_TIMING,
  SimSystemUpgrade,
  type SimFlash,
  type SimImage,
  type SimUpgradeTiming,
} from '../platform/sim/sim-system-upgrade.ts';
import type { SystemUpgrade } from '../platform/system-upgrade.ts';
import { Simulation } from '../sim/simulation.ts';
import { agentApp, type AgentApp } from './agent-app.ts';
import { ClientTraffic } from './client-traffic.ts';
import { demoDevice } from './demo-device.ts';
import { DemoStations } from './demo-stations.ts';
import { DEMO_FIRMWARE, demoImage } from './demo-images.ts';
import { demoScenario, type DemoLayout, type DemoWan } from './demo-scenario.ts';
import { SimFaults } from './sim-faults.ts';
import {
  defaultRuntimeConfig,
  validateRuntimeConfig,
  type ParsedRuntimeConfig,
} from './node-runtime-config.ts';

/** How long a simulated upgrade's steps take (virtual ms). */
export interface DemoUpgradeTiming extends SimUpgradeTiming {
  /** Writing the image while the node is down. @default 20000 */
  flashMs: number;
  /** Booting the new firmware, up to its agent running. @default 25000 */
  bootMs: number;
}

export const DEMO_UPGRADE_TIMING: DemoUpgradeTiming = {
  ...SIM_UPGRADE_TIMING,
  flashMs: 20_000,
  bootMs: 25_000,
};

export interface DemoWorldOptions {
  nodes: number;
  seed: number;
  /** Wall-clock ms for fault timestamps. @default the virtual clock */
  wallClock?: () => number;
  /** @default DEMO_UPGRADE_TIMING */
  upgradeTiming?: Partial<DemoUpgradeTiming>;
  /** Virtual ms to wall-clock ms, for the stations' ISO `since`. @default identity */
  toWall?: (virtualMs: number) => number;
  /** Wi-Fi clients that move across the site (see demo-stations.ts). @default 8 */
  mobileClients?: number;
}

/** A firmware step asked of a node that is down. */
export class NodeDownError extends IntelliMeshError {}

/** A node's report without the parts the MQTT side adds (`node`, `at`, config version). */
export type NodeReport = Omit<NodeState, 'node' | 'at' | 'config_version'>;

export class DemoWorld {
  readonly sim: Simulation;
  readonly layout: DemoLayout;
  readonly faults: SimFaults;
  /** The clients' flows, spread over the WANs by the agents' policies. */
  readonly traffic: ClientTraffic;
  /** The Wi-Fi clients: a few near each node, and some that roam across the site. */
  readonly stations: DemoStations;
  private readonly toWall: (virtualMs: number) => number;
  private readonly configs = new Map<string, ParsedRuntimeConfig>();
  private readonly noCoverage = new Set<string>();
  private readonly clients = new Map<string, number>();
  private readonly listeners = new Set<(e: MeshEvent) => void>();
  private readonly flash = new Map<string, SimFlash>();
  private readonly upgradeTiming: DemoUpgradeTiming;

  constructor(options: DemoWorldOptions) {
    this.upgradeTiming = { ...DEMO_UPGRADE_TIMING, ...options.upgradeTiming };
    this.layout = demoScenario({ nodes: options.nodes, seed: options.seed });
    const rng = seededRandom(options.seed).fork('demo-clients');
    this.sim = new Simulation(this.layout.scenario, {
      extraApps: [
        agentApp({
          wansOf: (node) => this.wansOf(node),
          configOf: (node) => this.configOf(node),
          coverage: (node, wan) => !this.noCoverage.has(`${node}/${wan}`),
          onEvent: (e) => this.emit(e),
          systemUpgrade: (ctx) =>
            new SimSystemUpgrade({
              scheduler: ctx.scheduler,
              random: ctx.random.fork('upgrade'),
              flash: this.flashOf(ctx.node),
              images: (url) => demoImage(url),
              reboot: (image) => this.rebootInto(ctx.node, image),
              timing: this.upgradeTiming,
            }),
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
    this.toWall = options.toWall ?? ((ms) => ms);
    // Each node keeps the client count the demo always drew for it, now as stations near it.
    this.stations = new DemoStations({
      scheduler: this.sim.scheduler,
      random: seededRandom(options.seed).fork('demo-stations'),
      aps: this.sim.topology.nodes.map((t) => ({
        node: t.name,
        x: t.x * this.layout.spacingM,
        y: t.y * this.layout.spacingM,
      })),
      staticPerNode: (node) => this.clients.get(node) ?? 0,
      mobile: options.mobileClients,
      isUp: (node) => this.isUp(node),
      onEvent: (e) => this.emit(e),
    });
    this.stations.start();
    this.traffic = new ClientTraffic({
      scheduler: this.sim.scheduler,
      random: seededRandom(options.seed).fork('demo-traffic'),
      host: this,
    });
    this.traffic.start();
  }

  /** How many clients the node serves: the stations associated to it now. */
  clientsOf(node: string): number {
    return this.stations.countAt(node);
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

  /** The node's flash: the firmware it runs and the upgrade journal, kept across reboots. */
  flashOf(node: string): SimFlash {
    let f = this.flash.get(node);
    if (!f) {
      f = { version: DEMO_FIRMWARE, journal: undefined };
      this.flash.set(node, f);
    }
    return f;
  }

  /**
   * How the node installs firmware, whichever boot of it runs: each call goes to the running
   * boot's SystemUpgrade (what it starts dies with a crash, as on a router).
   */
  firmware(node: string): SystemUpgrade {
    const current = (): SystemUpgrade => {
      const f = this.agent(node)?.firmware;
      if (!f) throw new NodeDownError(`${node} is down`);
      return f;
    };
    return {
      kind: 'sim',
      runningVersion: async () => current().runningVersion(),
      download: async (r) => current().download(r),
      test: async (i) => current().test(i),
      install: async (i) => current().install(i),
      discard: async (i) => current().discard(i),
      loadJournal: async () => current().loadJournal(),
      saveJournal: async (t) => current().saveJournal(t),
      clearJournal: async () => current().clearJournal(),
    };
  }

  /**
   * The install's reboot: the node goes down now; an image that boots is written and booted
   * after the flash and boot times, and then runs its version; one that bricks leaves the node
   * down (restoring it in the fault panel boots the old firmware again, as a recovery would).
   */
  rebootInto(node: string, image: SimImage): void {
    const sim = this.sim;
    sim.inject({ at_s: this.now() / 1000, kind: 'node-crash', target: node });
    if (image.outcome !== 'boots') return;
    const { flashMs, bootMs } = this.upgradeTiming;
    sim.scheduler.after(flashMs, () => {
      this.flashOf(node).version = image.version;
    });
    sim.inject({ at_s: (this.now() + flashMs + bootMs) / 1000, kind: 'node-boot', target: node });
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
      clients: this.stations.countAt(node),
      stations: this.stations.reportsAt(node, this.toWall),
      ...demoDevice(n.address, this.wansOf(node)),
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
      neighbours: engine.neighboursJson(now).map((nb) => {
        const loss = engine.recentLoss(macToAddress(nb.neigh_address) ?? -1, now);
        return {
          node: nameOf(nb.neigh_address),
          tq: tqOf.get(nb.neigh_address) ?? 0,
          last_seen_ms: nb.last_seen_msecs,
          ...(loss !== undefined ? { loss: Math.round(loss * 1000) / 1000 } : {}),
        };
      }),
      routes: best.map((o) => ({
        destination: nameOf(o.orig_address),
        next_hop: nameOf(o.neigh_address),
        tq: o.tq,
      })),
    };
  }

  /**
   * What the node would publish as its metrics now: each WAN's probe figures and interface byte
   * counters, and for a node that reaches the internet through the mesh, its clients' bytes on
   * the `mesh` uplink.
   */
  async metrics(node: string): Promise<Pick<NodeMetrics, 'wans'>> {
    const wans: NodeMetrics['wans'] = {};
    const app = this.agent(node);
    const counters = app
      ? await app.platform.readCounters(this.wansOf(node).map((w) => w.name))
      : new Map<string, { rxBytes: number; txBytes: number }>();
    for (const w of this.report(node).wans) {
      const c = w.kind === 'mesh' ? this.traffic.meshCounters(node) : counters.get(w.name);
      if (w.kind === 'mesh' && !c) continue;
      wans[w.name] = {
        latency_ms: w.latency_ms ?? null,
        loss: w.loss ?? null,
        ...(c ? { rx_bytes: c.rxBytes, tx_bytes: c.txBytes } : {}),
      };
    }
    return { wans };
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
      const modem = app.modemState(w.name);
      return {
        name: w.name,
        kind: w.kind,
        ...wanFigures(h),
        active: share > 0,
        share: Math.round(share * 1000) / 1000,
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
