/**
 * The boot rows an ingest batch reads and writes, on PostgreSQL (Ingest `pgBatch`): read for all
 * of the batch's nodes in one query when the first is needed, kept here as the batch's own
 * writes change them, and written in one statement before the commit (`flush`). The node
 * timeline then compares each state with exactly what it would have read row by row (nothing
 * but the batch writes these rows: the ingest is their only writer, and a node's messages are
 * ingested by one controller), for two round trips per batch instead of two per state.
 *
 * @example
 * const boots = new BatchedBoots(tx.boots, ['n1', 'n2']);
 * const timeline = new NodeTimeline(tx, boots);
 * await timeline.onState(state, now); // reads all of n1's and n2's rows, once
 * await boots.flush(); // before the commit
 */
import type { BootRepo, NodeBoot, NodeBootRow } from './boot-repo.ts';

/** What the node timeline reads and writes of `node_boots` (BootRepo, or a batch's buffer). */
export interface BootAccess {
  get(node: string): Promise<NodeBoot | undefined>;
  setBootId(node: string, bootId: string, at: number): Promise<void>;
  setUptime(node: string, uptimeS: number, at: number): Promise<void>;
}

export class BatchedBoots implements BootAccess {
  /** Each node's row as the batch has left it so far; undefined: the node has none. */
  private readonly rows = new Map<string, NodeBoot | undefined>();
  /** Nodes whose row the batch changed, written by `flush`. */
  private readonly dirty = new Set<string>();
  private loaded = false;

  constructor(
    private readonly repo: BootRepo,
    /** The nodes whose rows the batch may need (those with a state or a status in it). */
    private readonly nodes: readonly string[],
  ) {}

  async get(node: string): Promise<NodeBoot | undefined> {
    if (!this.loaded) {
      this.loaded = true;
      const wanted = this.nodes.includes(node) ? this.nodes : [...this.nodes, node];
      for (const n of wanted) this.rows.set(n, undefined);
      for (const r of await this.repo.getAll(wanted))
        this.rows.set(r.node, { boot_id: r.boot_id, uptime_s: r.uptime_s, at: r.at });
    }
    // A node the batch did not announce (none, as the ingest lists them all): read it alone.
    if (!this.rows.has(node)) this.rows.set(node, await this.repo.get(node));
    const row = this.rows.get(node);
    return row && { ...row };
  }

  /** As BootRepo.setBootId: inserts the row with no uptime, or keeps the row's uptime. */
  async setBootId(node: string, bootId: string, at: number): Promise<void> {
    const row = await this.get(node);
    this.set(node, { boot_id: bootId, uptime_s: row ? row.uptime_s : null, at });
  }

  /** As BootRepo.setUptime: inserts the row with no boot id, or keeps the row's boot id. */
  async setUptime(node: string, uptimeS: number, at: number): Promise<void> {
    const row = await this.get(node);
    this.set(node, { boot_id: row ? row.boot_id : null, uptime_s: uptimeS, at });
  }

  /** Writes the rows the batch changed, as they stand, in one statement (none if none). */
  async flush(): Promise<void> {
    const rows: NodeBootRow[] = [];
    for (const node of this.dirty) rows.push({ node, ...this.rows.get(node)! });
    this.dirty.clear();
    await this.repo.putAll(rows);
  }

  private set(node: string, row: NodeBoot): void {
    this.rows.set(node, row);
    this.dirty.add(node);
  }
}
