/**
 * Alerts: conditions that need an operator's eye. At most one open alert per key (a node being
 * offline, a WAN being down); it closes when the condition clears, and an operator may
 * acknowledge it either way.
 */
import type { Db } from './database.ts';
import type { Alert, Severity } from './records.ts';

export type { Alert, Severity };

export interface AlertOpen {
  key: string;
  node: string;
  kind: string;
  subject: string;
  severity: Severity;
  message: string;
}

export class AlertRepo {
  private readonly openStmt;
  private readonly closeStmt;
  private readonly ackStmt;
  private readonly getStmt;
  private readonly openByKeyStmt;
  private readonly listOpenStmt;
  private readonly listRecentStmt;

  constructor(db: Db) {
    this.openStmt = db.prepare(`
      INSERT INTO alerts (key, node, kind, subject, severity, message, opened_at)
      VALUES (@key, @node, @kind, @subject, @severity, @message, @at)
      ON CONFLICT(key) WHERE closed_at IS NULL DO NOTHING`);
    this.closeStmt = db.prepare(
      'UPDATE alerts SET closed_at = ? WHERE key = ? AND closed_at IS NULL',
    );
    this.ackStmt = db.prepare(
      'UPDATE alerts SET acked_by = ?, acked_at = ? WHERE id = ? AND acked_at IS NULL',
    );
    this.getStmt = db.prepare<[number], Alert>('SELECT * FROM alerts WHERE id = ?');
    this.openByKeyStmt = db.prepare<[string], Alert>(
      'SELECT * FROM alerts WHERE key = ? AND closed_at IS NULL',
    );
    this.listOpenStmt = db.prepare<[], Alert>(
      'SELECT * FROM alerts WHERE closed_at IS NULL ORDER BY opened_at DESC, id DESC',
    );
    this.listRecentStmt = db.prepare<[number], Alert>(
      'SELECT * FROM alerts ORDER BY opened_at DESC, id DESC LIMIT ?',
    );
  }

  /** Opens the alert unless one with the same key is open; returns its id when newly opened. */
  open(alert: AlertOpen, at: number): number | undefined {
    const r = this.openStmt.run({ ...alert, at });
    return r.changes === 1 ? Number(r.lastInsertRowid) : undefined;
  }

  /** Closes the open alert with this key; returns it, closed, when one was open. */
  close(key: string, at: number): Alert | undefined {
    const open = this.openByKeyStmt.get(key);
    if (!open) return undefined;
    this.closeStmt.run(at, key);
    return { ...open, closed_at: at };
  }

  acknowledge(id: number, by: string, at: number): Alert | undefined {
    this.ackStmt.run(by, at, id);
    return this.getStmt.get(id);
  }

  get(id: number): Alert | undefined {
    return this.getStmt.get(id);
  }

  listOpen(): Alert[] {
    return this.listOpenStmt.all();
  }

  listRecent(limit = 200): Alert[] {
    return this.listRecentStmt.all(Math.min(Math.max(limit, 1), 5000));
  }
}
