/**
 * A MeshNode's options and their defaults, in one place so the node reads as behaviour.
 *
 * @example
 * const o = resolveNodeOptions({ address: 1, mtu: 32, random: seededRandom(1) });
 * o.maxAttempts; // 8
 */
import type { Random } from '../core/random.ts';
import type { ReassemblerOptions } from './reassembler.ts';

/** The routing engine's hook: the neighbour to hand a frame for `dst` to, if it knows one. */
export interface Router {
  nextHop(dst: number): number | undefined;
}

export interface MeshNodeOptions {
  /** This node's mesh address, 1..65535. */
  address: number;
  /** The medium's MTU; fragment payloads are `mtu - 16` bytes (at most 239). */
  mtu: number;
  random: Random;
  router?: Router;
  /** Reject frames without CRC (the seed's crc = 0). @default false */
  requireCrc?: boolean;
  /** Frames that already crossed this many relays are not relayed again. @default 7 */
  hopLimit?: number;
  /** Copies of a frame sent to one next hop before giving up. @default 8 */
  maxAttempts?: number;
  /** First wait for a hop ACK, doubled per attempt. @default 40 */
  ackTimeoutMs?: number;
  /** Cap on the doubled wait. @default 500 */
  maxBackoffMs?: number;
  /** Random extra wait per retry. @default 20 */
  jitterMs?: number;
  /** @default 1000 */
  pingTimeoutMs?: number;
  /** Wait for a message's end-to-end receipt. @default 10000 */
  receiptTimeoutMs?: number;
  /** How long a local scan probe collects answers. @default 200 */
  scanWindowMs?: number;
  /** Forget neighbours and return paths after this long unheard. @default 60000 */
  routeTtlMs?: number;
  /** Duplicate memory; must be shorter than `receiptTimeoutMs`. @default 3000 */
  duplicateWindowMs?: number;
  /** @default 4096 */
  duplicateCapacity?: number;
  reassembly?: ReassemblerOptions;
  /** Accept incoming connections. @default true */
  acceptConnections?: boolean;
  /** Messages awaiting a receipt at once. @default 64 */
  maxPendingMessages?: number;
  /** A connection gives up after this many receipt timeouts on one chunk. @default 3 */
  connectionResends?: number;
  /** Open connections at once; further SYNs are refused. @default 32 */
  maxConnections?: number;
  /** Scans run at once on behalf of other nodes; further requests are ignored. @default 8 */
  maxRemoteProbes?: number;
  /** Frames awaiting a hop ACK at once; a relay drops what does not fit. @default 1024 */
  maxPendingFrames?: number;
}

/** Every tunable with its default filled in. */
export type ResolvedNodeOptions = Required<
  Omit<MeshNodeOptions, 'router' | 'reassembly' | 'random' | 'address' | 'mtu'>
>;

export function resolveNodeOptions(options: MeshNodeOptions): ResolvedNodeOptions {
  return {
    requireCrc: options.requireCrc ?? false,
    hopLimit: options.hopLimit ?? 7,
    maxAttempts: options.maxAttempts ?? 8,
    ackTimeoutMs: options.ackTimeoutMs ?? 40,
    maxBackoffMs: options.maxBackoffMs ?? 500,
    jitterMs: options.jitterMs ?? 20,
    pingTimeoutMs: options.pingTimeoutMs ?? 1000,
    receiptTimeoutMs: options.receiptTimeoutMs ?? 10_000,
    scanWindowMs: options.scanWindowMs ?? 200,
    routeTtlMs: options.routeTtlMs ?? 60_000,
    duplicateWindowMs: options.duplicateWindowMs ?? 3000,
    duplicateCapacity: options.duplicateCapacity ?? 4096,
    acceptConnections: options.acceptConnections ?? true,
    maxPendingMessages: options.maxPendingMessages ?? 64,
    connectionResends: options.connectionResends ?? 3,
    maxConnections: options.maxConnections ?? 32,
    maxRemoteProbes: options.maxRemoteProbes ?? 8,
    maxPendingFrames: options.maxPendingFrames ?? 1024,
  };
}
