/**
 * What a MeshNode lends to the parts that run inside it (scans, connections): a way to send
 * frames and messages, fresh sequences and ids, what it hears, and an event sink. Keeps those
 * parts sans-IO and testable without the whole node.
 *
 * @example
 * const port: NodePort = { address: 1, payloadSize: 16, ... };
 * new ScanCoordinator(port, { scanWindowMs: 200, pingTimeoutMs: 1000, maxRemoteProbes: 8 });
 */
import type { Frame } from './frame-codec.ts';
import type { NodeEvent } from './node-events.ts';

export interface NodePort {
  readonly address: number;
  /** Data bytes per frame on this node's medium. */
  readonly payloadSize: number;
  /** Sends a frame this node creates (routing, hop field and ACK tracking included). */
  originate(frame: Frame, now: number): void;
  /** Sends a message (fragmented, acknowledged, confirmed by a receipt); returns its id. */
  sendMessage(
    dst: number,
    type: number,
    sequence: number,
    data: Uint8Array,
    now: number,
    connId: number | undefined,
  ): number;
  /** Drops the messages a connection still has in flight. */
  dropMessagesOf(connId: number): void;
  nextSequence(): number;
  newId(): number;
  neighbours(now: number): number[];
  event(e: NodeEvent): void;
  /** A reply matched nothing we asked. */
  badResponse(): void;
}
