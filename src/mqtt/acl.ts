/**
 * Topic permissions, shared by the embedded broker and the Mosquitto ACL file we render, so both
 * brokers enforce the same rule: a node publishes only under its own prefix in its own site and
 * reads only its own commands; nobody but the controller commands a node. Client ids are bound to
 * the login for every role, so no account can take over another's session.
 *
 * @example
 * const node = { username: 'node-3', role: 'node', site: 'lab' } as const;
 * mayPublish(node, 'intelli-mesh/lab/node/node-3/state'); // true
 * mayPublish(node, 'intelli-mesh/lab/node/node-4/state'); // false: another node
 * mayPublish(node, 'intelli-mesh/hq/node/node-3/state'); // false: another site
 * mayUseClientId({ username: 'viewer', role: 'viewer' }, 'controller:ingest'); // false
 * const gw = { username: 'gw-1', role: 'radio-gateway', site: 'lab', network: 'field' } as const;
 * mayPublish(gw, 'intelli-mesh/lab/radio/field/gw-1/node/69'); // true
 * mayPublish(gw, 'intelli-mesh/lab/radio/other/gw-1/node/69'); // false: another radio network
 */
import type { Principal } from './principal.ts';
import { RADIO_GATEWAY_PUBLISHED, parseRadioTopic } from './radio-topics.ts';
import { NODE_PUBLISHED_CHANNELS, TOPIC_ROOT, parseNodeTopic } from './topics.ts';

export function mayPublish(principal: Principal, topic: string): boolean {
  if (topic.includes('+') || topic.includes('#')) return false;
  switch (principal.role) {
    case 'controller':
      return topic.startsWith(`${TOPIC_ROOT}/`);
    case 'viewer':
      return false;
    case 'node': {
      const parsed = parseNodeTopic(topic);
      return (
        parsed !== undefined &&
        parsed.node === principal.username &&
        (principal.site === undefined || parsed.site === principal.site) &&
        NODE_PUBLISHED_CHANNELS.includes(parsed.channel)
      );
    }
    case 'radio-gateway': {
      // A gateway speaks only for its own radio network, as itself, in its own site.
      const parsed = parseRadioTopic(topic);
      return (
        parsed !== undefined &&
        principal.network !== undefined &&
        parsed.network === principal.network &&
        parsed.gateway === principal.username &&
        (principal.site === undefined || parsed.site === principal.site) &&
        RADIO_GATEWAY_PUBLISHED.includes(parsed.channel)
      );
    }
  }
}

export function maySubscribe(principal: Principal, filter: string): boolean {
  const levels = filter.split('/');
  if (levels[0] !== TOPIC_ROOT) return false;
  switch (principal.role) {
    case 'controller':
    case 'viewer':
      return true;
    case 'node':
      // Exactly its own command topic in its own site: intelli-mesh/<site>/node/<self>/command
      return (
        levels.length === 5 &&
        levels[1] !== '#' &&
        (principal.site === undefined || levels[1] === principal.site) &&
        levels[2] === 'node' &&
        levels[3] === principal.username &&
        levels[4] === 'command'
      );
    case 'radio-gateway':
      // Exactly its own command topic: intelli-mesh/<site>/radio/<network>/<self>/command
      return (
        levels.length === 6 &&
        levels[1] !== '#' &&
        levels[1] !== '+' &&
        (principal.site === undefined || levels[1] === principal.site) &&
        levels[2] === 'radio' &&
        principal.network !== undefined &&
        levels[3] === principal.network &&
        levels[4] === principal.username &&
        levels[5] === 'command'
      );
  }
}

/**
 * Every login's MQTT client id must be its username, or its username and `:` and a suffix (the
 * agent uses `<node>:agent`, the controller `<controller>:ingest`), so no account, whatever its
 * role, can take over another's session. Usernames cannot hold `:`, so the prefix is unambiguous.
 * Mosquitto, as we render it, goes further and forces the client id to the username.
 */
export function mayUseClientId(principal: Principal, clientId: string): boolean {
  return clientId === principal.username || clientId.startsWith(`${principal.username}:`);
}

/**
 * Whether a login may keep a session (MQTT clean session off) across connections. The broker
 * queues QoS 1 messages for an absent persistent session, and a viewer reads every topic: a
 * viewer that left one behind would make the broker queue everything, unbounded. So viewers
 * connect with clean sessions only; a node's queue holds only its own commands, and the
 * controller's must keep everything while it restarts.
 */
export function mayKeepSession(principal: Principal): boolean {
  return principal.role !== 'viewer';
}
