/**
 * The MQTT topic tree every node and the controller share:
 *
 *   intelli-mesh/<site>/node/<node>/<channel>
 *
 * where channel is `status` (retained online/offline, also the last will), `state` (retained
 * snapshot), `config` (retained: the configuration the node runs, as last confirmed), `metrics`
 * (periodic), `events` (decisions with reasons), `command` (controller to node) and
 * `command/result` (node to controller).
 *
 * @example
 * nodeTopic('lab', 'node-3', 'state'); // 'intelli-mesh/lab/node/node-3/state'
 * parseNodeTopic('intelli-mesh/lab/node/node-3/events'); // { site: 'lab', node: 'node-3', channel: 'events' }
 */
import { IntelliMeshError } from '../core/errors.ts';

export const TOPIC_ROOT = 'intelli-mesh';

export const NODE_CHANNELS = [
  'status',
  'state',
  'config',
  'metrics',
  'events',
  'command',
  'command/result',
] as const;
export type NodeChannel = (typeof NODE_CHANNELS)[number];

/** Channels a node publishes on; `command` is the controller's alone. */
export const NODE_PUBLISHED_CHANNELS: readonly NodeChannel[] = [
  'status',
  'state',
  'config',
  'metrics',
  'events',
  'command/result',
];

/** Site and node names become topic levels, so they may not hold wildcards or separators. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export class InvalidTopicNameError extends IntelliMeshError {}

export function assertTopicName(kind: 'site' | 'node', value: string): void {
  if (!NAME.test(value)) {
    throw new InvalidTopicNameError(
      `${kind} name '${value}' must be 1-64 characters of letters, digits, '_', '.' or '-', starting with a letter or digit`,
    );
  }
}

export function isTopicName(value: string): boolean {
  return NAME.test(value);
}

export function nodeTopic(site: string, node: string, channel: NodeChannel): string {
  assertTopicName('site', site);
  assertTopicName('node', node);
  return `${TOPIC_ROOT}/${site}/node/${node}/${channel}`;
}

/** The filter that matches every channel of every node of a site. */
export function siteFilter(site: string): string {
  assertTopicName('site', site);
  return `${TOPIC_ROOT}/${site}/node/+/#`;
}

export interface NodeTopic {
  site: string;
  node: string;
  channel: NodeChannel;
}

export function parseNodeTopic(topic: string): NodeTopic | undefined {
  const parts = topic.split('/');
  if (parts.length < 5 || parts[0] !== TOPIC_ROOT || parts[2] !== 'node') return undefined;
  const site = parts[1]!;
  const node = parts[3]!;
  const channel = parts.slice(4).join('/');
  if (!NAME.test(site) || !NAME.test(node)) return undefined;
  if (!(NODE_CHANNELS as readonly string[]).includes(channel)) return undefined;
  return { site, node, channel: channel as NodeChannel };
}
