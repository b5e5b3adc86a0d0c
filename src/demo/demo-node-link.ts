/**
 * One simulated node's MQTT side in the demo: it logs in to the broker as itself, runs the
 * real AgentLink + CommandService + ConfigTransaction (so `config.apply` from the dashboard
 * really rebuilds that node's agent, and rolls back without a confirmation), and publishes the
 * node's retained state, periodic metrics and its agent's decisions. A killed node drops off
 * the broker (the controller sees it offline); a restored one logs in again.
 *
 * @example
 * const link = new DemoNodeLink({ world, node: 'n3', url, site: 'demo', password, wall });
 * await link.sync();       // connects when the node is up, disconnects when it is down
 * await link.publishState();
 */
import { AgentLink } from '../agent/mqtt/agent-link.ts';
import { CommandService } from '../agent/command/command-service.ts';
import { ConfigTransaction } from '../agent/command/config-transaction.ts';
import type { Clock } from '../core/clock.ts';
import type { MeshEvent } from '../core/events.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import type { Scheduler } from '../core/scheduler.ts';
import type { DemoWorld } from './demo-world.ts';
import {
  defaultRuntimeConfig,
  validateRuntimeConfig,
  type NodeRuntimeConfig,
} from './node-runtime-config.ts';

export interface DemoNodeLinkOptions {
  world: DemoWorld;
  node: string;
  url: string;
  site: string;
  password: string;
  /** Wall clock, and the scheduler of confirmation deadlines. */
  scheduler: Scheduler;
  /** Turns the simulator's virtual ms into wall-clock ms (real-time pacing keeps them apart by a constant). */
  toWall: (virtualMs: number) => number;
  logger?: Logger;
}

const STATE_COALESCE_MS = 50;

export class DemoNodeLink {
  private link: AgentLink | undefined;
  private service: CommandService<NodeRuntimeConfig> | undefined;
  private connecting: Promise<void> | undefined;
  private statePending = false;
  private readonly transaction: ConfigTransaction<NodeRuntimeConfig>;
  private readonly wanNames: string[];
  private readonly log: Logger;

  constructor(private readonly o: DemoNodeLinkOptions) {
    this.log = o.logger ?? silentLogger;
    const wans = o.world.wansOf(o.node);
    this.wanNames = wans.map((w) => w.name);
    this.transaction = new ConfigTransaction<NodeRuntimeConfig>({
      node: o.node,
      validate: (input) => {
        const v = validateRuntimeConfig(input, this.wanNames);
        return v.ok ? { ok: true, config: v.config.raw } : v;
      },
      initial: { version: 'default-1', config: defaultRuntimeConfig(wans) },
    });
  }

  get online(): boolean {
    return this.link?.connected ?? false;
  }

  /** Brings the MQTT presence in line with the simulated node: up means logged in. */
  async sync(): Promise<void> {
    const up = this.o.world.isUp(this.o.node);
    if (up && !this.link && !this.connecting) {
      this.connecting = this.connect().finally(() => (this.connecting = undefined));
      await this.connecting;
    } else if (!up && this.link) {
      const link = this.link;
      this.link = undefined;
      this.service?.stop();
      this.service = undefined;
      await link.close().catch(() => undefined);
    }
  }

  async publishState(): Promise<void> {
    const link = this.link;
    if (!link?.connected || !this.o.world.isUp(this.o.node)) return;
    await link.publishState({
      node: this.o.node,
      at: this.o.scheduler.now(),
      ...this.o.world.report(this.o.node),
      config_version: this.transaction.current.version,
    });
  }

  publishMetrics(): void {
    const link = this.link;
    if (!link?.connected || !this.o.world.isUp(this.o.node)) return;
    const wans: Record<string, { latency_ms: number | null; loss: number | null }> = {};
    for (const w of this.o.world.report(this.o.node).wans) {
      if (w.kind === 'mesh') continue;
      wans[w.name] = { latency_ms: w.latency_ms ?? null, loss: w.loss ?? null };
    }
    link.publishMetrics({ node: this.o.node, at: this.o.scheduler.now(), wans });
  }

  publishEvent(e: MeshEvent): void {
    const link = this.link;
    if (!link?.connected) return;
    link
      .publishEvent({ ...e, at: this.o.toWall(e.at) })
      .catch((err: Error) => this.log.warn({ err: err.message, node: this.o.node }, 'event lost'));
    this.stateSoon();
  }

  /**
   * A decision changes the state: publish it at once rather than at the next period, coalescing
   * the burst of events one decision makes (WAN down, policy, announcement) into one message.
   */
  private stateSoon(): void {
    if (this.statePending) return;
    this.statePending = true;
    this.o.scheduler.after(STATE_COALESCE_MS, () => {
      this.statePending = false;
      this.publishState().catch((err: Error) =>
        this.log.warn({ err: err.message, node: this.o.node }, 'state lost'),
      );
    });
  }

  async close(): Promise<void> {
    await this.connecting?.catch(() => undefined);
    this.service?.stop();
    await this.link?.close().catch(() => undefined);
    this.link = undefined;
  }

  private async connect(): Promise<void> {
    const clock: Clock = this.o.scheduler;
    const link = await AgentLink.connect({
      url: this.o.url,
      site: this.o.site,
      node: this.o.node,
      password: this.o.password,
      clock,
      logger: this.log,
    });
    const service = new CommandService<NodeRuntimeConfig>({
      link,
      scheduler: this.o.scheduler,
      transaction: this.transaction,
      apply: async (config) => {
        const v = validateRuntimeConfig(config, this.wanNames);
        if (!v.ok) throw new Error(v.errors.map((e) => `${e.path}: ${e.message}`).join('; '));
        await this.o.world.applyConfig(this.o.node, v.config);
      },
      logger: this.log,
    });
    service.start();
    if (!this.o.world.isUp(this.o.node)) {
      // Killed while logging in: leave at once.
      service.stop();
      await link.close().catch(() => undefined);
      return;
    }
    this.link = link;
    this.service = service;
    await this.publishState();
  }
}
