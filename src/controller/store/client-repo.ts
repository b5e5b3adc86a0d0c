/**
 * The clients table (where each Wi-Fi station is now) and its roam history.
 *
 * @example
 * repo.upsert({ mac: 'aa:bb:cc:dd:ee:01', node: 'n3', ... });
 * repo.addRoam('aa:bb:cc:dd:ee:01', { at, from: 'n3', to: 'n7', method: 'ft-over-air', gap_ms: 38, source: 'node' });
 * repo.history('aa:bb:cc:dd:ee:01'); // newest first
 */
import type { ClientRecord, ClientRoam } from '../clients/client-records.ts';
import type { Db } from './database.ts';

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
  private readonly getStmt;
  private readonly upsertStmt;
  private readonly atNodeStmt;
  private readonly roamStmt;
  private readonly lastRoamStmt;
  private readonly updateRoamStmt;
  private readonly historyStmt;

  constructor(private readonly db: Db) {
    this.getStmt = db.prepare<[string], ClientRow>('SELECT * FROM clients WHERE mac = ?');
    this.upsertStmt = db.prepare(`
      INSERT INTO clients (mac, node, ssid, vlan, iface, signal_dbm, since, last_seen, associated, method, roams)
      VALUES (@mac, @node, @ssid, @vlan, @iface, @signal_dbm, @since, @last_seen, @associated, @method, @roams)
      ON CONFLICT(mac) DO UPDATE SET node = @node, ssid = @ssid, vlan = @vlan, iface = @iface,
        signal_dbm = @signal_dbm, since = @since, last_seen = @last_seen, associated = @associated,
        method = @method, roams = @roams`);
    this.atNodeStmt = db.prepare<[string], ClientRow>(
      'SELECT * FROM clients WHERE node = ? AND associated = 1 ORDER BY mac',
    );
    this.roamStmt = db.prepare(
      'INSERT INTO client_roams (mac, at, from_node, to_node, method, gap_ms, source) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.lastRoamStmt = db.prepare<[string], RoamRow>(
      'SELECT * FROM client_roams WHERE mac = ? ORDER BY at DESC, id DESC LIMIT 1',
    );
    this.updateRoamStmt = db.prepare(
      'UPDATE client_roams SET from_node = ?, method = ?, gap_ms = ?, source = ? WHERE id = ?',
    );
    this.historyStmt = db.prepare<[string, number], RoamRow>(
      'SELECT * FROM client_roams WHERE mac = ? ORDER BY at DESC, id DESC LIMIT ?',
    );
  }

  get(mac: string): ClientRecord | undefined {
    const r = this.getStmt.get(mac);
    return r ? toClient(r) : undefined;
  }

  upsert(c: ClientRecord): void {
    this.upsertStmt.run({ ...c, associated: c.associated ? 1 : 0 });
  }

  /** The clients associated to `node` now. */
  atNode(node: string): ClientRecord[] {
    return this.atNodeStmt.all(node).map(toClient);
  }

  /**
   * Every known client, or those whose MAC contains `q` (lower-case hex and colons), newest
   * association first.
   */
  list(q?: string, limit = 1000): ClientRecord[] {
    const where = q ? "WHERE mac LIKE ? ESCAPE '\\'" : '';
    const args: (string | number)[] = q ? [`%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`] : [];
    args.push(Math.min(Math.max(limit, 1), 10_000));
    return this.db
      .prepare<(string | number)[], ClientRow>(
        `SELECT * FROM clients ${where} ORDER BY since DESC, mac LIMIT ?`,
      )
      .all(...args)
      .map(toClient);
  }

  addRoam(mac: string, r: ClientRoam): void {
    this.roamStmt.run(mac, r.at, r.from, r.to, r.method, r.gap_ms, r.source);
  }

  lastRoam(mac: string): StoredRoam | undefined {
    const r = this.lastRoamStmt.get(mac);
    return r ? toRoam(r) : undefined;
  }

  updateRoam(id: number, r: Pick<ClientRoam, 'from' | 'method' | 'gap_ms' | 'source'>): void {
    this.updateRoamStmt.run(r.from, r.method, r.gap_ms, r.source, id);
  }

  /** The client's roams, newest first. */
  history(mac: string, limit = 500): ClientRoam[] {
    return this.historyStmt.all(mac, Math.min(Math.max(limit, 1), 5000)).map((row) => {
      const { id: _id, ...roam } = toRoam(row);
      return roam;
    });
  }

  /** Forgets roams older than `before`, and clients last seen before it; returns the roams. */
  prune(before: number): number {
    this.db.prepare('DELETE FROM clients WHERE last_seen < ? AND associated = 0').run(before);
    return this.db.prepare('DELETE FROM client_roams WHERE at < ?').run(before).changes;
  }
}
