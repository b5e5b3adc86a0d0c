/**
 * The node inventory: every node ever heard, whether it is online, and its latest state.
 */
import type { NodeConfigReport, NodeState, NodeStatus } from '../../mqtt/messages.ts';
import type { Db } from './database.ts';
import type { NodeRecord } from './records.ts';

export type { NodeRecord };

interface NodeRow {
  node: string;
  site: string;
  first_seen: number;
  last_seen: number;
  online: number;
  state_json: string | null;
  state_at: number | null;
}

function toRecord(row: NodeRow): NodeRecord {
  return {
    node: row.node,
    site: row.site,
    first_seen: row.first_seen,
    last_seen: row.last_seen,
    online: row.online === 1,
    state: row.state_json ? (JSON.parse(row.state_json) as NodeState) : null,
    state_at: row.state_at,
  };
}

export class NodeRepo {
  private readonly upsertStatusStmt;
  private readonly upsertStateStmt;
  private readonly getStmt;
  private readonly listStmt;
  private readonly setConfigStmt;
  private readonly getConfigStmt;

  constructor(db: Db) {
    this.upsertStatusStmt = db.prepare(`
      INSERT INTO nodes (node, site, first_seen, last_seen, online, status_at)
      VALUES (@node, @site, @now, @now, @online, @at)
      ON CONFLICT(node) DO UPDATE SET
        last_seen = @now,
        online = CASE WHEN status_at IS NULL OR @at >= status_at THEN @online ELSE online END,
        status_at = MAX(COALESCE(status_at, 0), @at)`);
    // A state message proves the node is alive: mark it online too.
    this.upsertStateStmt = db.prepare(`
      INSERT INTO nodes (node, site, first_seen, last_seen, online, state_json, state_at)
      VALUES (@node, @site, @now, @now, 1, @json, @at)
      ON CONFLICT(node) DO UPDATE SET
        last_seen = @now,
        online = 1,
        state_json = CASE WHEN state_at IS NULL OR @at >= state_at THEN @json ELSE state_json END,
        state_at = MAX(COALESCE(state_at, 0), @at)`);
    this.getStmt = db.prepare<[string], NodeRow>('SELECT * FROM nodes WHERE node = ?');
    this.listStmt = db.prepare<[], NodeRow>('SELECT * FROM nodes ORDER BY node');
    this.setConfigStmt = db.prepare(`
      INSERT INTO nodes (node, site, first_seen, last_seen, online, config_version, config_json, config_at)
      VALUES (@node, @site, @now, @now, 1, @version, @json, @at)
      ON CONFLICT(node) DO UPDATE SET
        last_seen = @now,
        config_version = CASE WHEN config_at IS NULL OR @at >= config_at THEN @version ELSE config_version END,
        config_json = CASE WHEN config_at IS NULL OR @at >= config_at THEN @json ELSE config_json END,
        config_at = MAX(COALESCE(config_at, 0), @at)`);
    this.getConfigStmt = db.prepare<
      [string],
      { config_version: string | null; config_json: string | null; config_at: number | null }
    >('SELECT config_version, config_json, config_at FROM nodes WHERE node = ?');
  }

  recordConfig(site: string, report: NodeConfigReport, now: number): void {
    this.setConfigStmt.run({
      node: report.node,
      site,
      now,
      version: report.version,
      json: JSON.stringify(report.config),
      at: report.at,
    });
  }

  /** The configuration the node last reported running, if it reported one. */
  config(
    node: string,
  ): { version: string; config: Record<string, unknown>; at: number } | undefined {
    const row = this.getConfigStmt.get(node);
    if (!row?.config_version || !row.config_json) return undefined;
    return {
      version: row.config_version,
      config: JSON.parse(row.config_json) as Record<string, unknown>,
      at: row.config_at ?? 0,
    };
  }

  /**
   * Presence is ordered by arrival, not by the node's timestamp: a last will carries the time the
   * node connected, yet the broker publishes it after the node's later "online".
   */
  recordStatus(site: string, status: NodeStatus, now: number): void {
    this.upsertStatusStmt.run({
      node: status.node,
      site,
      now,
      online: status.online ? 1 : 0,
      at: now,
    });
  }

  recordState(site: string, state: NodeState, now: number): void {
    this.upsertStateStmt.run({
      node: state.node,
      site,
      now,
      json: JSON.stringify(state),
      at: state.at,
    });
  }

  get(node: string): NodeRecord | undefined {
    const row = this.getStmt.get(node);
    return row ? toRecord(row) : undefined;
  }

  list(): NodeRecord[] {
    return this.listStmt.all().map(toRecord);
  }
}
