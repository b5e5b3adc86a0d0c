/**
 * A meshlink connection as a Node Duplex: bytes written on one end come out of the other in
 * order, exactly once (see connection.ts); `end()` sends FIN, the peer's FIN ends the readable.
 * Writes wait (backpressure) while more than `highWaterBytes` sit unsent in the connection.
 *
 * @example
 * const stream = await host.connect(7);
 * stream.write('hello');
 * stream.on('data', (chunk) => console.log(chunk.toString()));
 */
import { Duplex } from 'node:stream';

/** What the stream needs from its host. */
export interface StreamLink {
  write(id: number, data: Uint8Array): void;
  end(id: number): void;
  queuedBytes(id: number): number;
}

export class MeshStream extends Duplex {
  readonly connectionId: number;
  readonly peer: number;
  private readonly link: StreamLink;
  private readonly highWaterBytes: number;
  private waiting: (() => void) | undefined;

  constructor(link: StreamLink, connectionId: number, peer: number, highWaterBytes = 4096) {
    super({ allowHalfOpen: true });
    this.link = link;
    this.connectionId = connectionId;
    this.peer = peer;
    this.highWaterBytes = highWaterBytes;
  }

  override _write(
    chunk: Buffer | string,
    encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk;
    try {
      this.link.write(
        this.connectionId,
        new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length),
      );
    } catch (err) {
      callback(err as Error);
      return;
    }
    if (this.link.queuedBytes(this.connectionId) <= this.highWaterBytes) callback();
    else this.waiting = () => callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    try {
      this.link.end(this.connectionId);
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _read(): void {
    // Data is pushed as the host receives it; the mesh has no way to pause the peer.
  }

  /** @internal The host calls this after each step: releases a write held by backpressure. */
  drained(): void {
    if (this.waiting && this.link.queuedBytes(this.connectionId) <= this.highWaterBytes) {
      const w = this.waiting;
      this.waiting = undefined;
      w();
    }
  }

  /** @internal Bytes from the peer. */
  deliver(data: Uint8Array): void {
    this.push(data);
  }

  /** @internal The peer's FIN. */
  peerEnded(): void {
    this.push(null);
  }
}
