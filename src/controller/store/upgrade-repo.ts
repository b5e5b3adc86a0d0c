/**
 * Firmware upgrade campaigns and the state of each of their nodes, as the campaign core decides
 * them: saved row by row as they change, so a restarted controller picks a campaign up where it
 * was (deadlines are absolute times).
 *
 * @example
 * store.upgrades.saveCampaign(campaign);
 * store.upgrades.saveNode(node);
 * store.upgrades.detail('c1')?.nodes; // in campaign order
 */
import type { Db } from './database.ts';
import type {
  UpgradeCampaign,
  UpgradeCampaignDetail,
  UpgradeCampaignNode,
  UpgradeCampaignSummary,
  UpgradeNodeState,
} from './records.ts';

const NO_COUNTS: Record<UpgradeNodeState, number> = {
  pending: 0,
  upgrading: 0,
  done: 0,
  failed: 0,
  skipped: 0,
};

export class UpgradeRepo {
  private readonly saveCampaignStmt;
  private readonly saveNodeStmt;
  private readonly getStmt;
  private readonly listStmt;
  private readonly nodesStmt;
  private readonly countsStmt;
  private readonly activeStmt;

  constructor(db: Db) {
    this.saveCampaignStmt = db.prepare(`
      INSERT INTO upgrade_campaigns (id, image_url, sha256, version, max_bytes, canary, wave_size,
        node_timeout_s, max_failures, status, reason, wave, waves, requested_by, created_at,
        updated_at, finished_at)
      VALUES (@id, @image_url, @sha256, @version, @max_bytes, @canary, @wave_size, @node_timeout_s,
        @max_failures, @status, @reason, @wave, @waves, @requested_by, @created_at, @updated_at,
        @finished_at)
      ON CONFLICT(id) DO UPDATE SET status = @status, reason = @reason, wave = @wave,
        updated_at = @updated_at, finished_at = @finished_at`);
    this.saveNodeStmt = db.prepare(`
      INSERT INTO upgrade_nodes (campaign_id, node, wave, position, state, step, reason, code,
        from_version, version, started_at, deadline, updated_at)
      VALUES (@campaign_id, @node, @wave, @position, @state, @step, @reason, @code, @from_version,
        @version, @started_at, @deadline, @updated_at)
      ON CONFLICT(campaign_id, node) DO UPDATE SET state = @state, step = @step, reason = @reason,
        code = @code, from_version = @from_version, version = @version, started_at = @started_at,
        deadline = @deadline, updated_at = @updated_at`);
    this.getStmt = db.prepare<[string], UpgradeCampaign>(
      'SELECT * FROM upgrade_campaigns WHERE id = ?',
    );
    this.listStmt = db.prepare<[number], UpgradeCampaign>(
      'SELECT * FROM upgrade_campaigns ORDER BY created_at DESC, id DESC LIMIT ?',
    );
    this.nodesStmt = db.prepare<[string], UpgradeCampaignNode>(
      'SELECT * FROM upgrade_nodes WHERE campaign_id = ? ORDER BY position',
    );
    this.countsStmt = db.prepare<[string], { state: UpgradeNodeState; n: number }>(
      'SELECT state, COUNT(*) AS n FROM upgrade_nodes WHERE campaign_id = ? GROUP BY state',
    );
    // Running, or stopped with nodes still upgrading (they are followed to their end).
    this.activeStmt = db.prepare<[], UpgradeCampaign>(`
      SELECT * FROM upgrade_campaigns c WHERE status = 'running' OR EXISTS (
        SELECT 1 FROM upgrade_nodes n WHERE n.campaign_id = c.id AND n.state = 'upgrading')
      ORDER BY created_at`);
  }

  saveCampaign(c: UpgradeCampaign): void {
    this.saveCampaignStmt.run(c);
  }

  saveNode(n: UpgradeCampaignNode): void {
    this.saveNodeStmt.run(n);
  }

  get(id: string): UpgradeCampaign | undefined {
    return this.getStmt.get(id);
  }

  summary(c: UpgradeCampaign): UpgradeCampaignSummary {
    const counts = { ...NO_COUNTS };
    for (const r of this.countsStmt.all(c.id)) counts[r.state] = r.n;
    return { ...c, counts };
  }

  detail(id: string): UpgradeCampaignDetail | undefined {
    const c = this.get(id);
    return c ? { ...this.summary(c), nodes: this.nodes(id) } : undefined;
  }

  nodes(id: string): UpgradeCampaignNode[] {
    return this.nodesStmt.all(id);
  }

  /** The newest campaigns first. */
  list(limit = 100): UpgradeCampaignSummary[] {
    return this.listStmt.all(Math.min(Math.max(limit, 1), 1000)).map((c) => this.summary(c));
  }

  /** Campaigns the controller must still follow. */
  active(): UpgradeCampaign[] {
    return this.activeStmt.all();
  }
}
