/**
 * Topic permissions, shared by the embedded broker and the Mosquitto ACL file we render, so both
 * brokers enforce the same rule: a node publishes only under its own prefix and reads only its own
 * commands; nobody but the controller commands a node.
 *
 * @example
 * mayPublish({ username: 'node-3', role: 'node' }, 'intelli-mesh/lab/node/node-3/state'); // true
 * mayPublish({ username: 'node-3', role: 'node' }, 'intelli-mesh/lab/node/node-4/state'); // false
 */
import type { Principal } from './principal.ts';
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
        NODE_PUBLISHED_CHANNELS.includes(parsed.channel)
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
      // Exactly its own command topic, for any site: intelli-mesh/<site>/node/<self>/command
      return (
        levels.length === 5 &&
        levels[1] !== '#' &&
        levels[2] === 'node' &&
        levels[3] === principal.username &&
        levels[4] === 'command'
      );
  }
}

/** A node's MQTT client id must carry its username, so it cannot take over another's session. */
export function mayUseClientId(principal: Principal, clientId: string): boolean {
  if (principal.role !== 'node') return true;
  return clientId === principal.username || clientId.startsWith(`${principal.username}:`);
}
