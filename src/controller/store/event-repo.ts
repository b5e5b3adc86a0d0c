/**
 * The decision log: every event the agents published, with its reason, queryable by node and
 * time for the dashboard's timeline.
 */
import type { MeshEvent } from '../../core/events.ts';
import type { Db } from './database.ts';
import type { StoredEvent } from './records.ts';

export type { StoredEvent };

export interface EventQuery {
  node?: string;
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
}

export class EventRepo {
  private readonly insertStmt;
  private readonly queryStmt;
  private readonly pruneStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      'INSERT INTO events (at, node, kind, subject, from_v, to_v, reason) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.queryStmt = db.prepare<[string | null, string | null, number, number, number], EventRow>(`
      SELECT * FROM events
      WHERE (? IS NULL OR node = ?) AND at >= ? AND at <= ?
      ORDER BY at DESC, id DESC LIMIT ?`);
    this.pruneStmt = db.prepare('DELETE FROM events WHERE at < ?');
  }

  add(e: MeshEvent): number {
    return Number(
      this.insertStmt.run(e.at, e.node, e.kind, e.subject, e.from, e.to, e.reason).lastInsertRowid,
    );
  }

  query(q: EventQuery = {}): StoredEvent[] {
    const limit = Math.min(Math.max(q.limit ?? 200, 1), 5000);
    const node = q.node ?? null;
    return this.queryStmt
      .all(node, node, q.since ?? 0, q.until ?? Number.MAX_SAFE_INTEGER, limit)
      .map((r) => ({
        id: r.id,
        at: r.at,
        node: r.node,
        kind: r.kind,
        subject: r.subject,
        from: r.from_v,
        to: r.to_v,
        reason: r.reason,
      }));
  }

  /** Deletes events older than `before`; returns how many. */
  prune(before: number): number {
    return this.pruneStmt.run(before).changes;
  }
}
