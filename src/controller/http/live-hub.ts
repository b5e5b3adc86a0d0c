/**
 * Fans live changes out to every dashboard connected over WebSocket. Slow clients are cut off
 * rather than allowed to pile up memory; a socket whose login session ends (logout, password
 * change, user removed) is closed.
 */
import type { WebSocket } from 'ws';
import type { LiveChange } from '../ingest.ts';

/** A client with more than this many bytes unsent is too slow to keep. */
const MAX_BUFFERED = 4 * 1024 * 1024;

export class LiveHub {
  private readonly sockets = new Set<WebSocket>();
  /** Which user and session each socket was opened by. */
  private readonly owners = new Map<WebSocket, { username: string; session?: string }>();
  /** Told every change shown to dashboards, connected or not (the read caches, dashboard-reads.ts). */
  private readonly listeners: ((changes: readonly LiveChange[]) => void)[] = [];

  get size(): number {
    return this.sockets.size;
  }

  add(socket: WebSocket, owner?: { username: string; session?: string | undefined }): void {
    this.sockets.add(socket);
    if (owner) this.owners.set(socket, { username: owner.username, session: owner.session });
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.owners.delete(socket);
    });
  }

  /** Closes the sockets opened with this login session (its token's hash). */
  closeSession(session: string): void {
    for (const [socket, owner] of this.owners) {
      if (owner.session === session) socket.close(4401, 'session ended');
    }
  }

  /** Closes the sockets whose session `stillOpen` no longer recognises (expired, revoked elsewhere). */
  async closeEnded(stillOpen: (session: string) => Promise<boolean>): Promise<void> {
    for (const [socket, owner] of [...this.owners]) {
      if (owner.session !== undefined && !(await stillOpen(owner.session))) {
        socket.close(4401, 'session ended');
      }
    }
  }

  /** Closes every socket of this user. */
  closeUser(username: string): void {
    for (const [socket, owner] of this.owners) {
      if (owner.username === username) socket.close(4401, 'session ended');
    }
  }

  /** Calls `listener` with every non-empty batch of changes broadcast, before it is sent. */
  onChanges(listener: (changes: readonly LiveChange[]) => void): void {
    this.listeners.push(listener);
  }

  broadcast(changes: readonly LiveChange[]): void {
    if (changes.length === 0) return;
    for (const listener of this.listeners) listener(changes);
    if (this.sockets.size === 0) return;
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
