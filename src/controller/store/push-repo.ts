/**
 * Configuration pushes and their per-node status as the agents report it: requested, then
 * accepted / rejected, applied, confirmed or rolled back.
 */
import type { SqlSession } from './sql-session.ts';
import type { ConfigPush } from './records.ts';

export type { ConfigPush };

/** A push was created (`from` null) or changed status; `at` is when the controller learnt it. */
export type PushListener = (push: ConfigPush, from: string | null, at: number) => Promise<unknown>;

interface PushRow extends Omit<ConfigPush, 'config' | 'issues'> {
  config_json: string;
  issues_json: string | null;
}

const toPush = ({ config_json, issues_json, ...rest }: PushRow): ConfigPush => ({
  ...rest,
  config: JSON.parse(config_json) as unknown,
  issues: issues_json ? (JSON.parse(issues_json) as ConfigPush['issues']) : [],
});

export class PushRepo {
  /** `changed` runs when a push is created and whenever its status changes (the timeline). */
  constructor(
    private readonly sql: SqlSession,
    private readonly changed: PushListener,
  ) {}

  async create(
    p: { id: string; node: string; version: string; requested_by: string; config: unknown },
    at: number,
  ): Promise<ConfigPush> {
    await this.sql.run(
      `INSERT INTO config_pushes (id, node, version, status, reason, requested_by, created_at, updated_at, config_json)
      VALUES (@id, @node, @version, 'requested', 'sent to the node', @requested_by, @at, @at, @config_json)`,
      { ...p, at, config_json: JSON.stringify(p.config) },
    );
    const push = (await this.get(p.id))!;
    await this.changed(push, null, at);
    return push;
  }

  /**
   * Records a node's answer, with the issues it found when it gives them (a later answer
   * without issues keeps them); returns false for a push this controller never made.
   */
  async update(
    id: string,
    status: string,
    reason: string,
    at: number,
    issues?: readonly { path: string; message: string }[],
  ): Promise<boolean> {
    const json = issues && issues.length > 0 ? JSON.stringify(issues) : null;
    const before = (
      await this.sql.get<{ status: string }>('SELECT status FROM config_pushes WHERE id = ?', [id])
    )?.status;
    const updated =
      (await this.sql.run(
        `UPDATE config_pushes SET status = ?, reason = ?, updated_at = ?,
         issues_json = COALESCE(?, issues_json) WHERE id = ?`,
        [status, reason, at, json, id],
      )) === 1;
    if (updated && before !== undefined && before !== status) {
      await this.changed((await this.get(id))!, before, at);
    }
    return updated;
  }

  async get(id: string): Promise<ConfigPush | undefined> {
    const row = await this.sql.get<PushRow>('SELECT * FROM config_pushes WHERE id = ?', [id]);
    return row ? toPush(row) : undefined;
  }

  /** Pushes still waiting for the node's next answer, last heard of before `before`. */
  async unanswered(before: number): Promise<ConfigPush[]> {
    const rows = await this.sql.all<PushRow>(
      `SELECT * FROM config_pushes
      WHERE status IN ('requested', 'accepted', 'applied') AND updated_at < ?
      ORDER BY updated_at`,
      [before],
    );
    return rows.map(toPush);
  }

  async list(node?: string, limit = 100): Promise<ConfigPush[]> {
    const n = Math.min(Math.max(limit, 1), 1000);
    const rows =
      node === undefined
        ? await this.sql.all<PushRow>(
            'SELECT * FROM config_pushes ORDER BY created_at DESC LIMIT ?',
            [n],
          )
        : await this.sql.all<PushRow>(
            'SELECT * FROM config_pushes WHERE node = ? ORDER BY created_at DESC LIMIT ?',
            [node, n],
          );
    return rows.map(toPush);
  }
}
