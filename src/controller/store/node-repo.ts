/**
 * The node inventory: every node ever heard, whether it is online, and its latest state.
 */
import type { NodeConfigReport, NodeState, NodeStatus } from '../../mqtt/messages.ts';
import { greatest, type SqlSession, type SyncSql } from './sql-session.ts';
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

/**
 * The columns of a NodeRecord, not `*`: the node's reported configuration (config_json, often
 * kilobytes a node) is read only by `config()`, not with every list of the whole site.
 */
const RECORD_COLUMNS = 'node, site, first_seen, last_seen, online, state_json, state_at';
const GET_SQL = `SELECT ${RECORD_COLUMNS} FROM nodes WHERE node = ?`;
const LIST_SQL = `SELECT ${RECORD_COLUMNS} FROM nodes ORDER BY node`;

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

function stateRow(site: string, state: NodeState, now: number): object {
  return { node: state.node, site, now, json: JSON.stringify(state), at: state.at };
}

export class NodeRepo {
  // Built once: a statement is found by its text, and a text built per call must be hashed and
  // compared whole each time (the ingest records a state for most batches' nodes).
  private readonly configSql: string;
  private readonly statusSql: string;
  private readonly stateSql: string;

  constructor(private readonly sql: SqlSession) {
    const max = greatest(sql.dialect);
    this.configSql = `INSERT INTO nodes (node, site, first_seen, last_seen, online, config_version, config_json, config_at)
      VALUES (@node, @site, @now, @now, 1, @version, @json, @at)
      ON CONFLICT(node) DO UPDATE SET
        last_seen = @now,
        config_version = CASE WHEN nodes.config_at IS NULL OR @at >= nodes.config_at THEN @version ELSE nodes.config_version END,
        config_json = CASE WHEN nodes.config_at IS NULL OR @at >= nodes.config_at THEN @json ELSE nodes.config_json END,
        config_at = ${max}(COALESCE(nodes.config_at, 0), @at)`;
    this.statusSql = `INSERT INTO nodes (node, site, first_seen, last_seen, online, status_at)
      VALUES (@node, @site, @now, @now, @online, @at)
      ON CONFLICT(node) DO UPDATE SET
        last_seen = @now,
        online = CASE WHEN nodes.status_at IS NULL OR @at >= nodes.status_at THEN @online ELSE nodes.online END,
        status_at = ${max}(COALESCE(nodes.status_at, 0), @at)`;
    this.stateSql = `INSERT INTO nodes (node, site, first_seen, last_seen, online, state_json, state_at)
      VALUES (@node, @site, @now, @now, 1, @json, @at)
      ON CONFLICT(node) DO UPDATE SET
        last_seen = @now,
        online = 1,
        state_json = CASE WHEN nodes.state_at IS NULL OR @at >= nodes.state_at THEN @json ELSE nodes.state_json END,
        state_at = ${max}(COALESCE(nodes.state_at, 0), @at)`;
  }

  async recordConfig(site: string, report: NodeConfigReport, now: number): Promise<void> {
    await this.sql.run(this.configSql, {
      node: report.node,
      site,
      now,
      version: report.version,
      json: JSON.stringify(report.config),
      at: report.at,
    });
  }

  /** The configuration the node last reported running, if it reported one. */
  async config(
    node: string,
  ): Promise<{ version: string; config: Record<string, unknown>; at: number } | undefined> {
    const row = await this.sql.get<{
      config_version: string | null;
      config_json: string | null;
      config_at: number | null;
    }>('SELECT config_version, config_json, config_at FROM nodes WHERE node = ?', [node]);
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
  async recordStatus(site: string, status: NodeStatus, now: number): Promise<void> {
    await this.sql.run(this.statusSql, {
      node: status.node,
      site,
      now,
      online: status.online ? 1 : 0,
      at: now,
    });
  }

  /** A state message proves the node is alive: it is marked online too. */
  async recordState(site: string, state: NodeState, now: number): Promise<void> {
    await this.sql.run(this.stateSql, stateRow(site, state, now));
  }

  /** `recordState` through a SQLite transaction's synchronous statements (`SqlSession.sync`). */
  recordStateNow(sync: SyncSql, site: string, state: NodeState, now: number): void {
    sync.run(this.stateSql, stateRow(site, state, now));
  }

  async get(node: string): Promise<NodeRecord | undefined> {
    const row = await this.sql.get<NodeRow>(GET_SQL, [node]);
    return row ? toRecord(row) : undefined;
  }

  async list(): Promise<NodeRecord[]> {
    return (await this.sql.all<NodeRow>(LIST_SQL)).map(toRecord);
  }
}
