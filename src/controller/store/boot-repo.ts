/**
 * Each node's current boot as the controller last heard of it: the boot id of its online
 * announcement and the uptime of its last state. The node timeline compares the next ones with
 * these to tell a reboot from a reconnect.
 */
import type { SqlSession, SyncSql } from './sql-session.ts';

export interface NodeBoot {
  boot_id: string | null;
  uptime_s: number | null;
  at: number;
}

/** One node's row of `node_boots`. */
export interface NodeBootRow extends NodeBoot {
  node: string;
}

const GET_BOOT = 'SELECT boot_id, uptime_s, at FROM node_boots WHERE node = ?';
const SET_UPTIME = `INSERT INTO node_boots (node, boot_id, uptime_s, at) VALUES (@node, NULL, @uptime_s, @at)
      ON CONFLICT(node) DO UPDATE SET uptime_s = @uptime_s, at = @at`;

export class BootRepo {
  constructor(private readonly sql: SqlSession) {}

  get(node: string): Promise<NodeBoot | undefined> {
    return this.sql.get<NodeBoot>(GET_BOOT, [node]);
  }

  /** The rows of `nodes` (those that have one), in one query. PostgreSQL only (`ANY`). */
  getAll(nodes: readonly string[]): Promise<NodeBootRow[]> {
    return this.sql.all<NodeBootRow>(
      'SELECT node, boot_id, uptime_s, at FROM node_boots WHERE node = ANY(CAST(? AS TEXT[]))',
      [nodes],
    );
  }

  /**
   * Sets each row whole (inserted, or every column replaced), in one statement: at most one row
   * per node, as one statement cannot update a row twice. PostgreSQL only (`unnest`).
   */
  async putAll(rows: readonly NodeBootRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.sql.run(
      `INSERT INTO node_boots (node, boot_id, uptime_s, at)
      SELECT * FROM unnest(CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS DOUBLE PRECISION[]), CAST(? AS DOUBLE PRECISION[]))
      ON CONFLICT(node) DO UPDATE SET boot_id = excluded.boot_id, uptime_s = excluded.uptime_s, at = excluded.at`,
      [
        rows.map((r) => r.node),
        rows.map((r) => r.boot_id),
        rows.map((r) => r.uptime_s),
        rows.map((r) => r.at),
      ],
    );
  }

  /** `get` through a SQLite transaction's synchronous statements (`SqlSession.sync`). */
  getNow(sync: SyncSql, node: string): NodeBoot | undefined {
    return sync.get<NodeBoot>(GET_BOOT, [node]);
  }

  async setBootId(node: string, bootId: string, at: number): Promise<void> {
    await this.sql.run(
      `INSERT INTO node_boots (node, boot_id, uptime_s, at) VALUES (@node, @boot_id, NULL, @at)
      ON CONFLICT(node) DO UPDATE SET boot_id = @boot_id, at = @at`,
      { node, boot_id: bootId, at },
    );
  }

  async setUptime(node: string, uptimeS: number, at: number): Promise<void> {
    await this.sql.run(SET_UPTIME, { node, uptime_s: uptimeS, at });
  }

  /** `setUptime` through a SQLite transaction's synchronous statements. */
  setUptimeNow(sync: SyncSql, node: string, uptimeS: number, at: number): void {
    sync.run(SET_UPTIME, { node, uptime_s: uptimeS, at });
  }
}
