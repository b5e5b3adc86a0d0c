/**
 * Metric history with downsampling and retention: samples land in 10-second buckets, a periodic
 * compaction rolls them up into minute and hour buckets and drops what is past each level's
 * retention, so the file stays bounded while charts keep a long view. On PostgreSQL the table is
 * partitioned by level and time (metric-partitions.ts) and whole expired partitions are dropped.
 */
import type { MetricPartitions, OnCommit } from './metric-partitions.ts';
import { greatest, least, type SqlSession, type SyncSql } from './sql-session.ts';

export interface MetricPoint {
  /** Bucket start, ms. */
  at: number;
  count: number;
  avg: number;
  min: number;
  max: number;
}

/** One sample to add to its bucket (`MetricRepo.recordAll`). */
export interface MetricSampleAt {
  node: string;
  series: string;
  at: number;
  value: number;
}

export interface Retention {
  resolutionMs: number;
  keepMs: number;
}

/** 10 s buckets for 6 hours, 1 min for 7 days, 1 h for 90 days. */
export const DEFAULT_RETENTION: readonly Retention[] = [
  { resolutionMs: 10_000, keepMs: 6 * 3_600_000 },
  { resolutionMs: 60_000, keepMs: 7 * 86_400_000 },
  { resolutionMs: 3_600_000, keepMs: 90 * 86_400_000 },
];

/** The statement that adds one sample to its bucket (or a rolled-up bucket to a coarser one). */
function upsertSql(dialect: SqlSession['dialect']): string {
  return `ON CONFLICT(node, series, resolution, bucket) DO UPDATE SET
        count = metrics.count + excluded.count, sum = metrics.sum + excluded.sum,
        min = ${least(dialect)}(metrics.min, excluded.min), max = ${greatest(dialect)}(metrics.max, excluded.max)`;
}

export class MetricRepo {
  private readonly base: number;
  private readonly recordSql: string;
  private readonly rollupSql: string;
  private readonly recordManySql: string;

  constructor(
    private readonly sql: SqlSession,
    private readonly levels: readonly Retention[] = DEFAULT_RETENTION,
    /** PostgreSQL's time partitions; absent on SQLite (one table, pruned by DELETE). */
    private readonly partitions?: MetricPartitions,
    /** Runs what must wait for the commit of this repository's transaction. */
    private readonly onCommit: OnCommit = (fn) => fn(),
  ) {
    this.base = levels[0]!.resolutionMs;
    // Positional parameters: the ingest runs this for most messages, and binding by name
    // costs an object and a lookup per parameter.
    this.recordSql = `
      INSERT INTO metrics (node, series, resolution, bucket, count, sum, min, max)
      VALUES (?, ?, ?, ?, 1, ?, ?, ?) ${upsertSql(sql.dialect)}`;
    // Many samples, one per bucket, in one statement (PostgreSQL: `recordAll`).
    this.recordManySql = `
      INSERT INTO metrics (node, series, resolution, bucket, count, sum, min, max)
      SELECT node, series, CAST(? AS BIGINT), bucket, 1, value, value, value
      FROM unnest(CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS BIGINT[]), CAST(? AS DOUBLE PRECISION[]))
        AS s(node, series, bucket, value)
      ${upsertSql(sql.dialect)}`;
    // Rolls finer buckets that ended before @before into the coarser level.
    this.rollupSql = `
      INSERT INTO metrics (node, series, resolution, bucket, count, sum, min, max)
      SELECT node, series, CAST(@to AS BIGINT), bucket - bucket % CAST(@to AS BIGINT), SUM(count), SUM(sum), MIN(min), MAX(max)
      FROM metrics
      WHERE resolution = @from AND bucket >= @since AND bucket < @before
      GROUP BY node, series, bucket - bucket % CAST(@to AS BIGINT)
      ${upsertSql(sql.dialect)}`;
  }

  async record(node: string, series: string, at: number, value: number): Promise<void> {
    if (!Number.isFinite(value)) return;
    const bucket = this.bucketOf(at);
    if (this.partitions) await this.partitions.ensure(this.sql, this.base, bucket, this.onCommit);
    await this.sql.run(this.recordSql, [node, series, this.base, bucket, value, value, value]);
  }

  /**
   * `record` through a SQLite transaction's synchronous statements (`SqlSession.sync`): the same
   * row, no promise. SQLite has no partitions to create first.
   */
  recordNow(sync: SyncSql, node: string, series: string, at: number, value: number): void {
    if (!Number.isFinite(value)) return;
    const bucket = this.bucketOf(at);
    sync.run(this.recordSql, [node, series, this.base, bucket, value, value, value]);
  }

  /**
   * Adds every sample to its bucket, as `record` one after another would, in a few statements
   * instead of one per sample: the ingest's batch on PostgreSQL, where each statement is a round
   * trip. One statement cannot update a bucket twice (ON CONFLICT refuses it), and adding the
   * samples up here first would add the floating-point sums in another order than `record`, so
   * the k-th sample of each bucket goes in the k-th statement: the stored sums are exactly those
   * of `record`. Statements = the most samples of one bucket in the call (one in a live
   * network's batch, where a node reports every 10 s).
   */
  async recordAll(samples: readonly MetricSampleAt[]): Promise<void> {
    const rounds: { node: string[]; series: string[]; bucket: number[]; value: number[] }[] = [];
    const seen = new Map<string, number>();
    const buckets = new Set<number>();
    for (const s of samples) {
      if (!Number.isFinite(s.value)) continue;
      const bucket = this.bucketOf(s.at);
      const key = `${s.node}\u0000${s.series}\u0000${bucket}`;
      const k = seen.get(key) ?? 0;
      seen.set(key, k + 1);
      const round = (rounds[k] ??= { node: [], series: [], bucket: [], value: [] });
      round.node.push(s.node);
      round.series.push(s.series);
      round.bucket.push(bucket);
      round.value.push(s.value);
      buckets.add(bucket);
    }
    if (this.partitions)
      for (const bucket of buckets)
        await this.partitions.ensure(this.sql, this.base, bucket, this.onCommit);
    for (const r of rounds)
      await this.sql.run(this.recordManySql, [this.base, r.node, r.series, r.bucket, r.value]);
  }

  private bucketOf(at: number): number {
    return Math.floor(at / this.base) * this.base;
  }

  /**
   * Rolls up every completed coarse bucket since the last compaction and prunes expired ones.
   * `since` is the previous compaction's `now` (0 the first time); returns this `now`.
   */
  async compact(since: number, now: number): Promise<number> {
    const committed: (() => void)[] = [];
    const later: OnCommit = (fn) => committed.push(fn);
    await this.sql.transaction(async (tx) => {
      for (let i = 1; i < this.levels.length; i++) {
        const to = this.levels[i]!.resolutionMs;
        const from = this.levels[i - 1]!.resolutionMs;
        // Only whole coarse buckets: a partly filled one would be counted twice next time.
        const before = Math.floor(now / to) * to;
        const start = Math.floor(since / to) * to;
        if (before <= start) continue;
        if (this.partitions) await this.partitions.ensureFor(tx, from, to, start, before, later);
        await tx.run(this.rollupSql, { from, to, since: start, before });
      }
      for (const level of this.levels) {
        // Buckets are whole milliseconds (a BIGINT on PostgreSQL); a clock's need not be.
        const cutoff = Math.ceil(now - level.keepMs);
        // Whole expired partitions go at once; the rest of the cut is row by row.
        if (this.partitions) await this.partitions.drop(tx, level.resolutionMs, cutoff, later);
        await tx.run('DELETE FROM metrics WHERE resolution = ? AND bucket < ?', [
          level.resolutionMs,
          cutoff,
        ]);
      }
    });
    for (const fn of committed) this.onCommit(fn);
    return now;
  }

  /** Points of the finest level that still covers `since`, between `since` and `until`. */
  async query(
    node: string,
    series: string,
    since: number,
    until: number,
    now: number,
  ): Promise<MetricPoint[]> {
    const level =
      this.levels.find((l) => now - l.keepMs <= since) ?? this.levels[this.levels.length - 1]!;
    const rows = await this.sql.all<{
      bucket: number;
      count: number;
      sum: number;
      min: number;
      max: number;
    }>(
      `SELECT bucket, count, sum, min, max FROM metrics
      WHERE node = ? AND series = ? AND resolution = ? AND bucket >= ? AND bucket <= ?
      ORDER BY bucket`,
      [node, series, level.resolutionMs, Math.ceil(since), Math.floor(until)],
    );
    return rows.map((r) => ({
      at: r.bucket,
      count: r.count,
      avg: r.sum / r.count,
      min: r.min,
      max: r.max,
    }));
  }
}
