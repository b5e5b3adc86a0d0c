/**
 * The cluster's locks in PostgreSQL: session-level advisory locks held on one dedicated
 * connection per process. PostgreSQL releases a session's advisory locks when its connection
 * ends, however it ends, so a SIGKILLed process frees its partitions and the leadership at once
 * (the server notices the closed socket); the survivors' next claim round takes them. Who holds
 * what is read from `pg_locks`, never from a table of our own that could go stale.
 *
 * Keys are the two-integer form (`pg_try_advisory_lock(int, int)`): the first names what is
 * locked (a member's presence, a partition, the leadership), the second which one. Advisory
 * locks are per database, so several sites on one server do not meet.
 *
 * @example
 * const locks = await PgClusterLocks.connect(url, { onLost: () => member.lost() });
 * await locks.tryClaim(3); // true: this process writes partition 3 until released or disconnected
 */
import pg from 'pg';
import { IntelliMeshError } from '../../core/errors.ts';
import type { ClusterLocks } from './cluster-member.ts';
import type { MemberClaims } from './partition-plan.ts';

/** 'IM' + a kind: arbitrary constants, chosen so other applications' locks are unlikely to meet them. */
export const MEMBER_LOCK = 0x494d_4301;
export const PARTITION_LOCK = 0x494d_4302;
export const LEADER_LOCK = 0x494d_4303;

export class ClusterLockError extends IntelliMeshError {}

export interface PgClusterLocksOptions {
  /** Called once when the lock connection ends: every lock it held is gone. */
  onLost?: (err: Error) => void;
}

export class PgClusterLocks implements ClusterLocks {
  private ended = false;

  private constructor(
    readonly client: pg.Client,
    readonly memberId: number,
  ) {}

  static async connect(url: string, options: PgClusterLocksOptions = {}): Promise<PgClusterLocks> {
    const client = new pg.Client({
      connectionString: url,
      application_name: 'intelli-mesh cluster',
      // A silent network cut is noticed by keepalives; a dead process by its closed socket.
      keepAlive: true,
    });
    try {
      await client.connect();
    } catch (err) {
      throw new ClusterLockError(
        `cluster lock connection to the database failed: ${(err as Error).message}`,
        { cause: err },
      );
    }
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!
      .pid;
    const locks = new PgClusterLocks(client, pid);
    let reported = false;
    const lost = (err: Error) => {
      locks.ended = true;
      if (reported) return;
      reported = true;
      options.onLost?.(err);
    };
    client.on('error', (err) => lost(err));
    client.on('end', () => lost(new ClusterLockError('cluster lock connection closed')));
    return locks;
  }

  /**
   * Becomes a member: from now on the others count this process in their shares and give it
   * partitions. Call it only once this process receives every node's messages (its MQTT
   * subscription is active): what another member gives back is then never missed.
   */
  async enlist(): Promise<void> {
    await this.client.query('SELECT pg_advisory_lock($1, $2)', [MEMBER_LOCK, this.memberId]);
  }

  async members(): Promise<MemberClaims[]> {
    const { rows } = await this.client.query<{ pid: number; kind: string; id: string }>(
      `SELECT pid, classid::int8::text AS kind, objid::int8::text AS id
         FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND objsubid = 2
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND classid::int8 IN ($1, $2)`,
      [MEMBER_LOCK, PARTITION_LOCK],
    );
    const byMember = new Map<number, number[]>();
    for (const row of rows) {
      if (!byMember.has(row.pid)) byMember.set(row.pid, []);
      if (Number(row.kind) === PARTITION_LOCK) byMember.get(row.pid)!.push(Number(row.id));
    }
    return [...byMember].map(([member, owns]) => ({ member, owns }));
  }

  async tryClaim(partition: number): Promise<boolean> {
    return this.tryLock(PARTITION_LOCK, partition);
  }

  async release(partition: number): Promise<void> {
    await this.client.query('SELECT pg_advisory_unlock($1, $2)', [PARTITION_LOCK, partition]);
  }

  async tryLead(): Promise<boolean> {
    return this.tryLock(LEADER_LOCK, 0);
  }

  get connected(): boolean {
    return !this.ended;
  }

  /** Ends the connection: every lock is released by the server. */
  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.client.end();
  }

  private async tryLock(kind: number, id: number): Promise<boolean> {
    const { rows } = await this.client.query<{ ok: boolean }>(
      'SELECT pg_try_advisory_lock($1, $2) AS ok',
      [kind, id],
    );
    return rows[0]!.ok;
  }
}
