/**
 * Configuration pushes and their per-node status as the agents report it: requested, then
 * accepted / rejected, applied, confirmed or rolled back.
 */
import type { Db } from './database.ts';
import type { ConfigPush } from './records.ts';

export type { ConfigPush };

/** A push was created (`from` null) or changed status; `at` is when the controller learnt it. */
export type PushListener = (push: ConfigPush, from: string | null, at: number) => void;

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
  private readonly insertStmt;
  private readonly updateStmt;
  private readonly getStmt;
  private readonly listStmt;
  private readonly unansweredStmt;
  private readonly listeners = new Set<PushListener>();

  constructor(db: Db) {
    this.insertStmt = db.prepare(`
      INSERT INTO config_pushes (id, node, version, status, reason, requested_by, created_at, updated_at, config_json)
      VALUES (@id, @node, @version, 'requested', 'sent to the node', @requested_by, @at, @at, @config_json)`);
    this.updateStmt = db.prepare(
      `UPDATE config_pushes SET status = ?, reason = ?, updated_at = ?,
         issues_json = COALESCE(?, issues_json) WHERE id = ?`,
    );
    this.getStmt = db.prepare<[string], PushRow>('SELECT * FROM config_pushes WHERE id = ?');
    this.unansweredStmt = db.prepare<[number], PushRow>(`
      SELECT * FROM config_pushes
      WHERE status IN ('requested', 'accepted', 'applied') AND updated_at < ?
      ORDER BY updated_at`);
    this.listStmt = db.prepare<[string | null, string | null, number], PushRow>(`
      SELECT * FROM config_pushes WHERE (? IS NULL OR node = ?)
      ORDER BY created_at DESC LIMIT ?`);
  }

  create(
    p: { id: string; node: string; version: string; requested_by: string; config: unknown },
    at: number,
  ): ConfigPush {
    this.insertStmt.run({ ...p, at, config_json: JSON.stringify(p.config) });
    const push = this.get(p.id)!;
    for (const l of [...this.listeners]) l(push, null, at);
    return push;
  }

  /**
   * Records a node's answer, with the issues it found when it gives them (a later answer
   * without issues keeps them); returns false for a push this controller never made.
   */
  update(
    id: string,
    status: string,
    reason: string,
    at: number,
    issues?: readonly { path: string; message: string }[],
  ): boolean {
    const json = issues && issues.length > 0 ? JSON.stringify(issues) : null;
    const before = this.listeners.size > 0 ? this.getStmt.get(id)?.status : undefined;
    const updated = this.updateStmt.run(status, reason, at, json, id).changes === 1;
    if (updated && before !== undefined && before !== status) {
      const push = this.get(id)!;
      for (const l of [...this.listeners]) l(push, before, at);
    }
    return updated;
  }

  /** Called when a push is created and whenever its status changes (the timeline hooks here). */
  onChange(listener: PushListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(id: string): ConfigPush | undefined {
    const row = this.getStmt.get(id);
    return row ? toPush(row) : undefined;
  }

  /** Pushes still waiting for the node's next answer, last heard of before `before`. */
  unanswered(before: number): ConfigPush[] {
    return this.unansweredStmt.all(before).map(toPush);
  }

  list(node?: string, limit = 100): ConfigPush[] {
    const n = node ?? null;
    return this.listStmt.all(n, n, Math.min(Math.max(limit, 1), 1000)).map(toPush);
  }
}
