/**
 * The radio gateway's MQTT connection (mqtt.js): logs in with the gateway's own credentials,
 * leaves a retained "offline" last will on its status topic, subscribes to its command topic and
 * publishes for the gateway. A thin adapter: what to publish is RadioGateway's business.
 *
 * @example
 * const link = await GatewayMqttLink.connect({ url, site: 'lab', network: 'field', gateway: 'gw-1', password, clock });
 * link.onCommand((payload) => gateway.command(payload));
 */
import mqtt, { type MqttClient } from 'mqtt';
import { describeConnectFailure, firstConnect } from '../agent/mqtt/connect-failure.ts';
import type { AgentLinkTls } from '../agent/mqtt/agent-link.ts';
import type { Clock } from '../core/clock.ts';
import { IntelliMeshError } from '../core/errors.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import type { RadioGatewayStatus } from '../mqtt/radio-messages.ts';
import { radioTopic } from '../mqtt/radio-topics.ts';
import type { GatewayPublisher } from './radio-gateway.ts';

export class GatewayConnectError extends IntelliMeshError {}

export interface GatewayMqttLinkOptions {
  url: string;
  site: string;
  network: string;
  /** The gateway id, also its MQTT username (client id `<gateway>:radio`). */
  gateway: string;
  password: string;
  tls?: AgentLinkTls | undefined;
  clock: Clock;
  /** The gateway's meshlink address, in its status. */
  address?: number;
  /** @default 2000 */
  reconnectPeriodMs?: number;
  logger?: Logger;
}

export class GatewayMqttLink implements GatewayPublisher {
  private readonly listeners = new Set<(payload: Buffer) => void>();
  private readonly reconnectListeners = new Set<() => void>();

  private constructor(
    private readonly client: MqttClient,
    private readonly commandTopic: string,
  ) {
    client.on('message', (topic, payload) => {
      if (topic !== commandTopic) return;
      for (const l of this.listeners) l(payload);
    });
    client.on('connect', () => {
      // A new session (clean) has no subscription: ask again after each reconnection.
      void client
        .subscribeAsync(commandTopic, { qos: 1 })
        .catch(() => undefined)
        .then(() => {
          for (const l of this.reconnectListeners) l();
        });
    });
  }

  static async connect(options: GatewayMqttLinkOptions): Promise<GatewayMqttLink> {
    const { site, network, gateway, clock, tls } = options;
    const log = options.logger ?? silentLogger;
    const offline: RadioGatewayStatus = {
      gateway,
      network,
      online: false,
      at: clock.now(),
      ...(options.address !== undefined ? { address: options.address } : {}),
    };
    const client = mqtt.connect(options.url, {
      clientId: `${gateway}:radio`,
      username: gateway,
      password: options.password,
      ...(tls
        ? {
            ca: tls.ca,
            cert: tls.cert,
            key: tls.key,
            rejectUnauthorized: tls.rejectUnauthorized ?? true,
          }
        : {}),
      // Commands are answered within seconds or not at all: none should wait for a gateway
      // that was away (the controller has long answered 504).
      clean: true,
      keepalive: 10,
      reconnectPeriod: options.reconnectPeriodMs ?? 2_000,
      connectTimeout: 10_000,
      queueQoSZero: false,
      writeCache: false,
      will: {
        topic: radioTopic(site, network, gateway, 'status'),
        payload: Buffer.from(JSON.stringify(offline)),
        qos: 1,
        retain: true,
      },
    });
    const commandTopic = radioTopic(site, network, gateway, 'command');
    await firstConnect(
      client,
      options.url,
      (why, cause) =>
        new GatewayConnectError(`radio gateway ${gateway} could not join ${options.url}: ${why}`, {
          cause,
        }),
    );
    client.on('error', (err) =>
      log.warn({ url: options.url, err: describeConnectFailure(err) }, 'mqtt error'),
    );
    const link = new GatewayMqttLink(client, commandTopic);
    const granted = await client.subscribeAsync(commandTopic, { qos: 1 });
    if (granted.some((g) => g.qos === 128)) {
      await client.endAsync();
      throw new GatewayConnectError(
        `the broker refused ${gateway} its command topic ${commandTopic}: is the user a radio-gateway of network '${network}' in site '${site}'?`,
      );
    }
    return link;
  }

  get connected(): boolean {
    return this.client.connected;
  }

  onCommand(listener: (payload: Buffer) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Runs after each reconnection: the broker published the "offline" last will meanwhile, so
   * the gateway must say it is back (RadioGateway.announce).
   */
  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  async publish(
    topic: string,
    payload: string,
    options: { retain: boolean; qos: 0 | 1 },
  ): Promise<void> {
    if (options.qos === 0 && !this.client.connected) return;
    await this.client.publishAsync(topic, payload, options);
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}
