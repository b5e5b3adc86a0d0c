/**
 * One simulated node's MQTT side in the demo: the same NodeReporter a real node's agent uses
 * (AgentLink + CommandService + ConfigTransaction, so `config.apply` from the dashboard really
 * rebuilds that node's agent, and rolls back without a confirmation; and the upgrade service,
 * so an `upgrade` really downloads, reboots the simulated node and answers after the reboot),
 * fed by the simulated world's report of the node. A killed node drops off the broker (the
 * controller sees it offline); a restored one logs in again, as a rebooted agent would.
 *
 * @example
 * const link = new DemoNodeLink({ world, node: 'n3', url, site: 'demo', password, wall });
 * await link.sync();       // connects when the node is up, disconnects when it is down
 * await link.publishState();
 */
import { ConfigTransaction } from '../agent/command/config-transaction.ts';
import { NodeReporter } from '../agent/mqtt/node-reporter.ts';
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

export class DemoNodeLink {
  private connecting: Promise<void> | undefined;
  private readonly reporter: NodeReporter<NodeRuntimeConfig>;
  private readonly log: Logger;

  constructor(private readonly o: DemoNodeLinkOptions) {
    this.log = o.logger ?? silentLogger;
    const wans = o.world.wansOf(o.node);
    const wanNames = wans.map((w) => w.name);
    const transaction = new ConfigTransaction<NodeRuntimeConfig>({
      node: o.node,
      validate: (input) => {
        const v = validateRuntimeConfig(input, wanNames);
        return v.ok ? { ok: true, config: v.config.raw } : v;
      },
      initial: { version: 'default-1', config: defaultRuntimeConfig(wans) },
    });
    this.reporter = new NodeReporter<NodeRuntimeConfig>({
      url: o.url,
      site: o.site,
      node: o.node,
      password: o.password,
      scheduler: o.scheduler,
      transaction,
      toWall: o.toWall,
      logger: this.log,
      apply: async (config) => {
        const v = validateRuntimeConfig(config, wanNames);
        if (!v.ok) throw new Error(v.errors.map((e) => `${e.path}: ${e.message}`).join('; '));
        await o.world.applyConfig(o.node, v.config);
      },
      upgrade: o.world.firmware(o.node),
      report: () => o.world.report(o.node),
      present: () => o.world.isUp(o.node),
      // Each boot of the simulated node is a new run of its agent.
      bootId: () => `${o.node}@${o.world.agent(o.node)?.bootedAt ?? 0}`,
      metrics: () => o.world.metrics(o.node),
    });
  }

  get online(): boolean {
    return this.reporter.online;
  }

  /** Brings the MQTT presence in line with the simulated node: up means logged in. */
  async sync(): Promise<void> {
    const up = this.o.world.isUp(this.o.node);
    if (up && !this.reporter.attached && !this.connecting) {
      this.connecting = this.connect().finally(() => (this.connecting = undefined));
      await this.connecting;
    } else if (!up && this.reporter.attached) {
      await this.reporter.disconnect();
    }
  }

  async publishState(): Promise<void> {
    await this.reporter.publishState();
  }

  publishMetrics(): void {
    this.reporter
      .publishMetrics()
      .catch((err: Error) =>
        this.log.warn({ err: err.message, node: this.o.node }, 'metrics lost'),
      );
  }

  publishEvent(e: MeshEvent): void {
    this.reporter.publishEvent(e);
  }

  async close(): Promise<void> {
    await this.connecting?.catch(() => undefined);
    await this.reporter.disconnect();
  }

  private async connect(): Promise<void> {
    await this.reporter.connect();
    // Killed while logging in: leave at once.
    if (!this.o.world.isUp(this.o.node)) await this.reporter.disconnect();
  }
}
