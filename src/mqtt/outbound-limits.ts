/**
 * Per-client limits on what the embedded broker holds for a subscriber, as Mosquitto's
 * `max_inflight_messages`, `max_queued_messages` and `max_queued_bytes`. Stock Aedes writes every
 * message to a subscriber's socket and waits for it to drain: a subscriber that stops reading
 * holds up to `concurrency` (100) deliveries and then stalls the broker's routing for everyone
 * (the controller's ingest too) until its 60 s drain timeout; a persistent session's queue, while
 * it is away or never acknowledges, grows without bound.
 *
 * Here each authenticated client but the exempt (the controller's login: its ingest session
 * must never lose a message, and its queue is what the durable inbox relies on) gets an
 * `OutboundWindow`:
 * a delivery is handed back to Aedes' router at once, written when the window has room, queued
 * behind it up to the limits, and dropped beyond them. An absent persistent session's queue is
 * capped in the persistence (`indexed-memory-persistence.ts`) at the same total. Drops are
 * counted (`stats.dropped`, the metric `intelli_mesh_mqtt_broker_dropped_messages_total`) and
 * logged once per client connection, with the total when it leaves.
 *
 * @example
 * const outbound = attachOutboundLimits(aedes, { limits, isExempt, logger });
 * // in authenticate, once the login is accepted and before Aedes restores its subscriptions:
 * outbound.admit(client);
 */
import type { Aedes, Client } from 'aedes';
import { silentLogger, type Logger } from '../core/logger.ts';
import type { OfflineQueueCap } from './indexed-memory-persistence.ts';
import { OutboundWindow, type OutboundLimits } from './outbound-window.ts';

/** What Aedes hands a client's deliver functions (aedes-packet's Packet). */
interface Delivery {
  topic: string;
  payload: Buffer | string;
  qos: number;
  brokerId?: string | null;
  brokerCounter?: number;
  clientId?: string;
  nl?: boolean;
}
type Deliver = (packet: Delivery, cb: (err?: unknown) => void) => void;
interface Deliverable {
  deliver0: Deliver;
  deliverQoS: Deliver;
  subscriptions: Record<string, { qos: number } | undefined>;
}
interface Pending {
  packet: Delivery;
  viaQoS: boolean;
}

export interface OutboundLimitsOptions {
  limits: OutboundLimits;
  /** Whether this client (authenticated) is exempt from the limits. */
  isExempt: (client: Client) => boolean;
  /** Removes a dropped message from a persistent session's stored queue. */
  discard?: ((clientId: string, packet: Delivery) => void) | undefined;
  /** Called with the number of messages dropped, as they are. */
  onDropped?: ((count: number) => void) | undefined;
  logger?: Logger | undefined;
}

export interface OutboundStats {
  /** Messages dropped for a client because its queue was full, since the broker started. */
  dropped: number;
}

export interface OutboundGuard {
  readonly stats: OutboundStats;
  /** Puts a client that just logged in under the limits (unless exempt). */
  admit(client: Client): void;
  /** The cap of a persistent session's queue while it is away, for the persistence. */
  readonly offline: OfflineQueueCap;
}

export function attachOutboundLimits(aedes: Aedes, options: OutboundLimitsOptions): OutboundGuard {
  const log = options.logger ?? silentLogger;
  const { limits } = options;
  const stats: OutboundStats = { dropped: 0 };
  const windows = new Map<Client, { window: OutboundWindow<Pending>; pump: () => void }>();
  /** The connected, limited client of each client id (the persistence knows only the id). */
  const byId = new Map<string, Client>();
  const exemptIds = new Set<string>();
  const warned = new WeakSet<Client>();
  const warnedAway = new Set<string>();

  const dropped = (clientId: string, client: Client | undefined, n: number, queued: number) => {
    stats.dropped += n;
    options.onDropped?.(n);
    if (client ? warned.has(client) : warnedAway.has(clientId)) return;
    if (client) warned.add(client);
    else warnedAway.add(clientId);
    log.warn(
      {
        client: clientId,
        queued,
        max_inflight: limits.maxInflight,
        max_queued: limits.maxQueued,
        max_queued_bytes: limits.maxQueuedBytes,
      },
      client
        ? 'mqtt client too slow: its queue is full, messages for it are dropped (logged once per connection)'
        : 'mqtt session away too long: its queue is full, messages for it are dropped',
    );
  };

  const admit = (client: Client) => {
    if (options.isExempt(client)) {
      exemptIds.add(client.id);
      return;
    }
    const c = client as unknown as Deliverable;
    const deliver0 = c.deliver0;
    const deliverQoS = c.deliverQoS;
    const window = new OutboundWindow<Pending>(limits);
    byId.set(client.id, client);
    warnedAway.delete(client.id);
    /** Aedes' own dedupe (per broker id, the highest counter seen), applied on arrival. */
    const seen = new Map<string, number>();

    const send = ({ packet, viaQoS }: Pending) => {
      // Goes out at QoS 1/2 only through deliverQoS, and not when an exact subscription
      // downgrades it to 0 (Aedes' rule); only then does an acknowledgement come back.
      const sub = c.subscriptions[packet.topic];
      const awaitsAck = viaQoS && packet.qos > 0 && !(sub && sub.qos === 0);
      const deliver = viaQoS && packet.qos > 0 ? deliverQoS : deliver0;
      deliver(packet, () => {
        window.written(awaitsAck);
        pump();
      });
    };
    const pump = () => {
      if (client.closed) return;
      for (const next of window.pump()) send(next);
    };
    const offer = (packet: Delivery, viaQoS: boolean, cb: (err?: unknown) => void) => {
      const original = viaQoS ? deliverQoS : deliver0;
      const duplicate =
        packet.brokerId &&
        packet.brokerCounter !== undefined &&
        (seen.get(packet.brokerId) ?? 0) >= packet.brokerCounter;
      // What Aedes would not send anyway (a copy through a second matching subscription, MQTT 5
      // no-local) passes through untouched: it costs nothing and is never acknowledged.
      if (duplicate || (packet.nl && packet.clientId === client.id)) {
        original(packet, cb);
        return;
      }
      if (packet.brokerId && packet.brokerCounter !== undefined) {
        seen.set(packet.brokerId, packet.brokerCounter);
      }
      // The router goes on at once: this client's pace is its own window's business.
      setImmediate(cb);
      const bytes = Buffer.byteLength(packet.payload) + Buffer.byteLength(packet.topic);
      const outcome = window.offer({ packet, viaQoS }, bytes);
      if (outcome === 'send') send({ packet, viaQoS });
      else if (outcome === 'dropped') {
        if (!client.clean) options.discard?.(client.id, packet);
        dropped(client.id, client, 1, window.queued);
      }
    };
    windows.set(client, { window, pump });
    c.deliver0 = (packet, cb) => offer(packet, false, cb);
    c.deliverQoS = (packet, cb) => offer(packet, true, cb);
  };

  aedes.on('ack', (_packet, client) => {
    const limited = client ? windows.get(client) : undefined;
    if (!limited) return;
    limited.window.acked();
    limited.pump();
  });
  const leave = (client: Client) => {
    const window = windows.get(client)?.window;
    if (!window) return;
    windows.delete(client);
    if (byId.get(client.id) === client) byId.delete(client.id);
    window.clear();
    if (window.dropped > 0) {
      log.warn(
        { client: client.id, dropped: window.dropped },
        'mqtt client left; messages dropped for it while it was too slow',
      );
    }
  };
  aedes.on('clientDisconnect', leave);
  aedes.on('clientError', (client) => leave(client));

  return {
    stats,
    admit,
    offline: {
      capFor: (clientId) =>
        exemptIds.has(clientId) || byId.has(clientId)
          ? undefined
          : { maxMessages: limits.maxInflight + limits.maxQueued, maxBytes: limits.maxQueuedBytes },
      dropped: (clientId, queued) => dropped(clientId, undefined, 1, queued),
    },
  };
}
