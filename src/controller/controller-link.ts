/**
 * The controller's broker connection: a persistent QoS 1 subscription to every node of its site
 * whose messages are stored a batch at a time, each batch committed before its PUBACKs leave
 * (so nothing the broker deems delivered is lost in a crash, and messages sent while the
 * controller was down are delivered when it returns), and the publisher of node commands.
 *
 * @example
 * const link = await ControllerLink.connect({ url, site: 'lab', password, ingest, scheduler });
 * await link.sendCommand('node-3', { id: 'c1', kind: 'ping' });
 */
import { IntelliMeshError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Scheduler } from '../core/scheduler.ts';
import { BatchingSession, type BatchingSessionStats } from '../mqtt/batching-session.ts';
import type { Command } from '../mqtt/messages.ts';
import { radioSiteFilter } from '../mqtt/radio-topics.ts';
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
  /** Takes the radio gateways' messages (intelli-mesh/<site>/radio/#) when set. */
  radio?: {
    acceptBatch(batch: readonly { topic: string; payload: Uint8Array }[]): Promise<void>;
  };
  scheduler: Scheduler;
  /**
   * Several controllers (cluster/): keeps the messages this process writes and holds the rest
   * for a hand-off. Held messages are acknowledged: every controller's session receives them.
   */
  route?: <T extends { topic: string; payload: Uint8Array }>(batch: readonly T[]) => T[];
  /** First reconnection delay, doubled after each failure. @default 1000 */
  reconnectPeriodMs?: number;
  /** @default 30 */
  keepaliveS?: number;
  logger?: Logger;
}

export class ControllerLink {
  private constructor(
    private readonly session: BatchingSession,
    private readonly site: string,
  ) {}

  static async connect(options: ControllerLinkOptions): Promise<ControllerLink> {
    const username = options.username ?? 'controller';
    try {
      const session = await BatchingSession.connect({
        url: options.url,
        clientId: `${username}:ingest`,
        username,
        password: options.password,
        scheduler: options.scheduler,
        subscriptions: [
          { topic: siteFilter(options.site), qos: 1 },
          ...(options.radio ? [{ topic: radioSiteFilter(options.site), qos: 1 as const }] : []),
        ],
        onBatch: async (received) => {
          const batch = options.route ? options.route(received) : received;
          if (batch.length === 0) return;
          const radio = options.radio;
          if (!radio) return options.ingest.acceptBatch(batch);
          // Both are committed before the batch's acknowledgements leave.
          const radioPart = batch.filter((m) => m.topic.split('/', 3)[2] === 'radio');
          if (radioPart.length > 0) await radio.acceptBatch(radioPart);
          if (radioPart.length < batch.length)
            await options.ingest.acceptBatch(batch.filter((m) => !radioPart.includes(m)));
        },
        reconnectPeriodMs: options.reconnectPeriodMs,
        keepaliveS: options.keepaliveS,
        logger: options.logger,
      });
      return new ControllerLink(session, options.site);
    } catch (err) {
      throw new ControllerConnectError(
        `controller could not join ${options.url}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }

  get connected(): boolean {
    return this.session.connected;
  }

  /** Connections, batches, largest batch and bad packets, for /metrics and benches. */
  get stats(): Readonly<BatchingSessionStats> {
    return this.session.stats;
  }

  async sendCommand(node: string, command: Command): Promise<void> {
    await this.session.publish(nodeTopic(this.site, node, 'command'), JSON.stringify(command), {
      qos: 1,
    });
  }

  /** Publishes a command to a radio gateway (QoS 1; resolves on the broker's PUBACK). */
  async publish(topic: string, payload: string): Promise<void> {
    await this.session.publish(topic, payload, { qos: 1 });
  }

  async close(): Promise<void> {
    await this.session.close();
  }
}
