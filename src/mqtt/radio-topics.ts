/**
 * The radio part of the topic tree: what a radio gateway publishes for the meshlink network it
 * serves, and where the controller sends it commands.
 *
 *   intelli-mesh/<site>/radio/<network>/<gateway>/<channel>
 *
 * where channel is `status` (retained online/offline, also the last will), `node/<address>`
 * (retained: what this gateway knows of one radio node), `graph` (retained: its last scan),
 * `message` (a radio message addressed to the gateway), `events` (what meshlink reported),
 * `command` (controller to gateway) and `command/result` (gateway to controller).
 *
 * @example
 * radioTopic('lab', 'field', 'gw-1', 'status'); // 'intelli-mesh/lab/radio/field/gw-1/status'
 * radioNodeTopic('lab', 'field', 'gw-1', 69); // 'intelli-mesh/lab/radio/field/gw-1/node/69'
 * parseRadioTopic('intelli-mesh/lab/radio/field/gw-1/node/69');
 * // { site: 'lab', network: 'field', gateway: 'gw-1', channel: 'node', address: 69 }
 */
import { InvalidTopicNameError, TOPIC_ROOT, assertTopicName, isTopicName } from './topics.ts';

export const RADIO_CHANNELS = [
  'status',
  'node',
  'graph',
  'message',
  'events',
  'command',
  'command/result',
] as const;
export type RadioChannel = (typeof RADIO_CHANNELS)[number];

/** Channels a gateway publishes on; `command` is the controller's alone. */
export const RADIO_GATEWAY_PUBLISHED: readonly RadioChannel[] = [
  'status',
  'node',
  'graph',
  'message',
  'events',
  'command/result',
];

export interface RadioTopic {
  site: string;
  network: string;
  gateway: string;
  channel: RadioChannel;
  /** The radio node of a `node/<address>` topic. */
  address?: number;
}

/** A radio network's name is a topic level: the same rule as site and node names. */
export function assertNetworkName(network: string): void {
  if (!isTopicName(network)) {
    throw new InvalidTopicNameError(
      `network name '${network}' must be 1-64 characters of letters, digits, '_', '.' or '-', starting with a letter or digit`,
    );
  }
}

function prefix(site: string, network: string, gateway: string): string {
  assertTopicName('site', site);
  assertTopicName('node', gateway);
  assertNetworkName(network);
  return `${TOPIC_ROOT}/${site}/radio/${network}/${gateway}`;
}

export function radioTopic(
  site: string,
  network: string,
  gateway: string,
  channel: Exclude<RadioChannel, 'node'>,
): string {
  return `${prefix(site, network, gateway)}/${channel}`;
}

export function radioNodeTopic(
  site: string,
  network: string,
  gateway: string,
  address: number,
): string {
  return `${prefix(site, network, gateway)}/node/${address}`;
}

/** Every radio topic of a site (the controller's subscription). */
export function radioSiteFilter(site: string): string {
  assertTopicName('site', site);
  return `${TOPIC_ROOT}/${site}/radio/#`;
}

const ADDRESS = /^[1-9][0-9]{0,4}$/;

export function parseRadioTopic(topic: string): RadioTopic | undefined {
  const parts = topic.split('/');
  if (parts.length < 6 || parts[0] !== TOPIC_ROOT || parts[2] !== 'radio') return undefined;
  const [, site, , network, gateway] = parts as [string, string, string, string, string];
  if (!isTopicName(site) || !isTopicName(network) || !isTopicName(gateway)) return undefined;
  const rest = parts.slice(5);
  if (rest[0] === 'node') {
    if (rest.length !== 2 || !ADDRESS.test(rest[1]!)) return undefined;
    const address = Number(rest[1]);
    if (address > 0xffff) return undefined;
    return { site, network, gateway, channel: 'node', address };
  }
  const channel = rest.join('/');
  if (channel === 'node' || !(RADIO_CHANNELS as readonly string[]).includes(channel))
    return undefined;
  return { site, network, gateway, channel: channel as RadioChannel };
}
