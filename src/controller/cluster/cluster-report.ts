/**
 * The cluster as operators see it: the `cluster` object of `/api/health` and the
 * `intelli_mesh_cluster_*` series of `/metrics`, both read from one process's
 * `ControllerCluster.status`. Each process reports its own part (its partitions, whether it
 * leads); the cluster's whole is the sum over the processes (docs/cluster.md, "Status").
 *
 * @example
 * const health = clusterHealthOf(cluster); // () => { enabled: true, member: 4242, leader: true, ... }
 * registerClusterMetrics(registry, health);
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ClusterStatus } from './controller-cluster.ts';

/** What `/api/health` says of the cluster on a process that is in one. */
export interface ClusterHealth {
  enabled: true;
  /**
   * The lock connection is up and its last claim round is recent: this process takes part. A
   * process that is not `ok` holds no partition; the others write its share.
   */
  ok: boolean;
  /** This process's member id: the backend pid of its lock connection, as in `pg_locks`. */
  member: number | null;
  /** Whether this process holds the leader lock (the once-per-cluster duties run here). */
  leader: boolean;
  /** Members the last claim round saw, this one included. */
  members: number;
  partitions: { held: number; total: number };
  /** Epoch ms of the last completed claim round and of this process's last claim. */
  lastRoundAt: number | null;
  lastClaimAt: number | null;
  /** Messages of other processes' partitions held for a hand-off; and dropped for the bound. */
  replayWindow: { messages: number; dropped: number };
  /** Since start: window messages written on claiming, and repeats not written. */
  replayedMessages: number;
  deduplicatedMessages: number;
}

/** What `/api/health` says on a process that is not in a cluster (SQLite). */
export interface NoCluster {
  enabled: false;
}

/**
 * Rounds late by more than this many round intervals mean the claim loop is stuck: the default
 * round is 1 s, so 10 s.
 */
export const STALE_ROUNDS = 10;

export function clusterHealth(
  status: ClusterStatus,
  now: number,
  claimEveryMs = 1_000,
): ClusterHealth {
  const recent =
    status.lastRoundAt !== undefined && now - status.lastRoundAt <= STALE_ROUNDS * claimEveryMs;
  return {
    enabled: true,
    ok: status.connected && recent,
    member: status.member ?? null,
    leader: status.leader,
    members: status.members,
    partitions: { held: status.owned.length, total: status.partitions },
    lastRoundAt: status.lastRoundAt ?? null,
    lastClaimAt: status.lastClaimAt ?? null,
    replayWindow: { messages: status.held, dropped: status.dropped },
    replayedMessages: status.replayed,
    deduplicatedMessages: status.deduplicated,
  };
}

/** The health source for the API (`ApiDeps.cluster`), at the cluster's clock. */
export function clusterHealthOf(cluster: {
  readonly status: ClusterStatus;
  readonly now: () => number;
  readonly claimEveryMs: number;
}): () => ClusterHealth {
  return () => clusterHealth(cluster.status, cluster.now(), cluster.claimEveryMs);
}

/** A gauge (or, with `counter`, a counter) read from the health report at each scrape. */
function series(
  registry: Registry,
  name: string,
  help: string,
  read: () => number,
  counter = false,
): void {
  if (counter) {
    // The count is kept by the cluster; the counter mirrors it.
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
    return;
  }
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}

export function registerClusterMetrics(registry: Registry, health: () => ClusterHealth): void {
  const p = 'intelli_mesh_cluster_';
  series(
    registry,
    `${p}partitions_held`,
    'Partitions of the node space this controller process writes (the cluster sums to the total)',
    () => health().partitions.held,
  );
  series(
    registry,
    `${p}partitions`,
    'Partitions the node space is split into, the same in every process',
    () => health().partitions.total,
  );
  series(
    registry,
    `${p}leader`,
    '1 when this process holds the leader lock (once-per-cluster duties run here), else 0',
    () => (health().leader ? 1 : 0),
  );
  series(
    registry,
    `${p}members`,
    'Controller processes the last claim round saw, this one included',
    () => health().members,
  );
  series(
    registry,
    `${p}up`,
    '1 when the lock connection is up and claim rounds are recent, else 0',
    () => (health().ok ? 1 : 0),
  );
  series(
    registry,
    `${p}replay_window_messages`,
    "Messages of other processes' partitions held for a hand-off",
    () => health().replayWindow.messages,
  );
  series(
    registry,
    `${p}replay_window_dropped_messages_total`,
    'Messages the hand-off window dropped for its size bound since start',
    () => health().replayWindow.dropped,
    true,
  );
  series(
    registry,
    `${p}replayed_messages_total`,
    'Hand-off window messages written on claiming their partitions since start',
    () => health().replayedMessages,
    true,
  );
  series(
    registry,
    `${p}deduplicated_messages_total`,
    'Messages not written because their id was already stored (a redelivery or replay) since start',
    () => health().deduplicatedMessages,
    true,
  );
}
