/**
 * Fans live changes out to every dashboard connected over WebSocket. Slow clients are cut off
 * rather than allowed to pile up memory.
 */
import type { WebSocket } from 'ws';
import type { LiveChange } from '../ingest.ts';

/** A client with more than this many bytes unsent is too slow to keep. */
const MAX_BUFFERED = 4 * 1024 * 1024;

export class LiveHub {
  private readonly sockets = new Set<WebSocket>();

  get size(): number {
    return this.sockets.size;
  }

  add(socket: WebSocket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
  }

  broadcast(changes: readonly LiveChange[]): void {
    if (changes.length === 0 || this.sockets.size === 0) return;
    const text = JSON.stringify({ type: 'changes', changes });
    for (const socket of this.sockets) {
      if (socket.bufferedAmount > MAX_BUFFERED) {
        socket.close(1013, 'too slow; reconnect');
        continue;
      }
      socket.send(text);
    }
  }

  closeAll(): void {
    for (const socket of this.sockets) socket.close(1001, 'controller stopping');
  }
}
