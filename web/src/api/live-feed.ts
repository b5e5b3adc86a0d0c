/**
 * Follows the controller's WebSocket feed and hands each batch of changes to the listeners;
 * reconnects with a growing delay when the connection drops, and reports whether it is
 * connected so the header can say "live" honestly. The bearer token never goes into the URL:
 * each connection first fetches a single-use ticket (`POST /api/live/ticket`, with the token in
 * the Authorization header) and opens `/api/live?ticket=…`. When the session ends (logout
 * elsewhere, password changed) the controller closes the socket and the next ticket request
 * answers 401, which sends the app back to the login page.
 *
 * @example
 * const feed = new LiveFeed(() => api.post<{ ticket: string }>('/api/live/ticket'), setLive);
 * const off = feed.subscribe((changes) => refetchWhatChanged(changes));
 */
import type { LiveChange } from './types.ts';

export type ChangeListener = (changes: LiveChange[]) => void;

export class LiveFeed {
  private socket: WebSocket | undefined;
  private readonly listeners = new Set<ChangeListener>();
  private retryMs = 500;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(
    private readonly ticket: () => Promise<{ ticket: string }>,
    private readonly onConnected: (connected: boolean) => void,
  ) {
    this.open();
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.socket?.close();
  }

  private open(): void {
    this.ticket().then(
      ({ ticket }) => {
        if (!this.closed) this.connect(ticket);
      },
      () => this.retry(),
    );
  }

  private retry(): void {
    this.onConnected(false);
    if (this.closed) return;
    this.retryTimer = setTimeout(() => this.open(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, 10_000);
  }

  private connect(ticket: string): void {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(
      `${proto}//${location.host}/api/live?ticket=${encodeURIComponent(ticket)}`,
    );
    this.socket = ws;
    ws.onmessage = (msg) => {
      const data = JSON.parse(String(msg.data)) as { type: string; changes?: LiveChange[] };
      if (data.type === 'hello') {
        this.retryMs = 500;
        this.onConnected(true);
        // Anything may have changed while disconnected: everyone refetches.
        this.emit([{ type: 'node', node: '*' }]);
      } else if (data.type === 'changes' && data.changes) {
        this.emit(data.changes);
      }
    };
    ws.onclose = () => this.retry();
  }

  private emit(changes: LiveChange[]): void {
    for (const l of this.listeners) l(changes);
  }
}
