/**
 * A small site of fake nodes for the dashboard's end-to-end test: two gateways and a mesh node
 * publishing states over a real broker with AgentLink, and one gateway answering configuration
 * pushes through the agent's real CommandService and ConfigTransaction.
 *
 * @example
 * const site = await FakeSite.start(broker.url, scheduler);
 * await site.publishAll();
 * await site.cutWan('gw-1');
 */
import { AgentLink } from '../../src/agent/mqtt/agent-link.ts';
import { CommandService } from '../../src/agent/command/command-service.ts';
import { ConfigTransaction } from '../../src/agent/command/config-transaction.ts';
import type { Scheduler } from '../../src/core/scheduler.ts';
import { CredentialStore } from '../../src/mqtt/credential-store.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/mqtt/embedded-broker.ts';
import type { NodeState, WanReport } from '../../src/mqtt/messages.ts';
import { RANDOM_SECRET_SCRYPT, hashPassword } from '../../src/mqtt/password-hash.ts';

export const SITE = 'lab';
export const NODE_PASSWORDS = { 'gw-1': 'p-gw1', 'gw-2': 'p-gw2', 'mesh-3': 'p-m3' } as const;
export type NodeName = keyof typeof NODE_PASSWORDS;
/** The controller's MQTT password on the site broker. */
export const CONTROLLER_PASSWORD = 'ctl';

/** An embedded broker on a free port that knows the controller and every node of the site. */
export function startSiteBroker(): Promise<EmbeddedBroker> {
  return startEmbeddedBroker({
    port: 0,
    credentials: CredentialStore.fromUsers([
      {
        username: 'controller',
        role: 'controller',
        password_hash: hashPassword(CONTROLLER_PASSWORD, RANDOM_SECRET_SCRYPT),
      },
      ...Object.entries(NODE_PASSWORDS).map(([username, pw]) => ({
        username,
        role: 'node' as const,
        password_hash: hashPassword(pw, RANDOM_SECRET_SCRYPT),
      })),
    ]),
  });
}

/** The gateway's runtime configuration, shaped like the agent's multi-WAN policy and VLANs. */
export interface GatewayConfig {
  members: { name: string; wan: string; metric: number; weight: number }[];
  vlans: { name: string; id: number }[];
  health: { down_after_failures: number; up_after_successes: number; max_loss: number };
}

export const INITIAL_CONFIG: GatewayConfig = {
  members: [
    { name: 'wan_m1', wan: 'wan', metric: 1, weight: 3 },
    { name: 'lte_m1', wan: 'lte', metric: 1, weight: 1 },
  ],
  vlans: [
    { name: 'users', id: 10 },
    { name: 'iot', id: 30 },
  ],
  health: { down_after_failures: 3, up_after_successes: 5, max_loss: 0.2 },
};

function wan(
  name: string,
  kind: WanReport['kind'],
  state: WanReport['state'],
  share: number,
): WanReport {
  const up = state === 'up';
  return {
    name,
    kind,
    state,
    active: up && share > 0,
    share,
    latency_ms: up ? (kind === 'modem' ? 48 : 12) : null,
    loss: up ? 0 : 1,
  };
}

export class FakeSite {
  readonly links = new Map<NodeName, AgentLink>();
  readonly applied: GatewayConfig[] = [];
  transaction!: ConfigTransaction<GatewayConfig>;
  private gw1WansUp = true;

  private constructor(
    private readonly url: string,
    private readonly scheduler: Scheduler,
  ) {}

  static async start(url: string, scheduler: Scheduler): Promise<FakeSite> {
    const site = new FakeSite(url, scheduler);
    for (const node of Object.keys(NODE_PASSWORDS) as NodeName[]) {
      site.links.set(
        node,
        await AgentLink.connect({
          url,
          site: SITE,
          node,
          password: NODE_PASSWORDS[node],
          clock: scheduler,
          reconnectPeriodMs: 0,
        }),
      );
    }
    site.transaction = new ConfigTransaction<GatewayConfig>({
      node: 'gw-1',
      initial: { version: 'v1', config: INITIAL_CONFIG },
      validate: (c) => {
        const cfg = c as GatewayConfig;
        const bad = cfg.members?.findIndex((m) => !(m.weight >= 1 && m.weight <= 1000)) ?? -1;
        return bad >= 0
          ? { ok: false, errors: [{ path: `members.${bad}.weight`, message: 'must be 1..1000' }] }
          : { ok: true, config: cfg };
      },
    });
    new CommandService({
      link: site.link('gw-1'),
      scheduler,
      transaction: site.transaction,
      apply: async (c) => {
        site.applied.push(c);
      },
    }).start();
    return site;
  }

  link(node: NodeName): AgentLink {
    return this.links.get(node)!;
  }

  state(node: NodeName): NodeState {
    const now = this.scheduler.now();
    const common = { at: now, uptime_s: 3600 + (Math.floor(now / 1000) % 1000), clients: 0 };
    switch (node) {
      case 'gw-1': {
        const cfg = this.transaction.current;
        const w = cfg.config.members;
        const total = w.reduce((s, m) => s + m.weight, 0);
        const up = this.gw1WansUp;
        return {
          ...common,
          node,
          role: 'gateway',
          location: { x: 0, y: 0 },
          clients: 14,
          config_version: cfg.version,
          wans: [
            wan('wan', 'ethernet', up ? 'up' : 'down', up ? w[0]!.weight / total : 0),
            wan('lte', 'modem', up ? 'up' : 'down', up ? w[1]!.weight / total : 0),
          ],
          gateway: {
            announcing: up,
            bandwidth_down_kbit: 100_000,
            bandwidth_up_kbit: 20_000,
            selected: up ? null : 'gw-2',
          },
          neighbours: [
            { node: 'gw-2', tq: 210, last_seen_ms: 400 },
            { node: 'mesh-3', tq: 235, last_seen_ms: 300 },
          ],
          vlans: cfg.config.vlans,
        };
      }
      case 'gw-2':
        return {
          ...common,
          node,
          role: 'gateway',
          location: { x: 120, y: 10 },
          clients: 6,
          wans: [wan('wan', 'ethernet', 'up', 1)],
          gateway: {
            announcing: true,
            bandwidth_down_kbit: 50_000,
            bandwidth_up_kbit: 10_000,
            selected: null,
          },
          neighbours: [
            { node: 'gw-1', tq: 205, last_seen_ms: 500 },
            { node: 'mesh-3', tq: 150, last_seen_ms: 600 },
          ],
        };
      case 'mesh-3': {
        const via = this.gw1WansUp ? 'gw-1' : 'gw-2';
        return {
          ...common,
          node,
          role: 'mesh',
          location: { x: 60, y: 80 },
          clients: 9,
          wans: [],
          gateway: {
            announcing: false,
            bandwidth_down_kbit: 0,
            bandwidth_up_kbit: 0,
            selected: via,
          },
          neighbours: [
            { node: 'gw-1', tq: 230, last_seen_ms: 300 },
            { node: 'gw-2', tq: 140, last_seen_ms: 700 },
          ],
          routes: [
            { destination: 'gw-1', next_hop: 'gw-1', tq: 230 },
            { destination: 'gw-2', next_hop: 'gw-2', tq: 140 },
          ],
        };
      }
    }
  }

  async publish(node: NodeName): Promise<void> {
    await this.link(node).publishState(this.state(node));
  }

  async publishAll(): Promise<void> {
    for (const node of this.links.keys()) await this.publish(node);
  }

  /** Both of gw-1's uplinks fail: it stops announcing and mesh-3 moves to gw-2, with reasons. */
  async cutGw1Wans(): Promise<void> {
    this.gw1WansUp = false;
    const at = this.scheduler.now();
    await this.link('gw-1').publishEvent({
      at,
      node: 'gw-1',
      kind: 'wan-state',
      subject: 'wan',
      from: 'up',
      to: 'down',
      reason: '3 consecutive probe failures (100% loss to 1.1.1.1 and 8.8.8.8)',
    });
    await this.publish('gw-1');
    await this.link('mesh-3').publishEvent({
      at,
      node: 'mesh-3',
      kind: 'gateway-selected',
      subject: 'gateway',
      from: 'gw-1',
      to: 'gw-2',
      reason: 'gw-1 withdrew its gateway announcement; gw-2 is the best remaining (TQ 140)',
    });
    await this.publish('mesh-3');
  }

  /** gw-1's uplinks come back: it announces again and mesh-3 returns to it. */
  async restoreGw1Wans(): Promise<void> {
    this.gw1WansUp = true;
    await this.publish('gw-1');
    await this.publish('mesh-3');
  }

  /** Kills gw-2 abruptly: the broker publishes its last will. */
  killGw2(): void {
    (
      this.link('gw-2') as unknown as { client: { stream: { destroy(): void } } }
    ).client.stream.destroy();
  }

  async close(): Promise<void> {
    for (const [node, link] of this.links) {
      if (node !== 'gw-2') await link.close().catch(() => undefined);
    }
  }
}
