/**
 * meshlink: the seed's radio mesh protocol (issue 2). The sans-IO core is `MeshNode`; hosts run
 * it with `MeshlinkHost` on any Medium; the codec, CRC and sequence helpers are public for
 * tools and tests.
 *
 * @example
 * import { MeshlinkHost } from './meshlink/index.ts';
 * const host = new MeshlinkHost({ address: 1, medium, scheduler, random: seededRandom(1) });
 * await host.send(5, new TextEncoder().encode('hello'));
 */
export * from './errors.ts';
export * from './packet-type.ts';
export { CRC16_INIT, crc16, crc16Frame } from './crc16.ts';
export * from './frame-codec.ts';
export { NETWORK_KEY, SequenceGenerator, nextSequence } from './sequence.ts';
export {
  fragmentPayloadSize,
  fragmentPayloads,
  maxMessageSize,
  MAX_FRAGMENTS,
} from './fragmenter.ts';
export { MeshNode, type MeshNodeOptions, type Router } from './mesh-node.ts';
export type { NodeEvent, NodeStats, Output } from './node-events.ts';
export type { NeighbourGraph } from './scan.ts';
export {
  MeshlinkHost,
  type MeshlinkHostEvents,
  type MeshlinkHostOptions,
  type PingReply,
} from './meshlink-host.ts';
export { MeshStream } from './mesh-stream.ts';
