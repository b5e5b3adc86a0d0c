/**
 * Which partition of the node space a message belongs to. Every message of one node (or one
 * radio gateway) lands in the same partition, so one process writes a node's rows and the order
 * of its messages is kept. The count is fixed for a database: every process must agree on it.
 *
 * @example
 * partitionOfTopic('intelli-mesh/lab/node/node-3/state', 64); // 0..63, the same for every channel of node-3
 */

/** Partitions of the node space: many more than processes, so shares stay even. */
export const DEFAULT_PARTITIONS = 64;

/**
 * The name that decides a topic's partition: the node of a node topic, the gateway of a radio
 * topic, else the topic itself (anything else still lands somewhere, deterministically).
 */
export function partitionName(topic: string): string {
  const parts = topic.split('/');
  if (parts[2] === 'node' && parts.length >= 5) return `node/${parts[3]}`;
  if (parts[2] === 'radio' && parts.length >= 6) return `radio/${parts[3]}/${parts[4]}`;
  return topic;
}

export function partitionOfTopic(topic: string, partitions: number): number {
  return partitionOfName(partitionName(topic), partitions);
}

/** FNV-1a (32 bits) of the UTF-8 name: stable across processes, versions and platforms. */
export function partitionOfName(name: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(name)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % partitions;
}
