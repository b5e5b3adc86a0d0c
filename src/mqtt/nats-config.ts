/**
 * Renders the configuration of one NATS server (2.9, Debian's `nats-server`) of a cluster that
 * speaks MQTT for Intelli-Mesh, enforcing the rules of the embedded broker and of the Mosquitto
 * ACL we render (`mosquitto-config.ts`): no anonymous clients, and each node may publish only its
 * own channels in its own site and read only its own commands. NATS keeps MQTT sessions, QoS 1
 * messages and retained messages in JetStream streams replicated across the cluster, so every
 * server sees the same retained state and a persistent session resumes on any server.
 *
 * MQTT topics are NATS subjects with `/` turned into `.` (a `.` inside a level becomes `//`, `+`
 * becomes `*`, `#` becomes `>`): permissions are written on subjects.
 *
 * @example
 * const conf = renderNatsConfig({
 *   serverName: 'n1', mqttPort: 1883, clusterPort: 6222, clientPort: 4222,
 *   routes: ['10.0.0.2:6222'], storeDir: '/var/lib/nats', users, site: 'lab',
 * });
 * // one file for `nats-server -c`; render the other servers' with their own names and routes
 */
import { IntelliMeshError } from '../core/errors.ts';
import { DEFAULT_BROKER_LIMITS } from './broker-limits.ts';
import type { Role } from './principal.ts';
import { RADIO_GATEWAY_PUBLISHED } from './radio-topics.ts';
import { NODE_PUBLISHED_CHANNELS, TOPIC_ROOT, isTopicName } from './topics.ts';

/** A name, port or route that would make a configuration NATS refuses or misreads. */
export class NatsConfigError extends IntelliMeshError {}

export interface NatsUser {
  username: string;
  /** Written as is: NATS 2.9 takes plain text or bcrypt, and we have no bcrypt (file is 0600). */
  password: string;
  role: Role;
  /** A node's site; unset means the config's `site`, or any site when that is unset too. */
  site?: string | undefined;
  /** A radio gateway's meshlink network (role `radio-gateway` only). */
  network?: string | undefined;
}

export interface NatsConfigOptions {
  /** This server's name: unique in the cluster, JetStream's Raft groups know it by it. */
  serverName: string;
  /** @default 'intelli-mesh' */
  clusterName?: string | undefined;
  /** Address every listener binds. @default '127.0.0.1' */
  host?: string | undefined;
  /** The MQTT listener, the one agents and the controller use. */
  mqttPort: number;
  /** NATS's own client port: it cannot be switched off; our users may not use it (MQTT only). */
  clientPort: number;
  /** Where the other servers connect for routes (clustering). */
  clusterPort: number;
  /** The other servers' cluster addresses, `host:port`. Empty for a single server. */
  routes: readonly string[];
  /** JetStream's directory: sessions, QoS 1 messages and retained messages. */
  storeDir: string;
  users: readonly NatsUser[];
  /** The site of nodes that name none (as `intelli-mesh controller --site`). */
  site?: string | undefined;
  /**
   * Copies of each MQTT stream. NATS picks min(cluster size, 3) when unset, but 2.9.10 counts
   * the servers it knows when the first client connects, which can be itself alone (seen with
   * two servers: replicas 1): so render it, one per server up to 3. @default min(routes + 1, 3)
   */
  streamReplicas?: number | undefined;
  /**
   * QoS 1 messages sent to one subscription and not yet acknowledged (the controller's batches
   * need many in flight, as Mosquitto's `max_inflight_messages`). @default 1000
   */
  maxAckPending?: number | undefined;
  /**
   * How long a QoS 1 message sent to a subscriber may stay unacknowledged before NATS sends it
   * again. One that went out while its session was moving between servers waits this long.
   * @default 30000 (NATS's own)
   */
  ackWaitMs?: number | undefined;
  /** Largest message payload. @default DEFAULT_BROKER_LIMITS.maxPacketBytes */
  maxPayloadBytes?: number | undefined;
  /** JetStream's disk budget. @default 1073741824 */
  maxFileStoreBytes?: number | undefined;
}

/** The account every MQTT user lives in: sessions are per account, so they must share one. */
export const NATS_MQTT_ACCOUNT = 'INTELLI_MESH';

/**
 * Deliveries of QoS 1 subscriptions go through an internal subject `$MQTT.sub.<random id>`
 * the client must be allowed to subscribe to (NATS 2.9 logs "Subscription Violation" and the
 * SUBACK says 0x80 otherwise). MQTT clients cannot name it (NATS ignores such SUBSCRIBEs), and
 * our users may connect over MQTT only, so this opens nothing else.
 */
const MQTT_DELIVERY_SUBJECTS = '$MQTT.sub.>';

/** An MQTT topic (or filter) as NATS 2.9 turns it into a subject. */
export function mqttTopicToNatsSubject(topic: string): string {
  return topic
    .split('/')
    .map((level) => {
      if (level === '+') return '*';
      if (level === '#') return '>';
      return level.replaceAll('.', '//');
    })
    .join('.');
}

export interface NatsPermissions {
  publish: { allow: string[] } | { deny: string[] };
  subscribe: { allow: string[] };
}

/** What one user may publish and subscribe to, as subjects: the rules of `acl.ts`. */
export function natsPermissions(user: NatsUser, defaultSite?: string): NatsPermissions {
  const subject = (topic: string) => mqttTopicToNatsSubject(topic);
  const subscribeOnly = (topics: string[]) => ({
    allow: [...topics.map(subject), MQTT_DELIVERY_SUBJECTS],
  });
  switch (user.role) {
    case 'controller':
      return {
        publish: { allow: [subject(`${TOPIC_ROOT}/#`)] },
        subscribe: subscribeOnly([`${TOPIC_ROOT}/#`]),
      };
    case 'viewer':
      return { publish: { deny: ['>'] }, subscribe: subscribeOnly([`${TOPIC_ROOT}/#`]) };
    case 'node': {
      const prefix = `${TOPIC_ROOT}/${user.site ?? defaultSite ?? '+'}/node/${user.username}`;
      return {
        publish: { allow: NODE_PUBLISHED_CHANNELS.map((c) => subject(`${prefix}/${c}`)) },
        subscribe: subscribeOnly([`${prefix}/command`]),
      };
    }
    case 'radio-gateway': {
      // Without a network it may publish nothing and read nothing of its own.
      if (user.network === undefined)
        return { publish: { deny: ['>'] }, subscribe: { allow: [MQTT_DELIVERY_SUBJECTS] } };
      const site = user.site ?? defaultSite ?? '+';
      const prefix = `${TOPIC_ROOT}/${site}/radio/${user.network}/${user.username}`;
      return {
        publish: {
          allow: RADIO_GATEWAY_PUBLISHED.map((c) =>
            subject(`${prefix}/${c === 'node' ? 'node/+' : c}`),
          ),
        },
        subscribe: subscribeOnly([`${prefix}/command`]),
      };
    }
  }
}

function checkPort(name: string, port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    throw new NatsConfigError(`${name} ${port}: expected a port number from 1 to 65535`);
}

function checkOptions(options: NatsConfigOptions): void {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(options.serverName))
    throw new NatsConfigError(
      `server name '${options.serverName}': expected 1-64 letters, digits, '_' or '-'`,
    );
  checkPort('MQTT port', options.mqttPort);
  checkPort('client port', options.clientPort);
  checkPort('cluster port', options.clusterPort);
  for (const route of options.routes) {
    const m = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):(\d+)$/.exec(route);
    if (!m) throw new NatsConfigError(`route '${route}': expected host:port`);
    checkPort(`route '${route}' port`, Number(m[2]));
  }
  const seen = new Set<string>();
  for (const user of options.users) {
    if (!isTopicName(user.username))
      throw new NatsConfigError(
        `user '${user.username}': must be 1-64 letters, digits, '_', '.' or '-'`,
      );
    if (seen.has(user.username))
      throw new NatsConfigError(`user '${user.username}' is listed twice`);
    seen.add(user.username);
    if (user.password.length === 0)
      throw new NatsConfigError(`user '${user.username}' has an empty password`);
    for (const [what, name] of [
      ['site', user.site],
      ['network', user.network],
    ] as const)
      if (name !== undefined && !isTopicName(name))
        throw new NatsConfigError(`user '${user.username}': ${what} '${name}' is not a topic name`);
  }
  if (options.site !== undefined && !isTopicName(options.site))
    throw new NatsConfigError(`site '${options.site}' is not a topic name`);
}

/** NATS's configuration format reads JSON values, so JSON.stringify quotes every string. */
const q = (value: unknown) => JSON.stringify(value);

export function renderNatsConfig(options: NatsConfigOptions): string {
  checkOptions(options);
  const host = options.host ?? '127.0.0.1';
  const replicas = options.streamReplicas ?? Math.min(options.routes.length + 1, 3);
  const users = options.users.map((user) => ({
    user: user.username,
    password: user.password,
    permissions: natsPermissions(user, options.site),
    // Not the NATS protocol (whose subjects outside MQTT's we do not confine), nor WebSocket.
    allowed_connection_types: ['MQTT'],
  }));
  const lines = [
    '# Rendered by intelli-mesh: MQTT over JetStream, credentials required, per-node rights.',
    `server_name: ${q(options.serverName)}`,
    `listen: ${q(`${host}:${options.clientPort}`)}`,
    `max_payload: ${options.maxPayloadBytes ?? DEFAULT_BROKER_LIMITS.maxPacketBytes}`,
    'jetstream {',
    `  store_dir: ${q(options.storeDir)}`,
    `  max_file_store: ${options.maxFileStoreBytes ?? 1_073_741_824}`,
    '}',
    'cluster {',
    `  name: ${q(options.clusterName ?? 'intelli-mesh')}`,
    `  listen: ${q(`${host}:${options.clusterPort}`)}`,
    `  routes: ${q(options.routes.map((r) => `nats-route://${r}`))}`,
    '}',
    'mqtt {',
    `  listen: ${q(`${host}:${options.mqttPort}`)}`,
    `  stream_replicas: ${replicas}`,
    `  max_ack_pending: ${options.maxAckPending ?? 1000}`,
    `  ack_wait: ${q(`${Math.max(1, Math.round((options.ackWaitMs ?? 30_000) / 1000))}s`)}`,
    '}',
    'accounts {',
    `  ${NATS_MQTT_ACCOUNT}: {`,
    '    jetstream: enabled',
    '    users: [',
    ...users.map((u) => `      ${q(u)}`),
    '    ]',
    '  }',
    '}',
  ];
  return lines.join('\n') + '\n';
}
