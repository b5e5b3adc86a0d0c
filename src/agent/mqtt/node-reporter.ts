/**
 * A node's MQTT side, shared by the real agent (`intelli-mesh agent`) and the demo's simulated
 * nodes: it logs in as the node (AgentLink: retained online status, last will offline), obeys
 * the controller's configuration commands (CommandService + ConfigTransaction: validate, apply,
 * confirm or roll back), and publishes the node's retained state, its metrics and every decision.
 * What a node *is* comes in through callbacks: its report, its metrics, and how a configuration
 * is applied; the transaction outlives connections, so a rollback deadline survives a reconnect.
 *
 * @example
 * const reporter = new NodeReporter({ url, site: 'lab', node: 'gw-1', password, scheduler, transaction,
 *   apply: (cfg) => agent.replace(cfg), report: () => agent.report(), metrics: () => agent.metrics() });
 * await reporter.connect();                 // rejects with BrokerConnectError when refused
 * reporter.publishEvent(event);             // and the state follows within 50 ms
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import type { MeshEvent } from '../../core/events.ts';
import { silentLogger, type Logger } from '../../core/logger.ts';
import type { Scheduler, TimerHandle } from '../../core/scheduler.ts';
import type { NodeMetrics, NodeState } from '../../mqtt/messages.ts';
import type { SystemUpgrade } from '../../platform/system-upgrade.ts';
import { CommandService } from '../command/command-service.ts';
import type { ConfigTransaction } from '../command/config-transaction.ts';
import { UpgradeService } from '../upgrade/upgrade-service.ts';
import { AgentLink, type AgentLinkTls } from './agent-link.ts';

/** A node's state without what the MQTT side adds (`node`, `at`, config and firmware versions). */
export type NodeReport = Omit<NodeState, 'node' | 'at' | 'config_version' | 'firmware_version'>;

/**
 * What a node reports while its agent is not running (starting, or a stopped demo node): no
 * WANs, no gateway announced or selected, no neighbours.
 */
export function idleReport(node: Pick<NodeReport, 'uptime_s' | 'role'>): NodeReport {
  return {
    ...node,
    wans: [],
    gateway: { announcing: false, bandwidth_down_kbit: 0, bandwidth_up_kbit: 0, selected: null },
    neighbours: [],
  };
}

/** A node's metrics without `node` and `at`. */
export type NodeMetricsReport = Omit<NodeMetrics, 'node' | 'at'>;

export interface NodeReporterOptions<C> {
  url: string;
  site: string;
  node: string;
  /** @default node */
  username?: string;
  password: string;
  tls?: AgentLinkTls;
  /** Wall clock for timestamps, and the scheduler of confirmation deadlines. */
  scheduler: Scheduler;
  transaction: ConfigTransaction<C>;
  /** Carries out a configuration (a new one, or the confirmed one on rollback). */
  apply: (config: C, version: string, rollback: boolean) => Promise<void>;
  /** The controller confirmed a new configuration. */
  onConfirmed?: (version: string, config: C) => void;
  /**
   * How this node installs firmware (`upgrade` commands); absent, they are refused. Its running
   * version is reported in the state as `firmware_version`.
   */
  upgrade?: SystemUpgrade;
  /** Local copy of the configuration and upgrade decisions (apply, confirm, rollback, upgrade). */
  onEvent?: (event: MeshEvent) => void;
  report: () => NodeReport;
  /** Whether the node is there to report at all (a killed demo node says nothing). @default always */
  present?: () => boolean;
  metrics: () => NodeMetricsReport | Promise<NodeMetricsReport>;
  /** Event times in the node's clock to wall-clock ms (the demo's virtual time). @default identity */
  toWall?: (ms: number) => number;
  /** Publish the state this long after a decision, coalescing its burst of events. @default 50 */
  stateCoalesceMs?: number;
  /** @default 2000 */
  reconnectPeriodMs?: number;
  /**
   * Names the node's current boot, announced at each login so the controller sees a restart.
   * @default one random id per reporter (per agent process)
   */
  bootId?: () => string;
  /**
   * Decisions kept while not logged in (before the first login, or between logins), published
   * in order once in; the oldest go first when it is full. Within a login, mqtt.js itself queues
   * QoS 1 messages across reconnects. @default 0 (the demo's killed nodes make no decisions)
   */
  backlog?: number;
  logger?: Logger;
}

export class NodeReporter<C> {
  private link: AgentLink | undefined;
  private service: CommandService<C> | undefined;
  private upgrades: UpgradeService | undefined;
  private statePending: TimerHandle | undefined;
  private readonly pending: MeshEvent[] = [];
  private dropped = 0;
  private readonly log: Logger;

  private readonly processBootId = randomUUID();

  constructor(private readonly o: NodeReporterOptions<C>) {
    this.log = o.logger ?? silentLogger;
  }

  /** Logged in and connected right now. */
  get online(): boolean {
    return this.link?.connected ?? false;
  }

  get attached(): boolean {
    return this.link !== undefined;
  }

  /**
   * Logs in once (mqtt.js then reconnects by itself), starts obeying commands and publishes the
   * first state. Rejects with BrokerConnectError when the broker refuses or cannot be reached.
   */
  async connect(): Promise<void> {
    if (this.link) return;
    const clock: Clock = this.o.scheduler;
    const link = await AgentLink.connect({
      url: this.o.url,
      site: this.o.site,
      node: this.o.node,
      username: this.o.username,
      password: this.o.password,
      tls: this.o.tls,
      clock,
      reconnectPeriodMs: this.o.reconnectPeriodMs,
      bootId: this.o.bootId?.() ?? this.processBootId,
      logger: this.log,
    });
    const upgrades = new UpgradeService({
      node: this.o.node,
      link,
      scheduler: this.o.scheduler,
      system: this.o.upgrade,
      onEvent: this.o.onEvent,
      logger: this.log,
    });
    const service = new CommandService<C>({
      link,
      scheduler: this.o.scheduler,
      transaction: this.o.transaction,
      apply: this.o.apply,
      upgrade: upgrades,
      onConfirmed: (version, config) => {
        this.o.onConfirmed?.(version, config);
        // The retained state names the running version: bring it up to date now.
        this.stateSoon();
      },
      onEvent: this.o.onEvent,
      logger: this.log,
    });
    service.start();
    // A reconnect after a broker outage republishes the state: the retained one may be stale.
    link.on('online', () => this.stateSoon());
    this.link = link;
    this.service = service;
    this.upgrades = upgrades;
    // The firmware version goes into the first state; an upgrade of the last boot is answered.
    await upgrades.start();
    await this.publishState();
    this.flushBacklog(link);
  }

  /** Says offline on purpose and logs out; the transaction keeps its state for the next login. */
  async disconnect(): Promise<void> {
    const link = this.link;
    this.link = undefined;
    this.service?.stop();
    this.service = undefined;
    this.upgrades?.stop();
    this.upgrades = undefined;
    this.statePending?.cancel();
    this.statePending = undefined;
    await link?.close().catch(() => undefined);
  }

  /** The agent found every WAN down: a configuration awaiting confirmation is rolled back. */
  wanLost(): void {
    this.service?.wanLost();
  }

  async publishState(): Promise<void> {
    const link = this.link;
    if (!link?.connected || this.o.present?.() === false) return;
    const firmware = this.upgrades?.firmwareVersion;
    await link.publishState({
      node: this.o.node,
      at: this.o.scheduler.now(),
      ...this.o.report(),
      config_version: this.o.transaction.current.version,
      ...(firmware != null ? { firmware_version: firmware } : {}),
    });
  }

  async publishMetrics(): Promise<void> {
    const link = this.link;
    if (!link?.connected || this.o.present?.() === false) return;
    const metrics = await this.o.metrics();
    link.publishMetrics({ node: this.o.node, at: this.o.scheduler.now(), ...metrics });
  }

  /** Publishes a decision, and the state it changed shortly after. */
  publishEvent(e: MeshEvent): void {
    const at = this.o.toWall ? this.o.toWall(e.at) : e.at;
    const link = this.link;
    if (!link) {
      const room = this.o.backlog ?? 0;
      if (room === 0) return;
      this.pending.push({ ...e, at });
      if (this.pending.length > room) {
        this.pending.shift();
        this.dropped++;
      }
      return;
    }
    this.send(link, { ...e, at });
    this.stateSoon();
  }

  private send(link: AgentLink, e: MeshEvent): void {
    link
      .publishEvent(e)
      .catch((err: Error) => this.log.warn({ err: err.message, node: this.o.node }, 'event lost'));
  }

  private flushBacklog(link: AgentLink): void {
    if (this.dropped > 0) {
      this.log.warn({ dropped: this.dropped }, 'oldest decisions dropped while not logged in');
      this.dropped = 0;
    }
    for (const e of this.pending.splice(0)) this.send(link, e);
  }

  /**
   * A decision changes the state: publish it at once rather than at the next period, coalescing
   * the burst of events one decision makes (WAN down, policy, announcement) into one message.
   */
  private stateSoon(): void {
    if (this.statePending) return;
    this.statePending = this.o.scheduler.after(this.o.stateCoalesceMs ?? 50, () => {
      this.statePending = undefined;
      this.publishState().catch((err: Error) =>
        this.log.warn({ err: err.message, node: this.o.node }, 'state lost'),
      );
    });
  }
}
