/**
 * One SYN/CMD/RSP/FIN connection's bookkeeping, sans-IO: the seed's read/write pipeline.
 *
 * The initiator's SYN carries the connection's base sequence `s0`; its end-to-end receipt
 * opens the connection. Each side then sends its bytes as chunks (the initiator as CMD, the
 * acceptor as RSP), chunk k stamped `nextSequence(s0, k)`, one chunk in flight at a time
 * (stop and wait on the chunk's receipt), so the receiver delivers in order and exactly once
 * by expecting chunk k next and ignoring a repeat of k - 1. FIN ends a direction.
 *
 * @example
 * const c = new Connection({ id: 1, peer: 7, s0: 0x42, role: 'initiator' });
 * c.write(bytes); c.nextChunk(64); // { sequence: nextSequence(0x42, 1), data, fin: false }
 */
import { PacketType } from './packet-type.ts';
import { nextSequence } from './sequence.ts';

export type ConnectionRole = 'initiator' | 'acceptor';
export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface Chunk {
  sequence: number;
  data: Uint8Array;
  fin: boolean;
}

export type Incoming = 'deliver' | 'duplicate' | 'fin' | 'unexpected';

export class Connection {
  readonly id: number;
  readonly peer: number;
  readonly s0: number;
  readonly role: ConnectionRole;
  state: ConnectionState;
  /** The message id of the chunk (or SYN) awaiting its receipt. */
  inFlightMsg: number | undefined;
  /** Copies of the in-flight chunk sent after receipt timeouts. */
  resends = 0;
  private readonly queue: Uint8Array[] = [];
  private queued = 0;
  private sendK = 1;
  private recvK = 1;
  private inFlight: Chunk | undefined;
  private localEnded = false;
  private finSent = false;
  peerEnded = false;

  constructor(init: { id: number; peer: number; s0: number; role: ConnectionRole }) {
    this.id = init.id;
    this.peer = init.peer;
    this.s0 = init.s0;
    this.role = init.role;
    this.state = init.role === 'initiator' ? 'connecting' : 'open';
  }

  /** Packet type this side's chunks travel as. */
  get sendType(): number {
    return this.role === 'initiator' ? PacketType.Cmd : PacketType.Rsp;
  }

  /** Packet type the peer's chunks arrive as. */
  get receiveType(): number {
    return this.role === 'initiator' ? PacketType.Rsp : PacketType.Cmd;
  }

  get bytesQueued(): number {
    return this.queued;
  }

  /** True once both directions ended and nothing is left to send. */
  get finished(): boolean {
    return this.finSent && this.inFlight === undefined && this.peerEnded;
  }

  write(data: Uint8Array): void {
    if (data.length === 0) return;
    this.queue.push(data.slice());
    this.queued += data.length;
  }

  /** No more writes from this side; a FIN follows the queued bytes. */
  end(): void {
    this.localEnded = true;
  }

  /** The chunk to send now, or undefined while one is in flight or nothing is queued. */
  nextChunk(maxBytes: number): Chunk | undefined {
    if (this.state !== 'open' || this.inFlight) return undefined;
    if (this.queued > 0) {
      const n = Math.min(maxBytes, this.queued);
      const data = new Uint8Array(n);
      let off = 0;
      while (off < n) {
        const head = this.queue[0]!;
        const take = Math.min(head.length, n - off);
        data.set(head.subarray(0, take), off);
        off += take;
        if (take === head.length) this.queue.shift();
        else this.queue[0] = head.subarray(take);
      }
      this.queued -= n;
      this.inFlight = { sequence: nextSequence(this.s0, this.sendK), data, fin: false };
      return this.inFlight;
    }
    if (this.localEnded && !this.finSent) {
      this.inFlight = {
        sequence: nextSequence(this.s0, this.sendK),
        data: new Uint8Array(0),
        fin: true,
      };
      return this.inFlight;
    }
    return undefined;
  }

  /** The chunk awaiting its receipt, to send again after a receipt timeout. */
  get pendingChunk(): Chunk | undefined {
    return this.inFlight;
  }

  /** The in-flight chunk's receipt arrived. */
  delivered(): void {
    if (!this.inFlight) return;
    if (this.inFlight.fin) this.finSent = true;
    this.inFlight = undefined;
    this.inFlightMsg = undefined;
    this.resends = 0;
    this.sendK++;
  }

  /** Classifies a reassembled CMD/RSP/FIN from the peer by its sequence. */
  incoming(type: number, sequence: number): Incoming {
    const expected = nextSequence(this.s0, this.recvK);
    const previous = nextSequence(this.s0, this.recvK - 1);
    if (sequence === expected) {
      this.recvK++;
      if (type === PacketType.Fin) {
        this.peerEnded = true;
        return 'fin';
      }
      return type === this.receiveType ? 'deliver' : 'unexpected';
    }
    if (this.recvK > 1 && sequence === previous) return 'duplicate';
    return 'unexpected';
  }

  /** Whether `sequence` could belong to this connection's incoming stream. */
  matches(sequence: number): boolean {
    return (
      sequence === nextSequence(this.s0, this.recvK) ||
      (this.recvK > 1 && sequence === nextSequence(this.s0, this.recvK - 1))
    );
  }
}
