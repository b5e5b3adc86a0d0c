import { describe, expect, it } from 'vitest';
import { fairShare, orphanedPartitions, planClaims } from './partition-plan.ts';
import { partitionOfName, partitionOfTopic } from './partition-key.ts';

describe('partition keys', () => {
  it('puts every channel of one node in the same partition, and spreads nodes out', () => {
    const p = partitionOfTopic('intelli-mesh/lab/node/node-3/state', 64);
    expect(partitionOfTopic('intelli-mesh/lab/node/node-3/command/result', 64)).toBe(p);
    expect(partitionOfTopic('intelli-mesh/lab/node/node-3/metrics', 64)).toBe(p);
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 8000; i++) counts[partitionOfName(`node/n-${i}`, 8)]!++;
    // Even enough that fair shares of partitions are fair shares of nodes (±10 %).
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(100);
  });

  it('keys radio topics by gateway', () => {
    const a = partitionOfTopic('intelli-mesh/lab/radio/field/gw-1/node/69', 1024);
    expect(partitionOfTopic('intelli-mesh/lab/radio/field/gw-1/status', 1024)).toBe(a);
  });
});

describe('planClaims', () => {
  it('a lone member claims every partition', () => {
    const plan = planClaims({ partitions: 8, me: 5, members: [] });
    expect(plan.share).toBe(8);
    expect(plan.claim.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(plan.release).toEqual([]);
  });

  it('a member above its share gives back the excess when another joins', () => {
    const all = [0, 1, 2, 3, 4, 5, 6, 7];
    const plan = planClaims({
      partitions: 8,
      me: 5,
      members: [
        { member: 5, owns: all },
        { member: 9, owns: [] },
      ],
    });
    expect(plan).toEqual({ share: 4, claim: [], release: [4, 5, 6, 7] });
  });

  it('the newcomer claims only free partitions, up to its share', () => {
    const plan = planClaims({
      partitions: 8,
      me: 9,
      members: [{ member: 5, owns: [0, 1, 2, 3, 4, 5] }],
    });
    expect(plan.share).toBe(4);
    expect(plan.claim.sort()).toEqual([6, 7]);
  });

  it('a survivor takes the orphans of a dead member', () => {
    // Member 9 died: its partitions 4..7 are held by nobody.
    const members = [{ member: 5, owns: [0, 1, 2, 3] }];
    expect(orphanedPartitions(8, members)).toEqual([4, 5, 6, 7]);
    const plan = planClaims({ partitions: 8, me: 5, members });
    expect(plan.claim.sort()).toEqual([4, 5, 6, 7]);
  });

  it('shares add up to the partition count and differ by at most one', () => {
    for (const n of [1, 2, 3, 5, 7]) {
      const shares = Array.from({ length: n }, (_, rank) => fairShare(64, n, rank));
      expect(shares.reduce((a, b) => a + b, 0)).toBe(64);
      expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
    }
  });

  it('repeated planning converges: three members end up holding disjoint, even shares', () => {
    const owns = new Map<number, number[]>([
      [3, []],
      [8, []],
      [11, []],
    ]);
    for (let round = 0; round < 5; round++) {
      for (const me of owns.keys()) {
        const members = [...owns].map(([member, o]) => ({ member, owns: o }));
        const plan = planClaims({ partitions: 64, me, members });
        const taken = new Set([...owns.values()].flat());
        const mine = owns.get(me)!.filter((p) => !plan.release.includes(p));
        // A claim succeeds only if nobody holds the partition (what the lock decides).
        for (const p of plan.claim) if (!taken.has(p)) mine.push(p);
        owns.set(me, mine);
      }
    }
    const all = [...owns.values()].flat();
    expect(new Set(all).size).toBe(64);
    expect(all.length).toBe(64);
    for (const o of owns.values()) expect([21, 22]).toContain(o.length);
  });
});
