import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { ClusterStatus } from './controller-cluster.ts';
import { clusterHealth, registerClusterMetrics } from './cluster-report.ts';

const status = (over: Partial<ClusterStatus> = {}): ClusterStatus => ({
  member: 4242,
  leader: true,
  partitions: 64,
  owned: [0, 1, 2],
  held: 7,
  dropped: 1,
  connected: true,
  members: 2,
  lastRoundAt: 10_000,
  lastClaimAt: 9_000,
  replayed: 5,
  deduplicated: 3,
  ...over,
});

describe('cluster report', () => {
  it('says what this process holds and does, for /api/health', () => {
    expect(clusterHealth(status(), 10_500)).toEqual({
      enabled: true,
      ok: true,
      member: 4242,
      leader: true,
      members: 2,
      partitions: { held: 3, total: 64 },
      lastRoundAt: 10_000,
      lastClaimAt: 9_000,
      replayWindow: { messages: 7, dropped: 1 },
      replayedMessages: 5,
      deduplicatedMessages: 3,
    });
  });

  it('is not ok when the lock connection is down or the claim rounds stopped', () => {
    expect(clusterHealth(status({ connected: false }), 10_500).ok).toBe(false);
    // Ten rounds of 1 s late: the loop is stuck.
    expect(clusterHealth(status(), 20_000).ok).toBe(true);
    expect(clusterHealth(status(), 20_001).ok).toBe(false);
    expect(clusterHealth(status({ lastRoundAt: undefined }), 0)).toMatchObject({
      ok: false,
      lastRoundAt: null,
    });
  });

  it('exposes the same numbers to Prometheus', async () => {
    const registry = new Registry();
    let s = status();
    registerClusterMetrics(registry, () => clusterHealth(s, 10_500));
    const text = await registry.metrics();
    expect(text).toContain('intelli_mesh_cluster_partitions_held 3\n');
    expect(text).toContain('intelli_mesh_cluster_partitions 64\n');
    expect(text).toContain('intelli_mesh_cluster_leader 1\n');
    expect(text).toContain('intelli_mesh_cluster_members 2\n');
    expect(text).toContain('intelli_mesh_cluster_up 1\n');
    expect(text).toContain('intelli_mesh_cluster_deduplicated_messages_total 3\n');
    expect(text).toContain('intelli_mesh_cluster_replayed_messages_total 5\n');
    // Read at each scrape, not once.
    s = status({ leader: false, owned: [], deduplicated: 9 });
    const later = await registry.metrics();
    expect(later).toContain('intelli_mesh_cluster_leader 0\n');
    expect(later).toContain('intelli_mesh_cluster_partitions_held 0\n');
    expect(later).toContain('intelli_mesh_cluster_deduplicated_messages_total 9\n');
  });
});
