/**
 * Who holds the cluster's partition locks, read straight from `pg_locks` rather than through the
 * controller's own code, so the cluster tests check the controllers against the database.
 *
 * @example
 * const holders = await partitionHolders(db); // Map { 4242 => 32, 4243 => 32 }
 */
import type pg from 'pg';
import { PARTITION_LOCK } from '../../src/controller/cluster/pg-cluster-locks.ts';

/** Partition locks per backend pid, as PostgreSQL holds them. */
export async function partitionHolders(db: pg.Client): Promise<Map<number, number>> {
  const { rows } = await db.query<{ pid: number; n: string }>(
    `SELECT pid, count(*) AS n FROM pg_locks
      WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND classid::int8 = $1
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
      GROUP BY pid`,
    [PARTITION_LOCK],
  );
  return new Map(rows.map((r) => [r.pid, Number(r.n)]));
}
