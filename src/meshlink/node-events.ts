/**
 * What a MeshNode tells its host: frames to put on the medium and events about what happened.
 *
 * @example
 * for (const out of node.takeOutputs()) medium.send(out.bytes, out.to);
 * for (const e of node.takeEvents()) if (e.kind === 'message') console.log(e.from, e.data);
 */
import type { LinkPeer } from '../core/medium.ts';
import type { IntelliMeshError } from '../core/errors.ts';
import type { NeighbourGraph } from './scan.ts';

export interface Output {
  bytes: Uint8Array;
  /** The link peer of the designated next hop; undefined broadcasts. */
  to?: LinkPeer;
}

export type NodeEvent =
  | { kind: 'message'; at: number; from: number; data: Uint8Array; hops: number }
  | { kind: 'delivered'; at: number; id: number; dst: number }
  | { kind: 'pong'; at: number; id: number; from: number; rttMs: number; hops: number }
  | { kind: 'ping-timeout'; at: number; id: number; dst: number }
  | {
      kind: 'unreachable';
      at: number;
      /** The user operation that failed, when one did. */
      id: number | undefined;
      dst: number;
      /** The node that gave up: this node, or the relay that reported it. */
      reporter: number;
      reason: string;
    }
  | { kind: 'receipt-timeout'; at: number; id: number; dst: number }
  | { kind: 'scan-result'; at: number; id: number; graph: NeighbourGraph }
  | { kind: 'connection'; at: number; id: number; peer: number }
  | { kind: 'connection-open'; at: number; id: number; peer: number }
  | { kind: 'connection-data'; at: number; id: number; data: Uint8Array }
  | { kind: 'connection-end'; at: number; id: number }
  | { kind: 'connection-closed'; at: number; id: number }
  | { kind: 'connection-error'; at: number; id: number; error: IntelliMeshError };

/** Counters a host can read to watch a node (bad input never becomes an event flood). */
export interface NodeStats {
  framesIn: number;
  framesOut: number;
  /** Decoder rejections by error name (TruncatedFrameError, CrcMismatchError, ...). */
  rejected: Record<string, number>;
  duplicates: number;
  relayed: number;
  hopLimitDrops: number;
  /** Replies whose response number matched nothing we asked. */
  badResponses: number;
  retries: number;
  floodDeadEnds: number;
}
