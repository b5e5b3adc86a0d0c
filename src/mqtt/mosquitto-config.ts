/**
 * Renders a Mosquitto 2.x configuration that enforces the same rules as the embedded broker:
 * no anonymous clients, a password file, and an ACL where each node may write only under its own
 * prefix in its own site and read only its own commands. Client ids are forced to the username, so one node
 * cannot take over another's session.
 *
 * @example
 * const files = renderMosquittoConfig({ port: 1883, dataDir: '/var/lib/mosquitto', users });
 * // files['mosquitto.conf'], files['passwd'], files['acl']
 */
import { join } from 'node:path';
import { DEFAULT_BROKER_LIMITS } from './broker-limits.ts';
import { mosquittoPasswordHash } from './password-hash.ts';
import type { Role } from './principal.ts';
import { RADIO_GATEWAY_PUBLISHED } from './radio-topics.ts';
import { NODE_PUBLISHED_CHANNELS, TOPIC_ROOT } from './topics.ts';

export interface MosquittoUser {
  username: string;
  password: string;
  role: Role;
  /** A node's site; unset means the config's `site`, or any site when that is unset too. */
  site?: string | undefined;
  /** A radio gateway's meshlink network (role `radio-gateway` only). */
  network?: string | undefined;
}

export interface MosquittoConfigOptions {
  /** Directory the three files are written to; the config names the others by absolute path. */
  configDir: string;
  /** Where Mosquitto keeps its persistence database (QoS 1 sessions across restarts). */
  dataDir: string;
  /** @default '127.0.0.1' */
  host?: string;
  port: number;
  /** Adds a WebSocket listener (for browsers) when set. */
  wsPort?: number;
  users: MosquittoUser[];
  /** The site of nodes that name none (as `intelli-mesh controller --site` for the embedded one). */
  site?: string | undefined;
  /**
   * Largest packet, CONNECT included (Mosquitto has no separate bound before authentication).
   * @default DEFAULT_BROKER_LIMITS.maxPacketBytes, as the embedded broker
   */
  maxPacketBytes?: number | undefined;
  /**
   * `max_queued_messages`, named as the embedded broker's limit so one `BrokerLimitsOptions`
   * renders into both. Mosquitto has one value for every client, the controller's session
   * included, which must queue everything while the controller restarts: so the default is
   * sized for it, not the embedded broker's per-client 1000. @default 200000
   */
  maxQueuedMessages?: number | undefined;
  /** `max_queued_bytes`. @default 268435456 */
  maxQueuedBytes?: number | undefined;
  /** `max_inflight_messages`, the controller's included. @default 1000 */
  maxInflightMessages?: number | undefined;
  /** Debian's Mosquitto drops root to user `mosquitto`; tests that run it from a temp dir keep root. */
  runAsUser?: string;
  /**
   * PBKDF2 iterations of each `passwd` line. Lower only for throw-away logins (the scale bench's
   * 10,000 nodes: at the default, rendering takes about 0.3 s of CPU per user and Mosquitto
   * spends as much on its one thread for every login). @default MOSQUITTO_PBKDF2_ITERATIONS
   */
  passwordIterations?: number | undefined;
}

export interface MosquittoFiles {
  'mosquitto.conf': string;
  passwd: string;
  acl: string;
}

export function renderMosquittoConfig(options: MosquittoConfigOptions): MosquittoFiles {
  const host = options.host ?? '127.0.0.1';
  const conf = [
    '# Rendered by intelli-mesh: credentials required, per-node ACL.',
    'per_listener_settings false',
    'allow_anonymous false',
    `password_file ${join(options.configDir, 'passwd')}`,
    `acl_file ${join(options.configDir, 'acl')}`,
    'persistence true',
    `persistence_location ${options.dataDir}/`,
    'autosave_interval 1',
    // Mosquitto drops QoS 1 messages beyond 1000 queued per client by default: a controller that
    // is restarting or briefly slower than a burst would lose data. Queue far more, bounded.
    `max_queued_messages ${options.maxQueuedMessages ?? 200_000}`,
    `max_queued_bytes ${options.maxQueuedBytes ?? 268_435_456}`,
    // The default of 20 unacknowledged QoS 1 messages per client caps the controller's batches
    // (it commits a batch, then acknowledges it): let a whole burst be in flight at once.
    `max_inflight_messages ${options.maxInflightMessages ?? 1000}`,
    // Any packet larger (CONNECT too, before the password is checked) closes the connection; the
    // default lets through the largest payload the controller ingests, with its topic.
    `max_packet_size ${options.maxPacketBytes ?? DEFAULT_BROKER_LIMITS.maxPacketBytes}`,

    ...(options.runAsUser ? [`user ${options.runAsUser}`] : []),
    '',
    `listener ${options.port} ${host}`,
    'protocol mqtt',
    'use_username_as_clientid true',
  ];
  if (options.wsPort !== undefined) {
    conf.push('', `listener ${options.wsPort} ${host}`, 'protocol websockets');
    conf.push('use_username_as_clientid true');
  }

  const passwd = options.users.map(
    (u) => `${u.username}:${mosquittoPasswordHash(u.password, options.passwordIterations)}`,
  );

  const acl: string[] = ['# Rendered by intelli-mesh: the same rules as src/mqtt/acl.ts.'];
  for (const user of options.users) {
    acl.push('', `user ${user.username}`);
    switch (user.role) {
      case 'controller':
        acl.push(`topic readwrite ${TOPIC_ROOT}/#`);
        break;
      case 'viewer':
        acl.push(`topic read ${TOPIC_ROOT}/#`);
        break;
      case 'node': {
        const site = user.site ?? options.site ?? '+';
        for (const channel of NODE_PUBLISHED_CHANNELS) {
          acl.push(`topic write ${TOPIC_ROOT}/${site}/node/${user.username}/${channel}`);
        }
        acl.push(`topic read ${TOPIC_ROOT}/${site}/node/${user.username}/command`);
        break;
      }
      case 'radio-gateway': {
        // Without a network it may publish nothing: no lines but its `user`.
        if (user.network === undefined) break;
        const site = user.site ?? options.site ?? '+';
        const prefix = `${TOPIC_ROOT}/${site}/radio/${user.network}/${user.username}`;
        for (const channel of RADIO_GATEWAY_PUBLISHED) {
          acl.push(`topic write ${prefix}/${channel === 'node' ? 'node/+' : channel}`);
        }
        acl.push(`topic read ${prefix}/command`);
        break;
      }
    }
  }

  return {
    'mosquitto.conf': conf.join('\n') + '\n',
    passwd: passwd.join('\n') + '\n',
    acl: acl.join('\n') + '\n',
  };
}
