/**
 * The timeline: every event the agents published, with its reason, and the facts the controller
 * observed itself (presence, reboots, alerts, pushes; `source: 'controller'`), queryable by
 * node, kind and time for the dashboard.
 *
 * Controller events are announced to `onRecorded` listeners once committed: inside a
 * transaction they wait for its commit (and are dropped on rollback), so a dashboard never sees
 * an event the store does not keep.
 */
import type { MeshEvent } from '../../core/events.ts';
import type { SqlSession, SqlValue, SyncSql } from './sql-session.ts';
import type { EventSource, StoredEvent } from './records.ts';

export type { EventSource, StoredEvent };

export interface EventQuery {
  node?: string;
  /**
   * Kinds to keep (any of them); `push-*` keeps every kind starting with `push-`.
   * @default every kind
   */
  kinds?: readonly string[];
  source?: EventSource;
  since?: number;
  until?: number;
  /** @default 200, at most 5000 */
  limit?: number;
}

interface EventRow {
  id: number;
  at: number;
  node: string;
  kind: string;
  subject: string;
  from_v: string | null;
  to_v: string | null;
  reason: string;
  source: string;
}

const INSERT_EVENT =
  'INSERT INTO events (at, node, kind, subject, from_v, to_v, reason, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';

const INSERT_EVENT_RETURNING_ID = `${INSERT_EVENT} RETURNING id`;

function eventRow(e: MeshEvent, source: EventSource): SqlValue[] {
  return [e.at, e.node, e.kind, e.subject, e.from, e.to, e.reason, source];
}

const toEvent = (r: EventRow): StoredEvent => ({
  id: r.id,
  at: r.at,
  node: r.node,
  kind: r.kind,
  subject: r.subject,
  from: r.from_v,
  to: r.to_v,
  reason: r.reason,
  source: r.source === 'controller' ? 'controller' : 'node',
});

/**
 * Who hears of recorded controller events: announced at once outside a transaction, kept until
 * the commit inside one (and dropped on rollback).
 */
export class EventAnnouncer {
  private uncommitted: StoredEvent[] = [];

  constructor(
    private readonly listeners: Set<(e: StoredEvent) => void>,
    private readonly deferred: boolean,
  ) {}

  recorded(e: StoredEvent): void {
    if (this.deferred) this.uncommitted.push(e);
    else this.announce([e]);
  }

  /** Announces the controller events of the transaction that just committed. */
  commit(): void {
    const events = this.uncommitted;
    this.uncommitted = [];
    this.announce(events);
  }

  private announce(events: readonly StoredEvent[]): void {
    for (const e of events) for (const l of [...this.listeners]) l(e);
  }
}

export class EventRepo {
  constructor(
    private readonly sql: SqlSession,
    private readonly announcer: EventAnnouncer,
    private readonly listeners: Set<(e: StoredEvent) => void>,
  ) {}

  /** Stores a node's decision; returns its id. */
  async add(e: MeshEvent, source: EventSource = 'node'): Promise<number> {
    const row = await this.sql.get<{ id: number }>(INSERT_EVENT_RETURNING_ID, eventRow(e, source));
    return row!.id;
  }

  /**
   * `add` through a SQLite transaction's synchronous statements (`SqlSession.sync`): the same
   * row and id, no promise.
   */
  addNow(sync: SyncSql, e: MeshEvent, source: EventSource = 'node'): number {
    return sync.insert(INSERT_EVENT, eventRow(e, source));
  }

  /** Stores a fact the controller observed and announces it once committed. */
  async record(e: MeshEvent): Promise<StoredEvent> {
    const stored: StoredEvent = { ...e, id: await this.add(e, 'controller'), source: 'controller' };
    this.announcer.recorded(stored);
    return stored;
  }

  /** `record` through a SQLite transaction's synchronous statements (`SqlSession.sync`). */
  recordNow(sync: SyncSql, e: MeshEvent): StoredEvent {
    const stored: StoredEvent = {
      ...e,
      id: this.addNow(sync, e, 'controller'),
      source: 'controller',
    };
    this.announcer.recorded(stored);
    return stored;
  }

  /** Called when an event is recorded by the controller and committed. */
  onRecorded(listener: (e: StoredEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async query(q: EventQuery = {}): Promise<StoredEvent[]> {
    const where = ['at >= ?', 'at <= ?'];
    const args: (string | number)[] = [q.since ?? 0, q.until ?? Number.MAX_SAFE_INTEGER];
    if (q.node !== undefined) {
      where.push('node = ?');
      args.push(q.node);
    }
    if (q.source !== undefined) {
      where.push('source = ?');
      args.push(q.source);
    }
    if (q.kinds && q.kinds.length > 0) {
      const any: string[] = [];
      for (const k of q.kinds) {
        if (k.endsWith('*')) {
          // A prefix match; LIKE's own wildcards in the prefix are taken literally.
          any.push("kind LIKE ? ESCAPE '\\'");
          args.push(`${k.slice(0, -1).replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
        } else {
          any.push('kind = ?');
          args.push(k);
        }
      }
      where.push(`(${any.join(' OR ')})`);
    }
    args.push(Math.min(Math.max(q.limit ?? 200, 1), 5000));
    const rows = await this.sql.all<EventRow>(
      `SELECT * FROM events WHERE ${where.join(' AND ')} ORDER BY at DESC, id DESC LIMIT ?`,
      args,
    );
    return rows.map(toEvent);
  }

  /** Deletes events older than `before`; returns how many. */
  prune(before: number): Promise<number> {
    return this.sql.run('DELETE FROM events WHERE at < ?', [before]);
  }
}
