/**
 * One simulation run: builds the nodes (routing engine + traffic application on each, WAN
 * uplinks where the scenario puts them), the channel and the radio from a scenario, schedules
 * flows, faults and route checks on a VirtualScheduler, and gathers the summary. The same
 * scenario and seed always give the same trace, byte for byte.
 *
 * @example
 * const sim = new Simulation(scenario, { traceSink: (l) => lines.push(l) });
 * sim.run();
 * sim.summary(0).pdr;
 */
import { seededRandom } from '../core/random.ts';
import { VirtualScheduler } from '../core/virtual-scheduler.ts';
import { SimChannel } from './channel.ts';
import { chaosFaults } from './chaos.ts';
import { type ConvergenceInvariant, convergenceInvariant } from './convergence-invariant.ts';
import { CLIENT_PREFIX } from './client-schema.ts';
import { meshlinkApp } from './meshlink-app.ts';
import { FlowMetrics } from './metrics.ts';
import type { RoamingSummary } from './roam-log.ts';
import { type AppFactory, SimNode } from './node-host.ts';
import { SimRadio } from './radio.ts';
import { RouteChangeLog, type RouteChangesSummary } from './route-change-log.ts';
import {
  type RouteCheck,
  RouteChecker,
  type UnroutablePair,
  unroutablePairs,
} from './route-check.ts';
import { type RoutingApp, routingApp } from './routing-app.ts';
import type { FaultSpec, Scenario } from './scenario-schema.ts';
import { validateScenario } from './scenario.ts';
import { StationHub } from './station-air.ts';
import { buildTopology, type Topology, toLinkParams } from './topology.ts';
import { Trace, type TraceSink } from './trace.ts';
import { type TrafficApp, trafficApp } from './traffic-app.ts';
import { SimWan } from './wan.ts';

export interface SimulationOptions {
  /** Overrides the scenario's seed. */
  seed?: number | undefined;
  traceSink?: TraceSink;
  /** Extra applications on every node (meshlink, agent). */
  extraApps?: AppFactory[];
}

export interface FaultResult {
  at_s: number;
  kind: string;
  target: string;
  /** Seconds until every still-connected pair was routable again; null if never. */
  convergence_s: number | null;
}

export interface Summary {
  scenario: string;
  seed: number;
  nodes: number;
  links: number;
  virtual_s: number;
  wall_s: number;
  events: number;
  pdr: number;
  packets: { sent: number; delivered: number };
  latency_ms: { p50: number | null; p95: number | null; p99: number | null };
  initial_convergence_s: number | null;
  faults: FaultResult[];
  convergence_s: { median: number | null; p95: number | null; max: number | null };
  /** Every fault not followed by another within 3 s converged within 3 s (issue 16). */
  convergence_invariant: ConvergenceInvariant;
  max_loop_s: number;
  unroutable_at_end: number;
  overhead_bytes_per_node_s: number;
  /** Route changes in total, per node, and their steady-state rate (see route-change-log.ts). */
  route_changes: RouteChangesSummary;
  trace_lines: number;
  /** Present when the scenario has clients (issue 13). */
  roaming?: RoamingSummary;
}

const MTU = 1400;

function usesMeshlink(s: Scenario): boolean {
  return (
    s.traffic.flows.some((f) => f.via === 'meshlink') || s.traffic.random_flows?.via === 'meshlink'
  );
}

export class Simulation {
  readonly scheduler = new VirtualScheduler();
  readonly channel: SimChannel;
  readonly radio: SimRadio;
  readonly trace: Trace;
  readonly metrics = new FlowMetrics();
  readonly topology: Topology;
  readonly nodes: SimNode[] = [];
  readonly seed: number;
  readonly faults: FaultResult[] = [];
  /** The stations and the air around the APs; undefined without `clients:`. */
  readonly stations: StationHub | undefined;
  private readonly byName = new Map<string, SimNode>();
  private readonly byAddress = new Map<number, SimNode>();
  private readonly open: FaultResult[] = [];
  private initialConvergence: number | null = null;
  private initialOpen = true;
  private readonly loopSince = new Map<string, number>();
  private maxLoopMs = 0;
  private lastUnroutable = 0;
  private readonly routeChanges: RouteChangeLog;
  /** The routing engine of each node (by index) as of the last check: undefined while down. */
  private routers: Array<RoutingApp | undefined> = [];
  /** The route check, incremental: re-walks only destinations whose routes changed. */
  readonly routes: RouteChecker;
  private checkArmed = false;
  private started = false;

  constructor(
    readonly scenario: Scenario,
    options: SimulationOptions = {},
  ) {
    this.seed = options.seed ?? scenario.seed;
    const root = seededRandom(this.seed);
    this.trace = new Trace(
      options.traceSink,
      scenario.trace.control_frames,
      scenario.trace.route_changes,
    );
    this.topology = buildTopology({ ...scenario, seed: this.seed });
    this.channel = new SimChannel(root.fork('channel'));
    this.radio = new SimRadio(this.scheduler, this.channel, this.trace, MTU);
    for (const l of this.topology.links) this.channel.addLink(l.a, l.b, l.params, l.back);

    const r = scenario.routing;
    const gateways = new Map(
      scenario.wans.filter((w) => w.gateway).map((w) => [w.node, w.gateway!]),
    );
    // The engine's client table (h13-tt): on when asked, and by default when there are clients.
    const clientOptions = {
      translationTable: r.translation_table ?? scenario.clients.length > 0,
      roamingAdvertisement: r.roaming_advertisement ?? false,
    };
    this.stations =
      scenario.clients.length > 0
        ? new StationHub(
            scenario,
            this.topology,
            root.fork('stations'),
            this.scheduler,
            this.metrics,
            this.trace,
            clientOptions.translationTable,
          )
        : undefined;
    const factories: AppFactory[] = [
      routingApp({
        ...clientOptions,
        originatorIntervalMs: r.originator_interval_ms,
        jitterMs: r.jitter_ms,
        hopPenalty: r.hop_penalty,
        routerMissLimit: r.router_miss_limit,
        clearStaleTq: r.clear_stale_tq,
        scaleYoungWindows: r.scale_young_windows,
        fastStartOgms: r.fast_start_ogms,
        fastStartIntervalMs: r.fast_start_interval_ms,
        holdEarlyOgms: r.hold_early_ogms,
        originatorSilenceMs: r.originator_silence_ms,
        recheckForwards: r.recheck_forwards,
        neighbourLossFactor: r.neighbour_loss_factor,
        aggregationMs: r.aggregation_ms,
        purgeTimeoutMs: r.purge_timeout_ms,
        gwSelClass: r.gw_sel_class,
        perNode: (node) => {
          const g = gateways.get(node);
          return g ? { gateway: { downKbit: g.down_kbit, upKbit: g.up_kbit } } : {};
        },
      }),
      trafficApp(this.metrics, this.trace),
      ...(usesMeshlink(scenario) ? [meshlinkApp(this.metrics)] : []),
      ...(this.stations ? [this.stations.appFactory()] : []),
      ...(options.extraApps ?? []),
    ];
    const nodeIndex = new Map(this.topology.nodes.map((t, i) => [t.name, i]));
    this.routeChanges = new RouteChangeLog(this.topology.nodes.map((t) => t.name));
    const deps = {
      scheduler: this.scheduler,
      radio: this.radio,
      random: root.fork('nodes'),
      emit: (e: Parameters<Trace['event']>[0]) => {
        if (e.kind === 'route-change') {
          this.routeChanges.record(nodeIndex.get(e.node)!, e.at);
          const d = nodeIndex.get(e.subject);
          if (d === undefined) this.routes.networkChanged();
          else this.routes.routeChanged(d);
        }
        this.trace.event(e);
      },
      addressOf: (name: string) => this.byName.get(name)?.address,
      nameOf: (address: number) => this.byAddress.get(address)?.name ?? String(address),
    };
    this.routes = new RouteChecker(
      this.topology.nodes.map((t) => t.name),
      this.channel,
      this.nextHopIndex,
    );
    for (const t of this.topology.nodes) {
      const node = new SimNode(t.name, t.address, deps, factories);
      this.nodes.push(node);
      this.byName.set(t.name, node);
      this.byAddress.set(t.address, node);
    }
    const wanRng = root.fork('wan');
    for (const w of scenario.wans) {
      const wan = new SimWan(
        w.name,
        { latencyMs: w.latency_ms, loss: w.loss, bandwidthKbps: w.bandwidth_kbps },
        wanRng.fork(`${w.node}/${w.name}`),
      );
      this.byName.get(w.node)!.wans.set(w.name, wan);
    }
  }

  node(name: string): SimNode | undefined {
    return this.byName.get(name);
  }

  /** Boots every node at time 0 and schedules flows, faults and checks. Idempotent. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const s = this.scenario;
    const durationMs = s.duration_s * 1000;
    for (const n of this.nodes) n.boot();
    const allFaults = [
      ...s.faults,
      ...chaosFaults(
        { ...s, seed: this.seed },
        this.topology,
        seededRandom(this.seed).fork('chaos'),
      ),
    ];
    allFaults.sort((a, b) => a.at_s - b.at_s);
    for (const f of allFaults) this.scheduler.at(f.at_s * 1000, () => this.apply(f));
    const flows = [...s.traffic.flows];
    const rf = s.traffic.random_flows;
    if (rf) {
      const rng = seededRandom(this.seed).fork('traffic');
      const n = this.nodes.length;
      for (let i = 0; i < rf.count; i++) {
        const a = rng.int(n);
        const b = (a + 1 + rng.int(n - 1)) % n;
        flows.push({
          from: this.nodes[a]!.name,
          to: this.nodes[b]!.name,
          rate_pps: rf.rate_pps,
          size_bytes: rf.size_bytes,
          start_s: rf.start_s,
          stop_s: rf.stop_s,
          via: rf.via,
        });
      }
    }
    this.stations?.start();
    flows.forEach((f, id) => {
      const period = 1000 / f.rate_pps;
      const stop = Math.min(durationMs, (f.stop_s ?? s.duration_s) * 1000);
      const client = f.to.startsWith(CLIENT_PREFIX)
        ? this.stations?.client(f.to.slice(CLIENT_PREFIX.length))
        : undefined;
      const dst = client ? 0 : this.byName.get(f.to)!.address;
      let seq = 0;
      const sendNext = (at: number): void => {
        if (at >= stop) return;
        this.scheduler.at(at, () => {
          const app = this.byName
            .get(f.from)!
            .app<TrafficApp>(f.via === 'meshlink' ? 'meshlink' : 'traffic');
          if (client) this.stations!.originate(f.from, app, id, seq++, client.mac, f.size_bytes);
          else app?.originate(id, seq++, dst, f.size_bytes);
          sendNext(at + period);
        });
      };
      sendNext(f.start_s * 1000);
    });
    // A background check every second finds the initial convergence (at 1 s resolution) and
    // loops that outlive a convergence window. Fast checks (check_interval_ms) run only while a
    // fault waits: each is O(nodes^2) when nearly every route works, too dear to run always.
    const background = (): void => {
      this.check(false);
      if (this.scheduler.now() + 1000 <= durationMs) this.scheduler.after(1000, background);
    };
    this.scheduler.after(1000, background);
  }

  /** Runs up to virtual time `ms` (at most the scenario's duration). */
  advanceTo(ms: number): void {
    this.start();
    this.scheduler.runUntil(Math.min(ms, this.scenario.duration_s * 1000));
  }

  run(): void {
    this.advanceTo(this.scenario.duration_s * 1000);
  }

  /** Schedules one more fault (validated like the scenario's) at its `at_s`, or now if past. */
  inject(f: FaultSpec): void {
    validateScenario({ ...this.scenario, faults: [f] }, 'injected fault');
    this.scheduler.at(f.at_s * 1000, () => this.apply({ ...f, at_s: this.scheduler.now() / 1000 }));
  }

  /** The router a node runs now (undefined while it is down). */
  router(name: string): RoutingApp | undefined {
    return this.byName.get(name)?.app<RoutingApp>('batman');
  }

  summary(wallS: number): Summary {
    const conv = this.faults
      .map((f) => f.convergence_s)
      .filter((x): x is number => x !== null)
      .sort((a, b) => a - b);
    const pick = (p: number): number | null =>
      conv.length === 0
        ? null
        : conv[Math.min(conv.length - 1, Math.ceil((p / 100) * conv.length) - 1)]!;
    const virtualS = this.scheduler.now() / 1000;
    const ogmBytes = this.radio.counters.bytesSent.get('ogm') ?? 0;
    return {
      scenario: this.scenario.name ?? 'unnamed',
      seed: this.seed,
      nodes: this.nodes.length,
      links: this.topology.links.length,
      virtual_s: virtualS,
      wall_s: Math.round(wallS * 1000) / 1000,
      events: this.scheduler.eventsRun,
      pdr: Math.round(this.metrics.pdr() * 1e6) / 1e6,
      packets: { sent: this.metrics.sentTotal, delivered: this.metrics.deliveredTotal },
      latency_ms: {
        p50: this.metrics.latencyPercentile(50),
        p95: this.metrics.latencyPercentile(95),
        p99: this.metrics.latencyPercentile(99),
      },
      initial_convergence_s: this.initialConvergence,
      faults: this.faults,
      convergence_s: {
        median: pick(50),
        p95: pick(95),
        max: conv.length === 0 ? null : conv[conv.length - 1]!,
      },
      convergence_invariant: convergenceInvariant(this.faults, virtualS),
      max_loop_s: Math.round(this.maxLoopMs) / 1000,
      unroutable_at_end: this.lastUnroutable,
      overhead_bytes_per_node_s:
        virtualS === 0 ? 0 : Math.round((ogmBytes / this.nodes.length / virtualS) * 100) / 100,
      route_changes: this.routeChanges.summary(this.initialConvergence, this.faults, virtualS),
      trace_lines: this.trace.lines,
      ...(this.stations && { roaming: this.stations.log.summary() }),
    };
  }

  private apply(f: FaultSpec): void {
    const now = this.scheduler.now();
    const result: FaultResult = {
      at_s: f.at_s,
      kind: f.kind,
      target: f.target,
      convergence_s: null,
    };
    let detail = '';
    this.routes.networkChanged();
    switch (f.kind) {
      case 'node-crash':
        this.byName.get(f.target)!.crash();
        this.channel.setNodeUp(f.target, false);
        this.stations?.setNodeUp(f.target, false);
        detail = 'node stops: radio silent, state lost';
        break;
      case 'node-boot':
        this.channel.setNodeUp(f.target, true);
        this.byName.get(f.target)!.boot();
        this.stations?.setNodeUp(f.target, true);
        detail = 'node boots with fresh state';
        break;
      case 'node-reboot': {
        const node = this.byName.get(f.target)!;
        node.crash();
        this.channel.setNodeUp(f.target, false);
        this.stations?.setNodeUp(f.target, false);
        this.scheduler.after(f.down_s * 1000, () => {
          this.routes.networkChanged();
          this.channel.setNodeUp(f.target, true);
          node.boot();
          this.stations?.setNodeUp(f.target, true);
          this.trace.fault(this.scheduler.now(), 'node-boot', f.target, 'back from reboot');
        });
        detail = `reboot, down for ${f.down_s} s`;
        break;
      }
      case 'link-cut':
      case 'link-heal': {
        const [a, b] = this.linkEnds(f.target);
        this.channel.update(a, b, { up: f.kind === 'link-heal' });
        detail = f.kind === 'link-cut' ? 'link cut both ways' : 'link restored';
        break;
      }
      case 'link-degrade': {
        const [a, b] = this.linkEnds(f.target);
        const cur = this.channel.params(a, b);
        const next = toLinkParams(
          {
            latency_ms: cur.latencyMs,
            bandwidth_kbps: cur.bandwidthKbps,
            loss: cur.loss,
            burst: undefined,
          },
          {
            latency_ms: f.latency_ms,
            bandwidth_kbps: f.bandwidth_kbps,
            loss: f.loss,
            burst: f.burst,
          },
        );
        const { up: _up, ...change } = next;
        if (!f.burst) delete (change as Partial<typeof change>).burst;
        this.channel.update(a, b, change);
        detail = JSON.stringify({
          latency_ms: next.latencyMs,
          bandwidth_kbps: next.bandwidthKbps,
          loss: next.loss,
        });
        break;
      }
      case 'wan-down':
      case 'wan-up':
      case 'wan-blackhole': {
        const wan = this.wan(f.target);
        wan.setState(f.kind === 'wan-down' ? 'down' : f.kind === 'wan-up' ? 'up' : 'blackhole');
        detail = `WAN ${wan.state}`;
        break;
      }
      case 'wan-degrade': {
        const change: Record<string, number> = {};
        if (f.latency_ms !== undefined) change.latencyMs = f.latency_ms;
        if (f.loss !== undefined) change.loss = f.loss;
        if (f.bandwidth_kbps !== undefined) change.bandwidthKbps = f.bandwidth_kbps;
        this.wan(f.target).degrade(change);
        detail = JSON.stringify(change);
        break;
      }
    }
    this.trace.fault(now, f.kind, f.target, detail);
    this.faults.push(result);
    this.open.push(result);
    this.armCheck(0);
  }

  private linkEnds(target: string): [string, string] {
    for (const l of this.topology.links) {
      if (`${l.a}-${l.b}` === target || `${l.b}-${l.a}` === target) return [l.a, l.b];
    }
    throw new Error(`link ${target} vanished after validation`);
  }

  private wan(target: string): SimWan {
    const [node, name] = target.split('/');
    return this.byName.get(node!)!.wans.get(name!)!;
  }

  private armCheck(delayMs: number): void {
    if (this.checkArmed) return;
    this.checkArmed = true;
    this.scheduler.after(delayMs, () => {
      this.checkArmed = false;
      const settled = this.check(true);
      if (!settled) this.armCheck(this.scenario.check_interval_ms);
    });
  }

  /** The route check now (incremental, see RouteChecker); `quick` stops at the first miss. */
  routeCheck(quick = false): RouteCheck {
    this.routers = this.nodes.map((n) => n.app<RoutingApp>('batman'));
    return this.routes.check(quick);
  }

  /** Every connected pair not routable now, and where its walk ends (a diagnostic, route-check.ts). */
  unroutablePairs(): UnroutablePair[] {
    this.routers = this.nodes.map((n) => n.app<RoutingApp>('batman'));
    return unroutablePairs(
      this.topology.nodes.map((t) => t.name),
      this.channel,
      this.nextHopIndex,
    );
  }

  /** Node `src`'s next hop towards node `dst`, both by index (node addresses are index + 1). */
  private readonly nextHopIndex = (src: number, dst: number): number | undefined => {
    const nh = this.routers[src]?.nextHop(dst + 1);
    return nh === undefined ? undefined : nh - 1;
  };

  /** Checks every route now; returns true when nothing waits for convergence. */
  private check(quick: boolean): boolean {
    const now = this.scheduler.now();
    const r = this.routeCheck(quick);
    this.lastUnroutable = r.unroutable;
    if (quick && r.unroutable > 0) return false;
    const current = new Set(r.loops);
    for (const key of [...this.loopSince.keys()]) if (!current.has(key)) this.loopSince.delete(key);
    for (const key of current) {
      const since = this.loopSince.get(key) ?? now;
      this.loopSince.set(key, since);
      this.maxLoopMs = Math.max(this.maxLoopMs, now - since);
    }
    if (r.unroutable === 0) {
      if (this.initialOpen) {
        this.initialOpen = false;
        this.initialConvergence = now / 1000;
      }
      for (const f of this.open) f.convergence_s = Math.round((now / 1000 - f.at_s) * 1000) / 1000;
      this.open.length = 0;
    }
    return this.open.length === 0;
  }
}
