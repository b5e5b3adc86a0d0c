/**
 * Metric history with downsampling and retention: samples land in 10-second buckets, a periodic
 * compaction rolls them up into minute and hour buckets and drops what is past each level's
 * retention, so the file stays bounded while charts keep a long view.
 */
import type { Db } from './database.ts';

export interface MetricPoint {
  /** Bucket start, ms. */
  at: number;
  count: number;
  avg: number;
  min: number;
  max: number;
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

export class MetricRepo {
  private readonly upsertStmt;
  private readonly rollupStmt;
  private readonly pruneStmt;
  private readonly queryStmt;
  private readonly base: number;

  constructor(
    private readonly db: Db,
    private readonly levels: readonly Retention[] = DEFAULT_RETENTION,
  ) {
    this.base = levels[0]!.resolutionMs;
    // Positional parameters: the ingest runs this for most messages, and binding by name
    // costs an object and a lookup per parameter.
    this.upsertStmt = db.prepare<[string, string, number, number, number, number, number]>(`
      INSERT INTO metrics (node, series, resolution, bucket, count, sum, min, max)
      VALUES (?, ?, ?, ?, 1, ?, ?, ?)
      ON CONFLICT(node, series, resolution, bucket) DO UPDATE SET
        count = count + 1, sum = sum + excluded.sum,
        min = MIN(min, excluded.min), max = MAX(max, excluded.max)`);
    // Rolls finer buckets that ended before @before into the coarser level.
    this.rollupStmt = db.prepare(`
      INSERT INTO metrics (node, series, resolution, bucket, count, sum, min, max)
      SELECT node, series, @to, bucket - bucket % @to, SUM(count), SUM(sum), MIN(min), MAX(max)
      FROM metrics
      WHERE resolution = @from AND bucket >= @since AND bucket < @before
      GROUP BY node, series, bucket - bucket % @to
      ON CONFLICT(node, series, resolution, bucket) DO UPDATE SET
        count = count + excluded.count, sum = sum + excluded.sum,
        min = MIN(min, excluded.min), max = MAX(max, excluded.max)`);
    this.pruneStmt = db.prepare('DELETE FROM metrics WHERE resolution = ? AND bucket < ?');
    this.queryStmt = db.prepare<
      [string, string, number, number, number],
      { bucket: number; count: number; sum: number; min: number; max: number }
    >(`
      SELECT bucket, count, sum, min, max FROM metrics
      WHERE node = ? AND series = ? AND resolution = ? AND bucket >= ? AND bucket <= ?
      ORDER BY bucket`);
  }

  record(node: string, series: string, at: number, value: number): void {
    if (!Number.isFinite(value)) return;
    const bucket = Math.floor(at / this.base) * this.base;
    this.upsertStmt.run(node, series, this.base, bucket, value, value, value);
  }

  /**
   * Rolls up every completed coarse bucket since the last compaction and prunes expired ones.
   * `since` is the previous compaction's `now` (0 the first time); returns this `now`.
   */
  compact(since: number, now: number): number {
    this.db.transaction(() => {
      for (let i = 1; i < this.levels.length; i++) {
        const to = this.levels[i]!.resolutionMs;
        const from = this.levels[i - 1]!.resolutionMs;
        // Only whole coarse buckets: a partly filled one would be counted twice next time.
        const before = Math.floor(now / to) * to;
        const start = Math.floor(since / to) * to;
        if (before > start) this.rollupStmt.run({ from, to, since: start, before });
      }
      for (const level of this.levels) {
        this.pruneStmt.run(level.resolutionMs, now - level.keepMs);
      }
    })();
    return now;
  }

  /** Points of the finest level that still covers `since`, between `since` and `until`. */
  query(node: string, series: string, since: number, until: number, now: number): MetricPoint[] {
    const level =
      this.levels.find((l) => now - l.keepMs <= since) ?? this.levels[this.levels.length - 1]!;
    return this.queryStmt
      .all(node, series, level.resolutionMs, since, until)
      .map((r) => ({ at: r.bucket, count: r.count, avg: r.sum / r.count, min: r.min, max: r.max }));
  }
}
