/**
 * The controller's broker connection: a persistent QoS 1 subscription to every node of its site,
 * each message handed to the ingest, which acknowledges it once stored (so messages sent while
 * the controller was down are delivered when it returns), and the publisher of node commands.
 *
 * @example
 * const link = await ControllerLink.connect({ url, site: 'lab', password, ingest });
 * await link.sendCommand('node-3', { id: 'c1', kind: 'ping' });
 */
import mqtt, { type MqttClient } from 'mqtt';
import { IntelliMeshError } from '../core/errors.ts';
import type { Command } from '../mqtt/messages.ts';
import { nodeTopic, siteFilter } from '../mqtt/topics.ts';
import type { Ingest } from './ingest.ts';

export class ControllerConnectError extends IntelliMeshError {}

export interface ControllerLinkOptions {
  url: string;
  site: string;
  /** @default 'controller' */
  username?: string;
  password: string;
  ingest: Ingest;
  /** @default 1000 */
  reconnectPeriodMs?: number;
}

export class ControllerLink {
  private constructor(
    private readonly client: MqttClient,
    private readonly site: string,
  ) {}

  static async connect(options: ControllerLinkOptions): Promise<ControllerLink> {
    const username = options.username ?? 'controller';
    const client = mqtt.connect(options.url, {
      clientId: `${username}:ingest`,
      username,
      password: options.password,
      clean: false,
      reconnectPeriod: options.reconnectPeriodMs ?? 1_000,
      connectTimeout: 10_000,
    });
    // mqtt.js sends PUBACK when this callback runs: only after the message is committed.
    client.handleMessage = (packet, done) => {
      options.ingest.accept(packet.topic, packet.payload as Buffer, () => done());
    };
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error) => {
        client.end(true);
        reject(
          new ControllerConnectError(`controller could not join ${options.url}: ${err.message}`, {
            cause: err,
          }),
        );
      };
      client.once('error', fail);
      client.once('connect', () => {
        client.off('error', fail);
        resolve();
      });
    });
    await client.subscribeAsync(siteFilter(options.site), { qos: 1 });
    return new ControllerLink(client, options.site);
  }

  get connected(): boolean {
    return this.client.connected;
  }

  async sendCommand(node: string, command: Command): Promise<void> {
    await this.client.publishAsync(nodeTopic(this.site, node, 'command'), JSON.stringify(command), {
      qos: 1,
    });
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}
