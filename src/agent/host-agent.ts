/**
 * The node agent on a real host, built from the agent config and rebuilt from a new one when the
 * controller pushes it: the platform is closed (its rules, tables and nftables table removed) and
 * a fresh agent starts on the new config. It also reads what the node reports: WAN health and
 * shares, the announcement, the mesh gateway and neighbours (polled from the platform's mesh view
 * where it has one), and metrics with the WAN devices' byte counters. Which platform a config
 * gets is the caller's choice: the agent sees only the platform contract.
 *
 * @example
 * const host = new HostAgent({ scheduler: new RealScheduler(), platform: (cfg) => hostPlatform(cfg),
 *   onEvent: print, onWansLost: () => reporter.wanLost() });
 * await host.start(await readAgentConfigFile('/etc/intelli-mesh/agent.json'));
 * await host.replace(nextConfig); // resolves once the new WANs had time to be judged
 * host.report().wans[0]!.state; // 'up'
 */
import { IntelliMeshError } from '../core/errors.ts';
import type { MeshEvent } from '../core/events.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import type { Scheduler, TimerHandle } from '../core/scheduler.ts';
import type { WanReport } from '../mqtt/messages.ts';
import type { DeviceCounters, MeshView, Platform } from '../platform/platform.ts';
import type { AgentConfig } from './agent-config.ts';
import { idleReport, type NodeMetricsReport, type NodeReport } from './mqtt/node-reporter.ts';
import { NodeAgent } from './node-agent.ts';
import { probeFigures, wanFigures } from './health/wan-figures.ts';
import { StationTracker } from './stations/station-tracker.ts';

export interface HostAgentOptions {
  scheduler: Scheduler;
  onEvent: (e: MeshEvent) => void;
  /** Every WAN is offline: after all were lost, or when none is online once an apply settled. */
  onWansLost?: () => void;
  /** Builds the platform a config runs on (a new one for every configuration). */
  platform: (cfg: AgentConfig) => Platform;
  /** How often the platform's Wi-Fi stations are read, where it has any. @default 5000 */
  stationPollMs?: number;
  logger?: Logger;
}

/** start() on a running agent. */
export class HostAgentStateError extends IntelliMeshError {}

interface Running {
  cfg: AgentConfig;
  agent: NodeAgent;
  platform: Platform;
  poll: TimerHandle | undefined;
  neighbours: NodeReport['neighbours'];
  stations: StationTracker | undefined;
  stationPoll: TimerHandle | undefined;
}

const VERIFY_POLL_MS = 50;

export class HostAgent {
  private running: Running | undefined;
  private readonly log: Logger;
  private anyOnline = false;
  private cpuAt: { wall: number; cpu: NodeJS.CpuUsage } | undefined;

  constructor(private readonly o: HostAgentOptions) {
    this.log = o.logger ?? silentLogger;
  }

  get config(): AgentConfig | undefined {
    return this.running?.cfg;
  }

  async start(cfg: AgentConfig): Promise<void> {
    if (this.running) throw new HostAgentStateError('the agent is already running; use replace()');
    const platform = this.o.platform(cfg);
    const agent = new NodeAgent({
      node: cfg.node,
      scheduler: this.o.scheduler,
      platform,
      policy: cfg.policy,
      zones: cfg.zones,
      holdDownMs: cfg.holdDownMs,
      gwSelClass: cfg.gwSelClass,
      restartAfterFailedCycles: cfg.restartAfterFailedCycles,
      restartBackoffMs: cfg.restartBackoffMs,
      wans: cfg.wans.map((w) => ({
        name: w.name,
        device: w.device,
        bandwidthDownKbit: w.bandwidthDownKbit,
        bandwidthUpKbit: w.bandwidthUpKbit,
        tracker: w.tracker,
      })),
      onEvent: (e) => this.onAgentEvent(e),
      logger: this.log,
    });
    const running: Running = {
      cfg,
      agent,
      platform,
      poll: undefined,
      neighbours: [],
      stations: platform.readStations ? new StationTracker({ node: cfg.node }) : undefined,
      stationPoll: undefined,
    };
    this.running = running;
    this.anyOnline = cfg.wans.some((w) => w.tracker.initialState === 'online');
    try {
      await agent.start();
    } catch (e) {
      this.running = undefined;
      await platform.close().catch(() => undefined);
      throw e;
    }
    if (platform.mesh) this.pollMesh(running, platform.mesh);
    this.pollStations(running);
  }

  /**
   * Replaces the running agent with one built from `cfg`, then gives the new WANs the time a dead
   * one needs to be declared offline (`down` cycles); if none is online then, `onWansLost` fires
   * before this resolves, so a transaction rolls the configuration back instead of confirming it.
   */
  async replace(cfg: AgentConfig): Promise<void> {
    await this.stop();
    await this.start(cfg);
    await this.settle(cfg);
    const wans = this.running?.agent.health() ?? [];
    if (wans.length > 0 && wans.every((h) => !h.online)) this.o.onWansLost?.();
  }

  async stop(): Promise<void> {
    const r = this.running;
    if (!r) return;
    this.running = undefined;
    r.poll?.cancel();
    r.stationPoll?.cancel();
    await r.agent.stop();
  }

  report(): NodeReport {
    const r = this.running;
    if (!r) return idleReport({ uptime_s: Math.round(process.uptime()), role: 'gateway' });
    const { role, address } = r.cfg;
    const { routing, announcement, selectedGateway } = r.agent.decisions();
    const health = new Map(r.agent.health().map((h) => [h.wan, h]));
    const shares = new Map<string, number>();
    const carried = new Set<string>();
    for (const rule of routing?.rules ?? []) {
      if (rule.target.kind !== 'wans') continue;
      for (const s of rule.target.shares) {
        carried.add(s.wan);
        // The first rule that uses a WAN gives its share (normally the catch-all default rule).
        if (!shares.has(s.wan)) shares.set(s.wan, s.share);
      }
    }
    const wans: WanReport[] = r.cfg.wans.map((w) => ({
      name: w.name,
      kind: w.kind,
      ...wanFigures(health.get(w.name)),
      active: carried.has(w.name),
      share: Math.round((shares.get(w.name) ?? 0) * 1000) / 1000,
    }));
    return {
      uptime_s: Math.round(process.uptime()),
      role,
      ...(address !== undefined ? { address } : {}),
      wans,
      gateway: {
        announcing: announcement.mode === 'server',
        bandwidth_down_kbit: announcement.mode === 'server' ? announcement.bandwidthDownKbit : 0,
        bandwidth_up_kbit: announcement.mode === 'server' ? announcement.bandwidthUpKbit : 0,
        selected: selectedGateway,
      },
      neighbours: r.neighbours,
      ...(r.stations ? { stations: r.stations.reports(), clients: r.stations.size } : {}),
    };
  }

  /** WAN latency, loss and byte counters, and this process's CPU share and resident memory. */
  async metrics(): Promise<NodeMetricsReport> {
    const r = this.running;
    const wans: NodeMetricsReport['wans'] = {};
    if (r) {
      const none = new Map<string, DeviceCounters>();
      const devices = r.cfg.wans.map((w) => w.device);
      const counters = r.platform.readCounters
        ? await r.platform.readCounters(devices).catch((err: Error) => {
            this.log.warn({ err: err.message }, 'traffic counters not read');
            return none;
          })
        : none;
      const health = new Map(r.agent.health().map((h) => [h.wan, h]));
      for (const w of r.cfg.wans) {
        const { latency_ms, loss } = probeFigures(health.get(w.name)?.targets ?? []);
        const c = counters.get(w.device);
        wans[w.name] = {
          latency_ms,
          loss,
          ...(c ? { rx_bytes: c.rxBytes, tx_bytes: c.txBytes } : {}),
        };
      }
    }
    return { wans, cpu_percent: this.cpuPercent(), rss_bytes: process.memoryUsage.rss() };
  }

  /** CPU time used since the previous call, as a share of one core's wall time (percent). */
  private cpuPercent(): number {
    const wall = performance.now();
    const cpu = process.cpuUsage();
    const last = this.cpuAt;
    this.cpuAt = { wall, cpu };
    if (!last || wall <= last.wall) return 0;
    const usedUs = cpu.user - last.cpu.user + (cpu.system - last.cpu.system);
    return Math.round((usedUs / 1000 / (wall - last.wall)) * 10_000) / 100;
  }

  private onAgentEvent(e: MeshEvent): void {
    this.o.onEvent(e);
    if (e.kind !== 'wan-state') return;
    const online = this.running?.agent.health().some((h) => h.online) ?? false;
    if (this.anyOnline && !online) this.o.onWansLost?.();
    this.anyOnline = online;
  }

  /** Waits until every WAN finished `down` probe cycles (or went offline), bounded in time. */
  private async settle(cfg: AgentConfig): Promise<void> {
    const r = this.running;
    if (!r) return;
    const need = new Map(cfg.wans.map((w) => [w.name, w.tracker.down]));
    const boundMs = Math.max(
      ...cfg.wans.map(
        (w) =>
          w.tracker.down * Math.max(w.tracker.intervalMs, w.tracker.failureIntervalMs) +
          w.tracker.timeoutMs,
      ),
    );
    const deadline = this.o.scheduler.now() + boundMs * 2 + 1_000;
    await new Promise<void>((resolve) => {
      const check = () => {
        const done = r.agent.health().every((h) => !h.online || h.cycles >= (need.get(h.wan) ?? 0));
        if (done || this.running !== r || this.o.scheduler.now() >= deadline) resolve();
        else this.o.scheduler.after(VERIFY_POLL_MS, check);
      };
      check();
    });
  }

  /**
   * Reads the Wi-Fi stations every `stationPollMs` and reports what changed as client events;
   * a reading that fails keeps the last good list (said once per kind of failure).
   */
  private pollStations(r: Running): void {
    const read = r.platform.readStations?.bind(r.platform);
    const tracker = r.stations;
    if (!read || !tracker) return;
    let failed: string | undefined;
    const tick = async () => {
      try {
        const list = await read();
        if (failed !== undefined) this.log.info('Wi-Fi stations readable again');
        failed = undefined;
        if (this.running !== r) return;
        for (const e of tracker.update(list, this.o.scheduler.now())) this.o.onEvent(e);
      } catch (err) {
        const message = (err as Error).message;
        if (failed !== message)
          this.log.warn({ err: message }, 'Wi-Fi stations not read; the last good list stays');
        failed = message;
      }
      if (this.running === r)
        r.stationPoll = this.o.scheduler.after(this.o.stationPollMs ?? 5_000, run);
    };
    const run = () => void tick();
    run();
  }

  private pollMesh(r: Running, mesh: MeshView): void {
    // A table that cannot be read is said once per kind of failure, not at every poll.
    const failed = new Map<string, string>();
    const read = async <T>(what: string, f: () => Promise<T>): Promise<T | undefined> => {
      try {
        const v = await f();
        if (failed.delete(what)) this.log.info({ table: what }, 'mesh table readable again');
        return v;
      } catch (err) {
        const message = (err as Error).message;
        if (failed.get(what) !== message)
          this.log.warn(
            { err: message, table: what },
            'mesh table not read; the last good one stays',
          );
        failed.set(what, message);
        return undefined;
      }
    };
    const tick = async () => {
      const gateways = await read('gateways', () => mesh.readGateways());
      if (gateways && this.running === r) {
        try {
          r.agent.setGatewayCandidates(gateways);
        } catch (err) {
          this.log.warn({ err: (err as Error).message }, 'gateway table refused whole');
        }
      }
      const neighbours = await read('neighbours', () => mesh.readNeighbours());
      if (neighbours)
        r.neighbours = neighbours.map((n) => ({
          node: n.node,
          tq: n.tq,
          last_seen_ms: n.lastSeenMs,
        }));
      if (this.running === r) r.poll = this.o.scheduler.after(mesh.pollMs, run);
    };
    const run = () => void tick();
    run();
  }
}
