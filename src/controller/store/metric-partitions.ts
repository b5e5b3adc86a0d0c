/**
 * PostgreSQL's metric history is a table partitioned by (resolution, bucket): each level of
 * DEFAULT_RETENTION has its own run of time ranges, 360 of its buckets wide (10 s samples: an
 * hour; minutes: 6 hours; hours: 15 days). Partitions are created ahead of the samples and
 * retention drops a whole partition once all of it has expired, instead of deleting row by row.
 * Creation goes through the `metrics_partition` function of the schema (an advisory lock makes
 * two controllers creating the same one safe).
 *
 * @example
 * const parts = new MetricPartitions();
 * await parts.ensure(sql, 10_000, bucket, onCommit); // before inserting into that bucket
 * await parts.drop(sql, 10_000, now - 6 * 3_600_000, onCommit);
 */
import type { SqlSession } from './sql-session.ts';

/** Registers what to do once the statement's transaction commits (at once outside one). */
export type OnCommit = (fn: () => void) => void;

/** Buckets per partition. */
export const BUCKETS_PER_PARTITION = 360;

export function partitionWidth(resolutionMs: number): number {
  return resolutionMs * BUCKETS_PER_PARTITION;
}

export function partitionStart(resolutionMs: number, bucket: number): number {
  const width = partitionWidth(resolutionMs);
  return Math.floor(bucket / width) * width;
}

/** `metrics_<resolution>_<start>` → its level and start, or undefined for another table. */
export function parsePartitionName(
  name: string,
): { resolutionMs: number; start: number } | undefined {
  const m = /^metrics_(\d+)_(-?\d+)$/.exec(name);
  return m ? { resolutionMs: Number(m[1]), start: Number(m[2]) } : undefined;
}

export class MetricPartitions {
  /** Partitions known to exist (created by a committed statement), by name. */
  private readonly known = new Set<string>();

  /** Makes sure the partition holding `bucket` of this level exists. */
  async ensure(
    sql: SqlSession,
    resolutionMs: number,
    bucket: number,
    committed: OnCommit,
  ): Promise<void> {
    const start = partitionStart(resolutionMs, bucket);
    const name = `metrics_${resolutionMs}_${start}`;
    if (this.known.has(name)) return;
    await sql.run(
      'SELECT metrics_partition(CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))',
      [resolutionMs, start, partitionWidth(resolutionMs)],
    );
    // Inside a transaction that rolls back, the partition goes with it: remember it only once kept.
    committed(() => this.known.add(name));
  }

  /** Makes sure every partition a rollup from `from` into `to` writes to exists. */
  async ensureFor(
    sql: SqlSession,
    from: number,
    to: number,
    since: number,
    before: number,
    committed: OnCommit,
  ): Promise<void> {
    // A coarse partition's width is a multiple of the fine bucket: the raw bucket tells it.
    const starts = await sql.all<{ start: number }>(
      `SELECT DISTINCT bucket - bucket % CAST(? AS BIGINT) AS start
       FROM metrics WHERE resolution = ? AND bucket >= ? AND bucket < ?`,
      [partitionWidth(to), from, since, before],
    );
    for (const { start } of starts) await this.ensure(sql, to, start, committed);
  }

  /** Creates this level's partitions from `from` to `until` ahead of need. */
  async ensureRange(
    sql: SqlSession,
    resolutionMs: number,
    from: number,
    until: number,
    committed: OnCommit,
  ): Promise<void> {
    const width = partitionWidth(resolutionMs);
    for (let start = partitionStart(resolutionMs, from); start <= until; start += width) {
      await this.ensure(sql, resolutionMs, start, committed);
    }
  }

  /** Drops this level's partitions that end at or before `cutoff`; answers their names. */
  async drop(
    sql: SqlSession,
    resolutionMs: number,
    cutoff: number,
    committed: OnCommit,
  ): Promise<string[]> {
    const rows = await sql.all<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = 'metrics'::regclass`,
    );
    const dropped: string[] = [];
    for (const { name } of rows) {
      const p = parsePartitionName(name);
      if (!p || p.resolutionMs !== resolutionMs) continue;
      if (p.start + partitionWidth(resolutionMs) > cutoff) continue;
      await sql.run(`DROP TABLE IF EXISTS ${name}`);
      committed(() => this.known.delete(name));
      dropped.push(name);
    }
    return dropped;
  }
}
