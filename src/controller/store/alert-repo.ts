/**
 * Alerts: conditions that need an operator's eye. At most one open alert per key (a node being
 * offline, a WAN being down); it closes when the condition clears, and an operator may
 * acknowledge it either way.
 */
import type { SqlSession, SyncSql } from './sql-session.ts';
import type { Alert, Severity } from './records.ts';

export type { Alert, Severity };

/** What happened to an alert: opened, acknowledged by an operator, or closed (cleared). */
export type AlertChange = 'open' | 'ack' | 'close';
export type AlertListener = (change: AlertChange, alert: Alert, at: number) => Promise<unknown>;
/** `AlertListener` for the changes made through a SQLite transaction's synchronous statements. */
export type AlertListenerNow = (
  sync: SyncSql,
  change: AlertChange,
  alert: Alert,
  at: number,
) => void;

const OPEN_ALERT = `INSERT INTO alerts (key, node, kind, subject, severity, message, opened_at)
      VALUES (@key, @node, @kind, @subject, @severity, @message, @at)
      ON CONFLICT(key) WHERE closed_at IS NULL DO NOTHING RETURNING *`;
const CLOSE_ALERT =
  'UPDATE alerts SET closed_at = ? WHERE key = ? AND closed_at IS NULL RETURNING *';
const GET_ALERT = 'SELECT * FROM alerts WHERE id = ?';

export interface AlertOpen {
  key: string;
  node: string;
  kind: string;
  subject: string;
  severity: Severity;
  message: string;
}

export class AlertRepo {
  /**
   * `changed` runs on every open, acknowledgement and close, whoever made it (ingest, alert
   * rules, an operator), inside the same transaction: the timeline hooks here.
   */
  constructor(
    private readonly sql: SqlSession,
    private readonly changed: AlertListener,
    /** The same listener for `openNow` and `closeNow`. */
    private readonly changedNow: AlertListenerNow,
  ) {}

  /** Opens the alert unless one with the same key is open; returns its id when newly opened. */
  async open(alert: AlertOpen, at: number): Promise<number | undefined> {
    const row = await this.sql.get<Alert>(OPEN_ALERT, { ...alert, at });
    if (!row) return undefined;
    await this.changed('open', row, at);
    return row.id;
  }

  /** `open` through a SQLite transaction's synchronous statements (`SqlSession.sync`). */
  openNow(sync: SyncSql, alert: AlertOpen, at: number): number | undefined {
    const row = sync.get<Alert>(OPEN_ALERT, { ...alert, at });
    if (!row) return undefined;
    this.changedNow(sync, 'open', row, at);
    return row.id;
  }

  /** Closes the open alert with this key; returns it, closed, when one was open. */
  async close(key: string, at: number): Promise<Alert | undefined> {
    const closed = await this.sql.get<Alert>(CLOSE_ALERT, [at, key]);
    if (!closed) return undefined;
    await this.changed('close', closed, at);
    return closed;
  }

  /** `close` through a SQLite transaction's synchronous statements. */
  closeNow(sync: SyncSql, key: string, at: number): Alert | undefined {
    const closed = sync.get<Alert>(CLOSE_ALERT, [at, key]);
    if (!closed) return undefined;
    this.changedNow(sync, 'close', closed, at);
    return closed;
  }

  async acknowledge(id: number, by: string, at: number): Promise<Alert | undefined> {
    const acked = await this.sql.get<Alert>(
      'UPDATE alerts SET acked_by = ?, acked_at = ? WHERE id = ? AND acked_at IS NULL RETURNING *',
      [by, at, id],
    );
    if (acked) await this.changed('ack', acked, at);
    return acked ?? this.get(id);
  }

  get(id: number): Promise<Alert | undefined> {
    return this.sql.get<Alert>(GET_ALERT, [id]);
  }

  getNow(sync: SyncSql, id: number): Alert | undefined {
    return sync.get<Alert>(GET_ALERT, [id]);
  }

  /** The keys of the open alerts (read through the partial index of open keys). */
  async openKeys(): Promise<string[]> {
    const rows = await this.sql.all<{ key: string }>(
      'SELECT key FROM alerts WHERE closed_at IS NULL',
    );
    return rows.map((r) => r.key);
  }

  listOpen(): Promise<Alert[]> {
    return this.sql.all<Alert>(
      'SELECT * FROM alerts WHERE closed_at IS NULL ORDER BY opened_at DESC, id DESC',
    );
  }

  listRecent(limit = 200): Promise<Alert[]> {
    return this.sql.all<Alert>('SELECT * FROM alerts ORDER BY opened_at DESC, id DESC LIMIT ?', [
      Math.min(Math.max(limit, 1), 5000),
    ]);
  }
}
