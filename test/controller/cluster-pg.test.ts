/**
 * The cluster's PostgreSQL adapters against a real server: advisory locks competing between
 * two connections (one dropped as a SIGKILL would drop it, the other takes over), two claim
 * loops splitting and then inheriting the partitions, the live feed through LISTEN/NOTIFY
 * (inline and too large for a NOTIFY), and message ids deduplicated across concurrent
 * transactions.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealScheduler } from '../../src/core/real-scheduler.ts';
import { VirtualScheduler } from '../../src/core/virtual-scheduler.ts';
import {
  ControllerCluster,
  type RemoteNotice,
} from '../../src/controller/cluster/controller-cluster.ts';
import { partitionOfTopic } from '../../src/controller/cluster/partition-key.ts';
import type { WindowMessage } from '../../src/controller/cluster/replay-window.ts';
import { ClusterMember } from '../../src/controller/cluster/cluster-member.ts';
import { withFirstIds } from '../../src/controller/cluster/message-id.ts';
import { freshIds, keepUnseen, rowsOf, pruneSeen } from '../../src/controller/cluster/pg-dedupe.ts';
import { PgClusterLocks } from '../../src/controller/cluster/pg-cluster-locks.ts';
import { PgLiveFanout } from '../../src/controller/cluster/pg-live-fanout.ts';
import type { LiveChange } from '../../src/controller/ingest.ts';
import { ControllerStore } from '../../src/controller/store/controller-store.ts';
import { POSTGRES_MIGRATIONS } from '../../src/controller/store/postgres-schema.ts';
import { waitFor } from '../openwrt/wait-for.ts';
import {
  postgresUnavailable,
  startPostgres,
  type PostgresServer,
} from '../postgres/postgres-server.ts';

/** What SIGKILL does to a process's connection: the socket closes, nothing is said. */
function dropSocket(locks: PgClusterLocks): void {
  (
    locks.client as unknown as { connection: { stream: { destroy(): void } } }
  ).connection.stream.destroy();
}

describe.skipIf(postgresUnavailable() !== undefined)('cluster on PostgreSQL', () => {
  let server: PostgresServer;
  const open: { close(): Promise<void> }[] = [];
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    for (const c of open) await c.close().catch(() => {});
    await server?.stop();
  });

  /** A database the store has migrated, as every controller's is before its cluster starts. */
  const migratedDatabase = async () => {
    const url = await server.newDatabase();
    await (await ControllerStore.open(url)).close();
    return url;
  };

  const connect = async (url: string, onLost?: () => void) => {
    const locks = await PgClusterLocks.connect(url, { onLost });
    open.push(locks);
    await locks.enlist();
    return locks;
  };

  it('a partition lock has one holder; when its connection drops the other takes it', async () => {
    const url = await server.newDatabase();
    let aLost = false;
    const a = await connect(url, () => (aLost = true));
    const b = await connect(url);
    expect(await a.tryClaim(3)).toBe(true);
    expect(await b.tryClaim(3)).toBe(false);
    expect(await a.tryLead()).toBe(true);
    expect(await b.tryLead()).toBe(false);
    const members = await b.members();
    expect(members.map((m) => m.member).sort()).toEqual([a.memberId, b.memberId].sort());
    expect(members.find((m) => m.member === a.memberId)!.owns).toEqual([3]);
    expect(members.find((m) => m.member === b.memberId)!.owns).toEqual([]);

    dropSocket(a);
    // The server frees the locks as soon as it sees the socket closed.
    await waitFor('partition 3 free for b', () => b.tryClaim(3), 5_000);
    expect(await b.tryLead()).toBe(true);
    expect((await b.members()).map((m) => m.member)).toEqual([b.memberId]);
    expect(aLost).toBe(true);
  });

  it('two claim loops split the partitions, and the survivor inherits all of them', async () => {
    const url = await server.newDatabase();
    const scheduler = new VirtualScheduler();
    const la = await connect(url);
    const lb = await connect(url);
    const a = new ClusterMember({ locks: la, scheduler, partitions: 16 });
    const b = new ClusterMember({ locks: lb, scheduler, partitions: 16 });
    await a.start();
    await b.start();
    await a.round();
    await b.round();
    expect(a.ownedPartitions).toHaveLength(8);
    expect(b.ownedPartitions).toHaveLength(8);
    expect(new Set([...a.ownedPartitions, ...b.ownedPartitions]).size).toBe(16);
    const leader = a.isLeader ? b : a;
    expect(leader.isLeader).toBe(false); // exactly one leads

    dropSocket(la);
    await waitFor(
      'b holding all 16 partitions',
      async () => {
        await b.round();
        return b.ownedPartitions.length === 16;
      },
      5_000,
    );
    expect(b.isLeader).toBe(true);
    a.stop();
    b.stop();
  });

  it('fans the live feed out through LISTEN/NOTIFY, large batches through the table', async () => {
    const url = await migratedDatabase();
    const scheduler = new VirtualScheduler();
    const la = await connect(url);
    const lb = await connect(url);
    const received: { at: string; changes: LiveChange[] }[] = [];
    const fa = await PgLiveFanout.start({
      listen: la.client,
      send: la.client,
      member: la.memberId,
      clock: scheduler,
      onNotice: ({ changes }) => received.push({ at: 'a', changes }),
    });
    await PgLiveFanout.start({
      listen: lb.client,
      send: lb.client,
      member: lb.memberId,
      clock: scheduler,
      onNotice: ({ changes }) => received.push({ at: 'b', changes }),
    });
    const small: LiveChange[] = [{ type: 'node', node: 'n1' }];
    const large: LiveChange[] = Array.from({ length: 500 }, (_, i) => ({
      type: 'node',
      node: `node-${i}-with-a-name-long-enough`,
    }));
    expect(JSON.stringify(large).length).toBeGreaterThan(8_000);
    await fa.publish(small);
    await fa.publish(large);
    await waitFor('both notices at b', () => received.length >= 2, 5_000);
    expect(received).toEqual([
      { at: 'b', changes: small },
      { at: 'b', changes: large },
    ]);
  });

  it('stores a message id once across concurrent transactions, and prunes by age', async () => {
    const url = await migratedDatabase();
    const setup = new pg.Client({ connectionString: url });
    await setup.connect();
    open.push({ close: () => setup.end() });
    const enc = (s: string) => new TextEncoder().encode(s);
    const batch = ['a', 'b', 'c'].map((p) => ({
      topic: 'intelli-mesh/lab/node/n1/events',
      payload: enc(p),
    }));
    const t1 = new pg.Client({ connectionString: url });
    const t2 = new pg.Client({ connectionString: url });
    await t1.connect();
    await t2.connect();
    open.push({ close: () => t1.end() }, { close: () => t2.end() });
    await t1.query('BEGIN');
    await t2.query('BEGIN');
    const first = await keepUnseen(rowsOf(t1), withFirstIds(batch.slice(0, 2)), 1_000);
    // t2 waits on t1's uncommitted ids, then finds them taken.
    const second = keepUnseen(rowsOf(t2), withFirstIds(batch), 1_000);
    await t1.query('COMMIT');
    const fresh = await second;
    await t2.query('COMMIT');
    expect(first.map((m) => new TextDecoder().decode(m.payload))).toEqual(['a', 'b']);
    expect(fresh.map((m) => new TextDecoder().decode(m.payload))).toEqual(['c']);
    // A redelivery later: nothing new.
    expect(await keepUnseen(rowsOf(setup), withFirstIds(batch), 2_000)).toEqual([]);
    expect(await pruneSeen(setup, 1_001)).toBe(3);
    expect(await keepUnseen(rowsOf(setup), withFirstIds(batch), 3_000)).toHaveLength(3);
    // A repeat within one call is not new either.
    const x = withFirstIds([{ topic: 't', payload: enc('x') }])[0]!.id;
    expect(await freshIds(rowsOf(setup), [x, x], 4_000)).toEqual([true, false]);
  });

  it('a controller process inherits a terminated member’s partitions and replays its window; the other rejoins', async () => {
    const url = await migratedDatabase();
    const scheduler = new RealScheduler();
    const replayed: WindowMessage[] = [];
    const remote: RemoteNotice[] = [];
    const start = async (
      onReplay: (m: WindowMessage[]) => void,
      onRemote: (n: RemoteNotice) => void,
    ) => {
      const c = await ControllerCluster.start({
        url,
        scheduler,
        partitions: 8,
        claimEveryMs: 100,
        onReplay,
        onRemote,
      });
      open.push(c);
      await c.round();
      expect(c.status.owned).toEqual([]); // not a member until it joins
      await c.join();
      return c;
    };
    const a = await start(
      () => {},
      () => {},
    );
    const b = await start(
      (m) => replayed.push(...m),
      (n) => remote.push(n),
    );
    await waitFor(
      'an even split',
      () => a.status.owned.length === 4 && b.status.owned.length === 4,
      5_000,
    );
    expect(a.isLeader !== b.isLeader).toBe(true);

    // b receives every node's messages; it writes its own and holds a's.
    const batch = Array.from({ length: 50 }, (_, i) => ({
      topic: `intelli-mesh/lab/node/n${i}/events`,
      payload: new TextEncoder().encode(`{"at":${i}}`),
    }));
    const written = b.route(batch);
    const ofA = batch.filter((m) => a.status.owned.includes(partitionOfTopic(m.topic, 8)));
    expect(written.length + ofA.length).toBe(50);
    expect(b.status.held).toBe(ofA.length);

    // a's lock connection ends (as when its process dies): b takes everything and replays.
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    open.push({ close: () => admin.end() });
    const killedAt = Date.now();
    await admin.query('SELECT pg_terminate_backend($1)', [a.status.member]);
    await waitFor('b holding all 8 partitions', () => b.status.owned.length === 8, 5_000);
    expect(Date.now() - killedAt).toBeLessThan(3_000);
    expect(b.isLeader).toBe(true);
    expect(replayed.map((m) => m.topic).sort()).toEqual(ofA.map((m) => m.topic).sort());
    expect(b.status.held).toBe(0);

    // a reconnects on its own and gets its share back; its notices reach b.
    await waitFor('a rejoined with its share', () => a.status.owned.length === 4, 10_000);
    await waitFor('b down to its share', () => b.status.owned.length === 4, 5_000);
    await a.publish([{ type: 'node', node: 'n1' }]);
    await waitFor('a notice at b', () => remote.length > 0, 5_000);
    expect(remote[0]!.changes).toEqual([{ type: 'node', node: 'n1' }]);
  }, 30_000);

  const tablesOf = async (url: string) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const { rows } = await c.query<{ name: string }>(
        `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'
          AND tablename IN ('cluster_seen', 'cluster_live')
         UNION SELECT indexname FROM pg_indexes WHERE indexname = 'cluster_seen_at'
         ORDER BY 1`,
      );
      const version = (await c.query<{ version: number }>('SELECT version FROM schema_version'))
        .rows[0]!.version;
      return { tables: rows.map((r) => r.name), version };
    } finally {
      await c.end();
    }
  };

  it("the store's migrations create the cluster's tables in a fresh database", async () => {
    const url = await migratedDatabase();
    expect(await tablesOf(url)).toEqual({
      tables: ['cluster_live', 'cluster_seen', 'cluster_seen_at'],
      version: POSTGRES_MIGRATIONS.length,
    });
  });

  it('a database whose cluster tables an older controller created at start migrates cleanly', async () => {
    const url = await server.newDatabase();
    // The schema of the controllers before the cluster's tables were a migration: every
    // migration up to theirs, then the tables as their cluster created them at start (with a
    // row each, which the migration must keep).
    const before = POSTGRES_MIGRATIONS.findIndex((m) => m.includes('cluster_seen'));
    const old = new pg.Client({ connectionString: url });
    await old.connect();
    open.push({ close: () => old.end() });
    await old.query('CREATE TABLE schema_version (version INTEGER NOT NULL)');
    for (const m of POSTGRES_MIGRATIONS.slice(0, before)) await old.query(m);
    await old.query('INSERT INTO schema_version (version) VALUES ($1)', [before]);
    await old.query(
      'CREATE TABLE IF NOT EXISTS cluster_seen (id bytea PRIMARY KEY, seen_at bigint NOT NULL)',
    );
    await old.query('CREATE INDEX IF NOT EXISTS cluster_seen_at ON cluster_seen (seen_at)');
    await old.query(
      'CREATE TABLE IF NOT EXISTS cluster_live (id bigserial PRIMARY KEY, at bigint NOT NULL, body text NOT NULL)',
    );
    await old.query("INSERT INTO cluster_seen VALUES (decode('aa', 'hex'), 5)");
    await old.query("INSERT INTO cluster_live (at, body) VALUES (6, 'x')");

    await (await ControllerStore.open(url)).close();
    expect(await tablesOf(url)).toEqual({
      tables: ['cluster_live', 'cluster_seen', 'cluster_seen_at'],
      version: POSTGRES_MIGRATIONS.length,
    });
    expect((await old.query('SELECT seen_at FROM cluster_seen')).rows).toEqual([{ seen_at: '5' }]);
    expect((await old.query('SELECT body FROM cluster_live')).rows).toEqual([{ body: 'x' }]);
  });
});
