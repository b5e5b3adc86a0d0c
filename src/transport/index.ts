/**
 * The media: an in-memory channel for tests and the simulator, UDP between processes and hosts,
 * and a serial bridge to a USB radio dongle. All of them implement core's `Medium`.
 *
 * @example
 * import { MemoryHub, UniformLinkModel } from '../transport/index.ts';
 * const hub = new MemoryHub(new VirtualScheduler(), UniformLinkModel.line(['A', 'B']));
 * const a = hub.attach('A');
 */
export * from './errors.ts';
export type { LinkModel, Transmission } from './link-model.ts';
export type { MediumCounters } from './medium-counters.ts';
export * from './memory-hub.ts';
export * from './uniform-link-model.ts';
export * from './udp-address.ts';
export * from './udp-medium.ts';
