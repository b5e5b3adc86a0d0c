/**
 * A node's MQTT connection: announces itself online (and leaves a last will that says offline),
 * publishes its retained state, periodic metrics and events under its own prefix, and hands the
 * controller's commands to the agent after validating them. Commands queued while the node was
 * away are delivered on reconnect (persistent session, QoS 1).
 *
 * @example
 * const link = await AgentLink.connect({ url, site: 'lab', node: 'node-3', password, clock });
 * link.onCommand((cmd) => console.log(cmd.kind));
 * link.publishEvent({ at: clock.now(), node: 'node-3', kind: 'wan-state', ... });
 */
import { EventEmitter } from 'node:events';
import mqtt, { type MqttClient } from 'mqtt';
import type { Clock } from '../../core/clock.ts';
import { IntelliMeshError } from '../../core/errors.ts';
import type { MeshEvent } from '../../core/events.ts';
import { silentLogger, type Logger } from '../../core/logger.ts';
import {
  decodeMessage,
  type Command,
  type CommandResult,
  type NodeMetrics,
  type NodeState,
  type NodeStatus,
} from '../../mqtt/messages.ts';
import { brokerUrls, mqttJsServers } from '../../mqtt/broker-urls.ts';
import { nodeTopic } from '../../mqtt/topics.ts';
import { describeConnectFailure, firstConnect } from './connect-failure.ts';

export class BrokerConnectError extends IntelliMeshError {}

/** Commands kept for a listener still to come (the oldest go first beyond it). */
const UNHEARD_KEPT = 100;

/** TLS material for mqtts:// and wss:// (PEM contents, not file names). */
export interface AgentLinkTls {
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  /** @default true */
  rejectUnauthorized?: boolean | undefined;
}

export interface AgentLinkOptions {
  /** The broker, or a clustered broker's addresses separated by commas (tried in turn). */
  url: string;
  site: string;
  node: string;
  /** The broker user; its client id is `<username>:agent`. @default node */
  username?: string | undefined;
  password: string;
  tls?: AgentLinkTls | undefined;
  /** Wall or virtual clock for message timestamps. */
  clock: Clock;
  /** @default 2000 */
  reconnectPeriodMs?: number | undefined;
  /** @default 10 */
  keepaliveS?: number;
  /** Names this boot of the node in its online announcement (the controller sees reboots). */
  bootId?: string | undefined;
  logger?: Logger;
}

interface LinkEvents {
  command: [Command];
  online: [];
  offline: [];
}

export class AgentLink extends EventEmitter<LinkEvents> {
  /**
   * Commands that arrived before anyone listened: a persistent session hands over what was
   * queued while the node was away right after CONNACK, before `connect` has even resolved, and
   * the broker deems them delivered once acknowledged. The first listener gets them.
   */
  private unheard: Command[] = [];

  private constructor(
    private readonly client: MqttClient,
    private readonly options: AgentLinkOptions,
    private readonly log: Logger,
  ) {
    super();
  }

  /** Connects and resolves once the broker accepted the node, or rejects with its refusal. */
  static async connect(options: AgentLinkOptions): Promise<AgentLink> {
    const { site, node, clock } = options;
    const log = options.logger ?? silentLogger;
    const statusTopic = nodeTopic(site, node, 'status');
    const offline: NodeStatus = { node, online: false, at: clock.now() };
    const username = options.username ?? node;
    const tls = options.tls;
    const urls = brokerUrls(options.url);
    const client = mqtt.connect(urls[0]!, {
      // A cluster's other addresses: mqtt.js moves to the next one at every reconnection.
      ...(urls.length > 1 ? { servers: mqttJsServers(urls) } : {}),
      // The broker ties a node's client id to its username, so a session cannot be taken over.
      clientId: `${username}:agent`,
      username,
      password: options.password,
      ...(tls
        ? {
            ca: tls.ca,
            cert: tls.cert,
            key: tls.key,
            rejectUnauthorized: tls.rejectUnauthorized ?? true,
          }
        : {}),
      clean: false,
      keepalive: options.keepaliveS ?? 10,
      reconnectPeriod: options.reconnectPeriodMs ?? 2_000,
      connectTimeout: 10_000,
      queueQoSZero: false,
      // mqtt-packet otherwise pre-builds a buffer for each of the 65,536 message ids at the first
      // write: 6 MB of heap a node agent never needs (it has a handful of messages in flight).
      writeCache: false,
      will: {
        topic: statusTopic,
        payload: Buffer.from(JSON.stringify(offline)),
        qos: 1,
        retain: true,
      },
    });
    const link = new AgentLink(client, options, log);
    // Before the CONNACK: a resumed session's queued commands may follow it in the same read.
    link.listenForCommands();
    await firstConnect(
      client,
      options.url,
      (why, cause) =>
        new BrokerConnectError(`${node} could not join ${options.url}: ${why}`, { cause }),
      urls.length,
    );
    link.wire();
    await link.announce();
    return link;
  }

  get connected(): boolean {
    return this.client.connected;
  }

  onCommand(listener: (command: Command) => void): () => void {
    this.on('command', listener);
    for (const command of this.unheard.splice(0)) listener(command);
    return () => this.off('command', listener);
  }

  async publishState(state: NodeState): Promise<void> {
    await this.publish('state', state, { qos: 1, retain: true });
  }

  /** Metrics are fire-and-forget: stale ones are worthless, so none queue while offline. */
  publishMetrics(metrics: NodeMetrics): void {
    if (!this.client.connected) return;
    this.client.publish(this.topic('metrics'), JSON.stringify(metrics), { qos: 0 });
  }

  /** The configuration the node runs, retained so the controller always knows it. */
  async publishConfig(version: string, config: object): Promise<void> {
    const report = { node: this.options.node, at: this.options.clock.now(), version, config };
    await this.publish('config', report, { qos: 1, retain: true });
  }

  async publishEvent(event: MeshEvent): Promise<void> {
    await this.publish('events', event, { qos: 1 });
  }

  async publishResult(result: CommandResult): Promise<void> {
    await this.publish('command/result', result, { qos: 1 });
  }

  /** Says offline on purpose (no will needed) and disconnects. */
  async close(): Promise<void> {
    if (this.client.connected) {
      const status: NodeStatus = {
        node: this.options.node,
        online: false,
        at: this.options.clock.now(),
      };
      await this.publish('status', status, { qos: 1, retain: true }).catch(() => undefined);
    }
    await this.client.endAsync();
  }

  private listenForCommands(): void {
    const commandTopic = this.topic('command');
    this.client.on('message', (topic, payload) => {
      if (topic !== commandTopic) return;
      const decoded = decodeMessage('command', payload);
      if (!decoded.ok) {
        this.log.warn({ topic, error: decoded.error }, 'command rejected');
        void this.rejectMalformed(payload, decoded.error);
        return;
      }
      if (this.listenerCount('command') > 0) this.emit('command', decoded.value);
      else if (this.unheard.push(decoded.value) > UNHEARD_KEPT) this.unheard.shift();
    });
  }

  private wire(): void {
    this.client.on('offline', () => this.emit('offline'));
    this.client.on('close', () => {
      if (!this.client.connected) this.emit('offline');
    });
    this.client.on('connect', () => {
      void this.announce().then(() => this.emit('online'));
    });
    this.client.on('error', (err) =>
      this.log.warn({ url: this.options.url, err: describeConnectFailure(err) }, 'mqtt error'),
    );
  }

  private async announce(): Promise<void> {
    const status: NodeStatus = {
      node: this.options.node,
      online: true,
      at: this.options.clock.now(),
      ...(this.options.bootId !== undefined ? { boot_id: this.options.bootId } : {}),
    };
    await this.client.subscribeAsync(this.topic('command'), { qos: 1 });
    await this.publish('status', status, { qos: 1, retain: true });
  }

  /** Answers a command that failed validation, when it carries an id to answer to. */
  private async rejectMalformed(payload: Buffer, error: string): Promise<void> {
    let id: unknown;
    try {
      id = (JSON.parse(payload.toString('utf8')) as { id?: unknown } | null)?.id;
    } catch {
      id = undefined;
    }
    const at = this.options.clock.now();
    if (typeof id === 'string' && id.length > 0 && id.length <= 64) {
      await this.publishResult({
        id,
        node: this.options.node,
        at,
        status: 'rejected',
        version: null,
        reason: `malformed command: ${error}`,
      });
    } else {
      await this.publishEvent({
        at,
        node: this.options.node,
        kind: 'command-rejected',
        subject: 'command',
        from: null,
        to: null,
        reason: `malformed command without an id: ${error}`,
      });
    }
  }

  private topic(channel: Parameters<typeof nodeTopic>[2]): string {
    return nodeTopic(this.options.site, this.options.node, channel);
  }

  private async publish(
    channel: Parameters<typeof nodeTopic>[2],
    message: object,
    opts: { qos: 0 | 1; retain?: boolean },
  ): Promise<void> {
    await this.client.publishAsync(this.topic(channel), JSON.stringify(message), opts);
  }
}
