/**
 * The radio tables: gateways, radio nodes and their status, each gateway's sighting of each
 * node, RTT history, messages and scan graphs. A node's view merges its sightings: the gateways
 * that report it, the freshest last-heard time and the hops and RTT of the gateway that heard it
 * last, the best link quality.
 *
 * @example
 * await store.radio.recordSighting(report, now);
 * (await store.radio.records()).map(radioNodeView); // [{ address: 69, network: 'field', gateways: ['gw-1'], ... }]
 */
import { greatest, type SqlSession } from '../store/sql-session.ts';
import type { RadioNodeReport } from '../../mqtt/radio-messages.ts';
import type {
  RadioGatewayView,
  RadioGraphRecord,
  RadioMessageView,
  RadioNodeStatus,
  RadioNodeView,
} from './radio-records.ts';

interface NodeRow {
  network: string;
  address: number;
  label: string | null;
  status: RadioNodeStatus;
  first_seen: number;
  status_since: number;
}

interface SightingRow {
  network: string;
  address: number;
  gateway: string;
  last_heard: number | null;
  hops: number | null;
  rtt_ms: number | null;
  rtt_at: number | null;
  link_quality: number | null;
  neighbours: string;
}

interface MessageRow {
  id: number;
  at: number;
  network: string;
  address: number;
  direction: 'from-node' | 'to-node';
  gateway: string;
  bytes: Buffer;
}

/** Kept per node; older RTT points are dropped as new ones come. */
const RTT_KEPT = 500;
/** Kept in all; the oldest messages go first. */
const MESSAGES_KEPT = 10_000;

export interface RadioNodeRecord extends NodeRow {
  sightings: SightingRow[];
}

export class RadioRepo {
  constructor(private readonly sql: SqlSession) {}

  async upsertGateway(
    id: string,
    network: string,
    address: number | null,
    online: boolean,
    at: number,
  ): Promise<void> {
    await this.sql.run(
      `INSERT INTO radio_gateways (id, network, address, online, last_seen) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET network = excluded.network,
         address = COALESCE(excluded.address, radio_gateways.address),
         online = excluded.online, last_seen = excluded.last_seen`,
      [id, network, address, online ? 1 : 0, at],
    );
  }

  /** Marks a gateway seen (any message from it) without changing its online flag. */
  async touchGateway(id: string, network: string, at: number): Promise<void> {
    await this.sql.run(
      `INSERT INTO radio_gateways (id, network, address, online, last_seen) VALUES (?, ?, NULL, 1, ?)
       ON CONFLICT(id) DO UPDATE SET last_seen = ${greatest(this.sql.dialect)}(radio_gateways.last_seen, excluded.last_seen)`,
      [id, network, at],
    );
  }

  async gateways(): Promise<RadioGatewayView[]> {
    const rows = await this.sql.all<{
      id: string;
      network: string;
      address: number | null;
      online: number;
      last_seen: number;
    }>('SELECT * FROM radio_gateways ORDER BY network, id');
    return rows.map((g) => ({ ...g, online: g.online === 1 }));
  }

  /** Stores a gateway's report of a node; true when the node was not known before. */
  async recordSighting(r: RadioNodeReport, at: number): Promise<boolean> {
    const fresh = await this.ensureNode(r.network, r.address, at);
    const before = await this.sql.get<{ rtt_at: number | null }>(
      'SELECT rtt_at FROM radio_sightings WHERE network = ? AND address = ? AND gateway = ?',
      [r.network, r.address, r.gateway],
    );
    const max = greatest(this.sql.dialect);
    await this.sql.run(
      `INSERT INTO radio_sightings (network, address, gateway, last_heard, hops, rtt_ms, rtt_at, link_quality, neighbours, reported_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(network, address, gateway) DO UPDATE SET
         last_heard = ${max}(COALESCE(excluded.last_heard, 0), COALESCE(radio_sightings.last_heard, 0)),
         hops = excluded.hops, rtt_ms = excluded.rtt_ms, rtt_at = excluded.rtt_at,
         link_quality = excluded.link_quality, neighbours = excluded.neighbours,
         reported_at = excluded.reported_at`,
      [
        r.network,
        r.address,
        r.gateway,
        r.last_heard === null ? null : Math.min(r.last_heard, at),
        r.hops,
        r.rtt_ms,
        r.rtt_at,
        r.link_quality,
        JSON.stringify(r.neighbours),
        at,
      ],
    );
    // A sighting's last_heard of 0 means "never": keep NULL rather than the epoch.
    await this.sql.run(
      'UPDATE radio_sightings SET last_heard = NULL WHERE network = ? AND address = ? AND gateway = ? AND last_heard = 0',
      [r.network, r.address, r.gateway],
    );
    if (r.rtt_ms !== null && r.rtt_at !== null && r.rtt_at !== before?.rtt_at)
      await this.addRtt(r.network, r.address, Math.min(r.rtt_at, at), r.rtt_ms, r.gateway);
    return fresh;
  }

  /** A gateway heard the node (a pong to a command, a message): its last-heard moves. */
  async heard(
    network: string,
    address: number,
    gateway: string,
    at: number,
    hops?: number,
  ): Promise<boolean> {
    const fresh = await this.ensureNode(network, address, at);
    await this.sql.run(
      `INSERT INTO radio_sightings (network, address, gateway, last_heard, hops, reported_at)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(network, address, gateway) DO UPDATE SET
         last_heard = ${greatest(this.sql.dialect)}(COALESCE(radio_sightings.last_heard, 0), excluded.last_heard),
         hops = COALESCE(excluded.hops, radio_sightings.hops)`,
      [network, address, gateway, at, hops ?? null, at],
    );
    return fresh;
  }

  async addRtt(
    network: string,
    address: number,
    at: number,
    rttMs: number,
    gateway: string,
  ): Promise<void> {
    await this.sql.run(
      'INSERT INTO radio_rtt (network, address, at, rtt_ms, gateway) VALUES (?, ?, ?, ?, ?)',
      [network, address, at, rttMs, gateway],
    );
    await this.sql.run(
      `UPDATE radio_sightings SET rtt_ms = ?, rtt_at = ? WHERE network = ? AND address = ? AND gateway = ?
         AND (rtt_at IS NULL OR rtt_at <= ?)`,
      [rttMs, at, network, address, gateway, at],
    );
    // `rowid`: SQLite's own row id; the PostgreSQL table has a column of that name.
    await this.sql.run(
      `DELETE FROM radio_rtt WHERE network = ? AND address = ? AND rowid NOT IN
         (SELECT rowid FROM radio_rtt WHERE network = ? AND address = ? ORDER BY at DESC LIMIT ${RTT_KEPT})`,
      [network, address, network, address],
    );
  }

  async rttHistory(
    network: string,
    address: number,
    limit = 100,
  ): Promise<{ at: number; rtt_ms: number; gateway: string }[]> {
    const rows = await this.sql.all<{ at: number; rtt_ms: number; gateway: string }>(
      'SELECT at, rtt_ms, gateway FROM radio_rtt WHERE network = ? AND address = ? ORDER BY at DESC LIMIT ?',
      [network, address, limit],
    );
    return rows.reverse();
  }

  async setStatus(
    network: string,
    address: number,
    status: RadioNodeStatus,
    at: number,
  ): Promise<void> {
    await this.sql.run(
      'UPDATE radio_nodes SET status = ?, status_since = ? WHERE network = ? AND address = ?',
      [status, at, network, address],
    );
  }

  async record(network: string, address: number): Promise<RadioNodeRecord | undefined> {
    const row = await this.sql.get<NodeRow>(
      'SELECT * FROM radio_nodes WHERE network = ? AND address = ?',
      [network, address],
    );
    if (!row) return undefined;
    return { ...row, sightings: await this.sightingsOf(network, address) };
  }

  async records(): Promise<RadioNodeRecord[]> {
    const rows = await this.sql.all<NodeRow>('SELECT * FROM radio_nodes ORDER BY network, address');
    const sightings = await this.sql.all<SightingRow>(
      'SELECT * FROM radio_sightings ORDER BY network, address, gateway',
    );
    const by = new Map<string, SightingRow[]>();
    for (const s of sightings) {
      const k = `${s.network}/${s.address}`;
      by.set(k, [...(by.get(k) ?? []), s]);
    }
    return rows.map((r) => ({ ...r, sightings: by.get(`${r.network}/${r.address}`) ?? [] }));
  }

  /** Networks that have a node at this address (addresses are per network). */
  async networksOf(address: number): Promise<string[]> {
    const rows = await this.sql.all<{ network: string }>(
      'SELECT network FROM radio_nodes WHERE address = ? ORDER BY network',
      [address],
    );
    return rows.map((r) => r.network);
  }

  async addMessage(
    m: Omit<RadioMessageView, 'id' | 'text' | 'bytes_hex' | 'size'> & { bytes: Uint8Array },
  ): Promise<RadioMessageView> {
    const row = await this.sql.get<{ id: number }>(
      'INSERT INTO radio_messages (network, address, at, direction, gateway, bytes) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
      [m.network, m.address, m.at, m.direction, m.gateway, Buffer.from(m.bytes)],
    );
    const id = row!.id;
    await this.sql.run(`DELETE FROM radio_messages WHERE id <= ? - ${MESSAGES_KEPT}`, [id]);
    return messageView({ ...m, id, bytes: Buffer.from(m.bytes) });
  }

  async messages(q: {
    network?: string;
    address?: number;
    limit?: number;
  }): Promise<RadioMessageView[]> {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (q.network !== undefined) {
      where.push('network = ?');
      args.push(q.network);
    }
    if (q.address !== undefined) {
      where.push('address = ?');
      args.push(q.address);
    }
    args.push(q.limit ?? 100);
    const rows = await this.sql.all<MessageRow>(
      `SELECT * FROM radio_messages ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
      args,
    );
    return rows.map(messageView);
  }

  async saveGraph(g: RadioGraphRecord): Promise<void> {
    await this.sql.run(
      `INSERT INTO radio_graphs (network, gateway, at, origin, nodes, edges) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(network, gateway) DO UPDATE SET at = excluded.at, origin = excluded.origin,
         nodes = excluded.nodes, edges = excluded.edges`,
      [g.network, g.gateway, g.at, g.origin, JSON.stringify(g.nodes), JSON.stringify(g.edges)],
    );
  }

  async graphs(): Promise<RadioGraphRecord[]> {
    const rows = await this.sql.all<{
      network: string;
      gateway: string;
      at: number;
      origin: number;
      nodes: string;
      edges: string;
    }>('SELECT * FROM radio_graphs ORDER BY network, gateway');
    return rows.map((g) => ({
      ...g,
      nodes: JSON.parse(g.nodes) as number[],
      edges: JSON.parse(g.edges) as [number, number][],
    }));
  }

  private async ensureNode(network: string, address: number, at: number): Promise<boolean> {
    const changed = await this.sql.run(
      `INSERT INTO radio_nodes (network, address, status, first_seen, status_since)
       VALUES (?, ?, 'reachable', ?, ?) ON CONFLICT(network, address) DO NOTHING`,
      [network, address, at, at],
    );
    return changed === 1;
  }

  private sightingsOf(network: string, address: number): Promise<SightingRow[]> {
    return this.sql.all<SightingRow>(
      'SELECT * FROM radio_sightings WHERE network = ? AND address = ? ORDER BY gateway',
      [network, address],
    );
  }
}

/** The merged view of a node from its sightings. */
export function radioNodeView(r: RadioNodeRecord): RadioNodeView {
  let latest: SightingRow | undefined;
  let lastRtt: SightingRow | undefined;
  let quality: number | null = null;
  for (const s of r.sightings) {
    if (s.last_heard !== null && (latest?.last_heard == null || s.last_heard > latest.last_heard))
      latest = s;
    if (s.rtt_at !== null && (lastRtt?.rtt_at == null || s.rtt_at > lastRtt.rtt_at)) lastRtt = s;
    if (s.link_quality !== null) quality = Math.max(quality ?? 0, s.link_quality);
  }
  const heard = latest?.last_heard == null ? null : Math.round(latest.last_heard);
  return {
    address: r.address,
    network: r.network,
    ...(r.label !== null ? { label: r.label } : {}),
    gateways: r.sightings.map((s) => s.gateway),
    last_heard: heard === null ? null : new Date(heard).toISOString(),
    last_heard_ms: heard,
    hops: shortest(r.sightings, heard),
    rtt_ms: lastRtt?.rtt_ms ?? null,
    status: r.status,
    link_quality: quality,
  };
}

/** A sighting this much older than the freshest no longer says how far the node is. */
const STALE_SIGHTING_MS = 60_000;

/** The fewest hops from any gateway that heard the node lately (the path traffic takes). */
function shortest(sightings: readonly SightingRow[], latest: number | null): number | null {
  let best: number | null = null;
  for (const s of sightings) {
    if (s.hops === null) continue;
    if (latest !== null && s.last_heard !== null && latest - s.last_heard > STALE_SIGHTING_MS)
      continue;
    if (best === null || s.hops < best) best = s.hops;
  }
  return best;
}

/** The node's neighbours as its gateways' latest scans saw them. */
export function radioNeighbours(r: RadioNodeRecord): number[] {
  const all = new Set<number>();
  for (const s of r.sightings) for (const n of JSON.parse(s.neighbours) as number[]) all.add(n);
  return [...all].sort((a, b) => a - b);
}

function messageView(m: MessageRow): RadioMessageView {
  const bytes = m.bytes;
  return {
    id: m.id,
    at: m.at,
    network: m.network,
    address: m.address,
    direction: m.direction,
    gateway: m.gateway,
    text: printableText(bytes),
    bytes_hex: bytes.toString('hex'),
    size: bytes.length,
  };
}

/** UTF-8 text without control characters (tab and newlines aside), else null. */
export function printableText(bytes: Buffer): string | null {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (text.includes('\uFFFD')) return null;
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(text) ? null : text;
}
