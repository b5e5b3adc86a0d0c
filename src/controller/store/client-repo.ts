/**
 * The clients table (where each Wi-Fi station is now) and its roam history.
 *
 * @example
 * repo.upsert({ mac: 'aa:bb:cc:dd:ee:01', node: 'n3', ... });
 * repo.addRoam('aa:bb:cc:dd:ee:01', { at, from: 'n3', to: 'n7', method: 'ft-over-air', gap_ms: 38, source: 'node' });
 * repo.history('aa:bb:cc:dd:ee:01'); // newest first
 */
import type { ClientRecord, ClientRoam } from '../clients/client-records.ts';
import type { SqlSession } from './sql-session.ts';

interface ClientRow extends Omit<ClientRecord, 'associated'> {
  associated: number;
}

interface RoamRow {
  id: number;
  at: number;
  from_node: string;
  to_node: string;
  method: string | null;
  gap_ms: number | null;
  source: string;
}

export interface StoredRoam extends ClientRoam {
  id: number;
}

const toClient = (r: ClientRow): ClientRecord => ({ ...r, associated: r.associated === 1 });
const toRoam = (r: RoamRow): StoredRoam => ({
  id: r.id,
  at: r.at,
  from: r.from_node,
  to: r.to_node,
  method: r.method,
  gap_ms: r.gap_ms,
  source: r.source === 'node' ? 'node' : 'controller',
});

export class ClientRepo {
  constructor(private readonly sql: SqlSession) {}

  async get(mac: string): Promise<ClientRecord | undefined> {
    const r = await this.sql.get<ClientRow>('SELECT * FROM clients WHERE mac = ?', [mac]);
    return r ? toClient(r) : undefined;
  }

  async upsert(c: ClientRecord): Promise<void> {
    await this.sql.run(
      `INSERT INTO clients (mac, node, ssid, vlan, iface, signal_dbm, since, last_seen, associated, method, roams)
      VALUES (@mac, @node, @ssid, @vlan, @iface, @signal_dbm, @since, @last_seen, @associated, @method, @roams)
      ON CONFLICT(mac) DO UPDATE SET node = @node, ssid = @ssid, vlan = @vlan, iface = @iface,
        signal_dbm = @signal_dbm, since = @since, last_seen = @last_seen, associated = @associated,
        method = @method, roams = @roams`,
      { ...c, associated: c.associated ? 1 : 0 },
    );
  }

  /** The clients associated to `node` now. */
  async atNode(node: string): Promise<ClientRecord[]> {
    const rows = await this.sql.all<ClientRow>(
      'SELECT * FROM clients WHERE node = ? AND associated = 1 ORDER BY mac',
      [node],
    );
    return rows.map(toClient);
  }

  /**
   * Every known client, or those whose MAC contains `q` (lower-case hex and colons), newest
   * association first.
   */
  async list(q?: string, limit = 1000): Promise<ClientRecord[]> {
    const where = q ? "WHERE mac LIKE ? ESCAPE '\\'" : '';
    const args: (string | number)[] = q ? [`%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`] : [];
    args.push(Math.min(Math.max(limit, 1), 10_000));
    const rows = await this.sql.all<ClientRow>(
      `SELECT * FROM clients ${where} ORDER BY since DESC, mac LIMIT ?`,
      args,
    );
    return rows.map(toClient);
  }

  async addRoam(mac: string, r: ClientRoam): Promise<void> {
    await this.sql.run(
      'INSERT INTO client_roams (mac, at, from_node, to_node, method, gap_ms, source) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [mac, r.at, r.from, r.to, r.method, r.gap_ms, r.source],
    );
  }

  async lastRoam(mac: string): Promise<StoredRoam | undefined> {
    const r = await this.sql.get<RoamRow>(
      'SELECT * FROM client_roams WHERE mac = ? ORDER BY at DESC, id DESC LIMIT 1',
      [mac],
    );
    return r ? toRoam(r) : undefined;
  }

  async updateRoam(
    id: number,
    r: Pick<ClientRoam, 'from' | 'method' | 'gap_ms' | 'source'>,
  ): Promise<void> {
    await this.sql.run(
      'UPDATE client_roams SET from_node = ?, method = ?, gap_ms = ?, source = ? WHERE id = ?',
      [r.from, r.method, r.gap_ms, r.source, id],
    );
  }

  /** The client's roams, newest first. */
  async history(mac: string, limit = 500): Promise<ClientRoam[]> {
    const rows = await this.sql.all<RoamRow>(
      'SELECT * FROM client_roams WHERE mac = ? ORDER BY at DESC, id DESC LIMIT ?',
      [mac, Math.min(Math.max(limit, 1), 5000)],
    );
    return rows.map((row) => {
      const { id: _id, ...roam } = toRoam(row);
      return roam;
    });
  }

  /** Forgets roams older than `before`, and clients last seen before it; returns the roams. */
  async prune(before: number): Promise<number> {
    await this.sql.run('DELETE FROM clients WHERE last_seen < ? AND associated = 0', [before]);
    return this.sql.run('DELETE FROM client_roams WHERE at < ?', [before]);
  }
}
