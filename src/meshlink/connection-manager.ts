/**
 * The connections a node holds, sans-IO: opening (SYN and its receipt), accepting or refusing,
 * pumping one chunk at a time per direction, re-sending a chunk whose receipt timed out, and
 * closing on FIN both ways. Per-connection bookkeeping is in connection.ts.
 *
 * @example
 * const conns = new ConnectionManager(port, options);
 * const id = conns.connect(7, now); conns.write(id, bytes, now);
 */
import { ClosedError } from '../core/errors.ts';
import { Connection } from './connection.ts';
import { ConnectionRefusedError, ReceiptTimeoutError, UnreachableError } from './errors.ts';
import type { Frame } from './frame-codec.ts';
import type { NodePort } from './node-port.ts';
import { PacketType } from './packet-type.ts';

export interface ConnectionManagerOptions {
  acceptConnections: boolean;
  maxConnections: number;
  /** Receipt timeouts tolerated on one chunk before the connection fails. */
  connectionResends: number;
  receiptTimeoutMs: number;
}

const EMPTY = new Uint8Array(0);

export class ConnectionManager {
  private readonly connections = new Map<number, Connection>();

  constructor(
    private readonly port: NodePort,
    private readonly o: ConnectionManagerOptions,
  ) {}

  connect(dst: number, now: number): number {
    const s0 = this.port.nextSequence();
    const conn = new Connection({ id: this.port.newId(), peer: dst, s0, role: 'initiator' });
    this.connections.set(conn.id, conn);
    conn.inFlightMsg = this.port.sendMessage(dst, PacketType.Syn, s0, EMPTY, now, conn.id);
    return conn.id;
  }

  write(id: number, data: Uint8Array, now: number): void {
    const conn = this.open(id);
    conn.write(data);
    this.pump(conn, now);
  }

  end(id: number, now: number): void {
    const conn = this.open(id);
    conn.end();
    this.pump(conn, now);
  }

  queuedBytes(id: number): number {
    return this.connections.get(id)?.bytesQueued ?? 0;
  }

  clear(): void {
    this.connections.clear();
  }

  /** A whole SYN arrived; returns whether to confirm it with a receipt. */
  onSyn(f: Frame, now: number): boolean {
    for (const c of this.connections.values()) {
      if (c.peer === f.src && c.s0 === f.sequence && c.role === 'acceptor') return true;
    }
    if (!this.o.acceptConnections || this.connections.size >= this.o.maxConnections) {
      // Refusal: a FIN carrying the SYN's own sequence.
      this.port.sendMessage(f.src, PacketType.Fin, f.sequence, EMPTY, now, undefined);
      return false;
    }
    const id = this.port.newId();
    const conn = new Connection({ id, peer: f.src, s0: f.sequence, role: 'acceptor' });
    this.connections.set(id, conn);
    this.port.event({ kind: 'connection', at: now, id, peer: conn.peer });
    return true;
  }

  /** A whole CMD, RSP or FIN arrived; returns whether it belonged to a connection (receipt). */
  onMessage(f: Frame, data: Uint8Array, now: number): boolean {
    for (const c of this.connections.values()) {
      if (c.peer !== f.src) continue;
      if (c.state === 'connecting' && f.type === PacketType.Fin && f.sequence === c.s0) {
        this.fail(c.id, new ConnectionRefusedError(c.peer), now);
        return true;
      }
      if (c.state !== 'open' || !c.matches(f.sequence)) continue;
      const what = c.incoming(f.type, f.sequence);
      if (what === 'unexpected') continue;
      if (what === 'deliver') this.port.event({ kind: 'connection-data', at: now, id: c.id, data });
      if (what === 'fin') {
        this.port.event({ kind: 'connection-end', at: now, id: c.id });
        this.finishIfDone(c, now);
      }
      return true;
    }
    return false;
  }

  /** The receipt of message `msgId` of connection `id` arrived. */
  onReceipt(id: number, msgId: number, now: number): void {
    const conn = this.connections.get(id);
    if (!conn || conn.inFlightMsg !== msgId) return;
    if (conn.state === 'connecting') {
      conn.state = 'open';
      conn.inFlightMsg = undefined;
      this.port.event({ kind: 'connection-open', at: now, id, peer: conn.peer });
    } else {
      conn.delivered();
    }
    this.pump(conn, now);
  }

  /** No receipt for the connection's in-flight message: send it again, or give up. */
  onReceiptTimeout(id: number, now: number): void {
    const conn = this.connections.get(id);
    if (!conn) return;
    if (conn.resends >= this.o.connectionResends) {
      this.fail(id, new ReceiptTimeoutError(conn.peer, this.o.receiptTimeoutMs), now);
      return;
    }
    conn.resends++;
    // The duplicate memory has expired by now, so the copy is not mistaken for a replay.
    if (conn.state === 'connecting') {
      conn.inFlightMsg = this.port.sendMessage(conn.peer, PacketType.Syn, conn.s0, EMPTY, now, id);
      return;
    }
    const chunk = conn.pendingChunk;
    if (!chunk) return;
    const type = chunk.fin ? PacketType.Fin : conn.sendType;
    conn.inFlightMsg = this.port.sendMessage(conn.peer, type, chunk.sequence, chunk.data, now, id);
  }

  onUnreachable(id: number, reason: string, now: number): void {
    const conn = this.connections.get(id);
    if (conn) this.fail(id, new UnreachableError(conn.peer, reason), now);
  }

  private pump(conn: Connection, now: number): void {
    if (conn.state !== 'open' || conn.inFlightMsg !== undefined) return;
    const chunk = conn.nextChunk(this.port.payloadSize * 4);
    if (!chunk) {
      this.finishIfDone(conn, now);
      return;
    }
    const type = chunk.fin ? PacketType.Fin : conn.sendType;
    conn.inFlightMsg = this.port.sendMessage(
      conn.peer,
      type,
      chunk.sequence,
      chunk.data,
      now,
      conn.id,
    );
  }

  private finishIfDone(conn: Connection, now: number): void {
    if (!conn.finished) return;
    conn.state = 'closed';
    this.connections.delete(conn.id);
    this.port.event({ kind: 'connection-closed', at: now, id: conn.id });
  }

  private fail(
    id: number,
    error: UnreachableError | ConnectionRefusedError | ReceiptTimeoutError,
    now: number,
  ): void {
    if (!this.connections.delete(id)) return;
    this.port.dropMessagesOf(id);
    this.port.event({ kind: 'connection-error', at: now, id, error });
  }

  private open(id: number): Connection {
    const conn = this.connections.get(id);
    if (!conn || conn.state === 'closed') throw new ClosedError(`connection ${id} is not open`);
    return conn;
  }
}
