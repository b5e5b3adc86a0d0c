/**
 * Alerts: conditions that need an operator's eye. At most one open alert per key (a node being
 * offline, a WAN being down); it closes when the condition clears, and an operator may
 * acknowledge it either way.
 */
import type { Db } from './database.ts';
import type { Alert, Severity } from './records.ts';

export type { Alert, Severity };

/** What happened to an alert: opened, acknowledged by an operator, or closed (cleared). */
export type AlertChange = 'open' | 'ack' | 'close';
export type AlertListener = (change: AlertChange, alert: Alert, at: number) => void;

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
  private readonly listeners = new Set<AlertListener>();

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

  /**
   * Called on every open, acknowledgement and close, whoever made it (ingest, alert rules, an
   * operator), inside the same transaction: the timeline and notifications hook here.
   */
  onChange(listener: AlertListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Opens the alert unless one with the same key is open; returns its id when newly opened. */
  open(alert: AlertOpen, at: number): number | undefined {
    const r = this.openStmt.run({ ...alert, at });
    if (r.changes !== 1) return undefined;
    const id = Number(r.lastInsertRowid);
    this.changed('open', this.getStmt.get(id), at);
    return id;
  }

  /** Closes the open alert with this key; returns it, closed, when one was open. */
  close(key: string, at: number): Alert | undefined {
    const open = this.openByKeyStmt.get(key);
    if (!open) return undefined;
    this.closeStmt.run(at, key);
    const closed = { ...open, closed_at: at };
    this.changed('close', closed, at);
    return closed;
  }

  acknowledge(id: number, by: string, at: number): Alert | undefined {
    const acked = this.ackStmt.run(by, at, id).changes === 1;
    const alert = this.getStmt.get(id);
    if (acked) this.changed('ack', alert, at);
    return alert;
  }

  private changed(change: AlertChange, alert: Alert | undefined, at: number): void {
    if (!alert) return;
    for (const l of [...this.listeners]) l(change, alert, at);
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
