/**
 * Firmware upgrade campaigns and the state of each of their nodes, as the campaign core decides
 * them: saved row by row as they change, so a restarted controller picks a campaign up where it
 * was (deadlines are absolute times).
 *
 * @example
 * await store.upgrades.saveCampaign(campaign);
 * await store.upgrades.saveNode(node);
 * (await store.upgrades.detail('c1'))?.nodes; // in campaign order
 */
import type { SqlSession } from './sql-session.ts';
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
  constructor(private readonly sql: SqlSession) {}

  async saveCampaign(c: UpgradeCampaign): Promise<void> {
    await this.sql.run(
      `INSERT INTO upgrade_campaigns (id, image_url, sha256, version, max_bytes, canary, wave_size,
        node_timeout_s, max_failures, status, reason, wave, waves, requested_by, created_at,
        updated_at, finished_at)
      VALUES (@id, @image_url, @sha256, @version, @max_bytes, @canary, @wave_size, @node_timeout_s,
        @max_failures, @status, @reason, @wave, @waves, @requested_by, @created_at, @updated_at,
        @finished_at)
      ON CONFLICT(id) DO UPDATE SET status = @status, reason = @reason, wave = @wave,
        updated_at = @updated_at, finished_at = @finished_at`,
      c,
    );
  }

  async saveNode(n: UpgradeCampaignNode): Promise<void> {
    await this.sql.run(
      `INSERT INTO upgrade_nodes (campaign_id, node, wave, position, state, step, reason, code,
        from_version, version, started_at, deadline, updated_at)
      VALUES (@campaign_id, @node, @wave, @position, @state, @step, @reason, @code, @from_version,
        @version, @started_at, @deadline, @updated_at)
      ON CONFLICT(campaign_id, node) DO UPDATE SET state = @state, step = @step, reason = @reason,
        code = @code, from_version = @from_version, version = @version, started_at = @started_at,
        deadline = @deadline, updated_at = @updated_at`,
      n,
    );
  }

  get(id: string): Promise<UpgradeCampaign | undefined> {
    return this.sql.get<UpgradeCampaign>('SELECT * FROM upgrade_campaigns WHERE id = ?', [id]);
  }

  async summary(c: UpgradeCampaign): Promise<UpgradeCampaignSummary> {
    const counts = { ...NO_COUNTS };
    const rows = await this.sql.all<{ state: UpgradeNodeState; n: number }>(
      'SELECT state, COUNT(*) AS n FROM upgrade_nodes WHERE campaign_id = ? GROUP BY state',
      [c.id],
    );
    for (const r of rows) counts[r.state] = r.n;
    return { ...c, counts };
  }

  async detail(id: string): Promise<UpgradeCampaignDetail | undefined> {
    const c = await this.get(id);
    return c ? { ...(await this.summary(c)), nodes: await this.nodes(id) } : undefined;
  }

  nodes(id: string): Promise<UpgradeCampaignNode[]> {
    return this.sql.all<UpgradeCampaignNode>(
      'SELECT * FROM upgrade_nodes WHERE campaign_id = ? ORDER BY position',
      [id],
    );
  }

  /** The newest campaigns first. */
  async list(limit = 100): Promise<UpgradeCampaignSummary[]> {
    const rows = await this.sql.all<UpgradeCampaign>(
      'SELECT * FROM upgrade_campaigns ORDER BY created_at DESC, id DESC LIMIT ?',
      [Math.min(Math.max(limit, 1), 1000)],
    );
    return Promise.all(rows.map((c) => this.summary(c)));
  }

  /** Campaigns the controller must still follow: running, or stopped with nodes still upgrading. */
  active(): Promise<UpgradeCampaign[]> {
    return this.sql.all<UpgradeCampaign>(`
      SELECT * FROM upgrade_campaigns c WHERE status = 'running' OR EXISTS (
        SELECT 1 FROM upgrade_nodes n WHERE n.campaign_id = c.id AND n.state = 'upgrading')
      ORDER BY created_at`);
  }
}
