/**
 * The demo's client traffic: every client of every simulated node keeps a few flows open (each
 * with its own rate and lifetime). A flow leaves by the node's own WAN when its multi-WAN policy
 * uses one, else through the gateway the node's agent selected; either way it is placed on a
 * WAN by that gateway's connection tracking, i.e. by the weights of the routing plan the real
 * policy produced. Each second the bytes of every established flow are counted on its WAN (the
 * sim platform's interface counters, which the agent reads as on a router), and a mesh node's
 * share of it on its `mesh` uplink. A flow whose WAN was flushed (the WAN failed), whose gateway
 * died or which the node no longer routes that way ends, and its client opens a new one where the
 * policy now sends it: a WAN failure visibly moves the traffic. Runs on the simulator's clock
 * with its own seeded random stream, so a seed replays the same traffic.
 *
 * @example
 * const traffic = new ClientTraffic({ scheduler: sim.scheduler, random, host: world });
 * traffic.start();
 * traffic.meshCounters('n7'); // { rxBytes: 1234567, txBytes: 154320 }
 */
import type { Random } from '../core/random.ts';
import type { Scheduler } from '../core/scheduler.ts';
import type { DeviceCounters } from '../platform/platform.ts';
import type { SimPlatform } from '../platform/sim/sim-platform.ts';

/** What the traffic needs of the demo: its nodes, their clients and their running agents. */
export interface TrafficHost {
  readonly nodeNames: readonly string[];
  clientsOf(node: string): number;
  /** The node's running agent (undefined while it is down). */
  agent(node: string): { platform: SimPlatform; selectedGateway: string | null } | undefined;
}

export interface ClientTrafficOptions {
  scheduler: Scheduler;
  random: Random;
  host: TrafficHost;
  /** @default 1000 */
  tickMs?: number;
  /** Flows each client keeps open. @default 2 */
  flowsPerClient?: number;
}

interface Flow {
  id: number;
  gateway: string;
  platform: SimPlatform;
  wan: string;
  rxBps: number;
  txBps: number;
  endsAt: number;
}

/** Download rate of a flow: 100..600 kbit/s; upload is an eighth of it. */
const MIN_RX_BPS = 100_000;
const SPAN_RX_BPS = 500_000;
/**
 * Lifetime of a flow: 5..35 s, like a client's web and app connections. Long-lived flows kept
 * the WAN they were opened on for minutes, so a second WAN that came up after the first (a modem
 * still dialling at boot) carried nothing on the dashboard for two minutes.
 */
const MIN_LIFE_MS = 5_000;
const SPAN_LIFE_MS = 30_000;

export class ClientTraffic {
  private readonly flows = new Map<string, Flow[]>();
  private readonly mesh = new Map<string, { platform: SimPlatform; counters: DeviceCounters }>();
  private readonly tickMs: number;
  private readonly perClient: number;
  private started = false;

  constructor(private readonly o: ClientTrafficOptions) {
    this.tickMs = o.tickMs ?? 1_000;
    this.perClient = o.flowsPerClient ?? 2;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.o.scheduler.after(this.tickMs, () => this.tick());
  }

  /**
   * Bytes a node's clients exchanged through the mesh with another gateway, since the node
   * booted (undefined while it is down).
   */
  meshCounters(node: string): DeviceCounters | undefined {
    const app = this.o.host.agent(node);
    if (!app) return undefined;
    const m = this.mesh.get(node);
    if (!m || m.platform !== app.platform) return { rxBytes: 0, txBytes: 0 };
    return { rxBytes: Math.floor(m.counters.rxBytes), txBytes: Math.floor(m.counters.txBytes) };
  }

  /** Established flows per gateway and WAN, for tests and the bench. */
  flowsByWan(): Map<string, number> {
    const out = new Map<string, number>();
    for (const list of this.flows.values())
      for (const f of list)
        out.set(`${f.gateway}/${f.wan}`, (out.get(`${f.gateway}/${f.wan}`) ?? 0) + 1);
    return out;
  }

  private tick(): void {
    const now = this.o.scheduler.now();
    for (const node of this.o.host.nodeNames) this.step(node, now);
    this.o.scheduler.after(this.tickMs, () => this.tick());
  }

  private step(node: string, now: number): void {
    const { host } = this.o;
    const app = host.agent(node);
    const before = this.flows.get(node) ?? [];
    if (!app) {
      // The node is down: its clients lost their connections.
      for (const f of before) f.platform.conntrack.close(f.id);
      this.flows.delete(node);
      return;
    }
    const egress = this.egressOf(node);
    const seconds = this.tickMs / 1000;
    const kept: Flow[] = [];
    for (const f of before) {
      const gw = host.agent(f.gateway);
      const established = gw?.platform === f.platform && f.platform.conntrack.wanOf(f.id) === f.wan;
      if (!established) continue; // flushed, or its gateway rebooted or died
      if (f.gateway !== egress || now >= f.endsAt) {
        f.platform.conntrack.close(f.id);
        continue;
      }
      const rx = (f.rxBps * seconds) / 8;
      const tx = (f.txBps * seconds) / 8;
      if (f.platform.countTraffic(f.wan, rx, tx) && f.gateway !== node)
        this.countMesh(node, app.platform, rx, tx);
      kept.push(f);
    }
    const gateway = egress === undefined ? undefined : host.agent(egress);
    const want = host.clientsOf(node) * this.perClient;
    while (gateway && egress !== undefined && kept.length < want) {
      const opened = gateway.platform.conntrack.openFlow();
      if (!opened) break;
      const rxBps = MIN_RX_BPS + this.o.random.next() * SPAN_RX_BPS;
      kept.push({
        id: opened.id,
        gateway: egress,
        platform: gateway.platform,
        wan: opened.wan,
        rxBps,
        txBps: rxBps / 8,
        endsAt: now + MIN_LIFE_MS + this.o.random.next() * SPAN_LIFE_MS,
      });
    }
    this.flows.set(node, kept);
  }

  /** Where a node's clients reach the internet: its own WANs, or the gateway it selected. */
  private egressOf(node: string): string | undefined {
    const app = this.o.host.agent(node);
    if (!app) return undefined;
    if (carriesTraffic(app.platform)) return node;
    const via = app.selectedGateway;
    const gw = via === null ? undefined : this.o.host.agent(via);
    return gw && carriesTraffic(gw.platform) ? via! : undefined;
  }

  private countMesh(node: string, platform: SimPlatform, rx: number, tx: number): void {
    let m = this.mesh.get(node);
    // A new boot of the node starts its counters over, as its interface statistics would.
    if (!m || m.platform !== platform) {
      m = { platform, counters: { rxBytes: 0, txBytes: 0 } };
      this.mesh.set(node, m);
    }
    m.counters.rxBytes += rx;
    m.counters.txBytes += tx;
  }
}

/** Whether the platform's plan sends client traffic out of one of its own WANs. */
function carriesTraffic(platform: SimPlatform): boolean {
  const rule = platform.currentPlan?.rules.find((r) => r.target.kind === 'wans');
  return rule?.target.kind === 'wans' && rule.target.shares.some((s) => s.weight > 0);
}
