import { describe, expect, it } from 'vitest';
import { VirtualScheduler } from '../../core/virtual-scheduler.ts';
import { ClusterMember, type ClusterLocks } from './cluster-member.ts';
import { PartitionGate } from './partition-gate.ts';
import { partitionOfTopic } from './partition-key.ts';
import { ReplayWindow } from './replay-window.ts';

/** PostgreSQL's advisory locks as the members see them: one holder per key, gone with it. */
class FakeLockTable {
  readonly holders = new Map<number, number>();
  leader: number | undefined;
  readonly alive = new Set<number>();

  connect(id: number): ClusterLocks {
    this.alive.add(id);
    const check = () => {
      if (!this.alive.has(id)) throw new Error('connection terminated');
    };
    return {
      memberId: id,
      members: () => {
        check();
        return Promise.resolve(
          [...this.alive].map((member) => ({
            member,
            owns: [...this.holders].filter(([, h]) => h === member).map(([p]) => p),
          })),
        );
      },
      tryClaim: (p) => {
        check();
        if (this.holders.has(p)) return Promise.resolve(false);
        this.holders.set(p, id);
        return Promise.resolve(true);
      },
      release: (p) => {
        check();
        if (this.holders.get(p) === id) this.holders.delete(p);
        return Promise.resolve();
      },
      tryLead: () => {
        check();
        if (this.leader !== undefined && this.leader !== id) return Promise.resolve(false);
        this.leader = id;
        return Promise.resolve(true);
      },
    };
  }

  /** The connection closed (SIGKILL): PostgreSQL frees every lock it held. */
  kill(id: number): void {
    this.alive.delete(id);
    for (const [p, h] of this.holders) if (h === id) this.holders.delete(p);
    if (this.leader === id) this.leader = undefined;
  }
}

describe('ClusterMember', () => {
  it('two members split the partitions; the survivor takes all and the lead when one dies', async () => {
    const table = new FakeLockTable();
    const scheduler = new VirtualScheduler();
    const a = new ClusterMember({ locks: table.connect(1), scheduler, partitions: 16 });
    await a.start();
    expect(a.ownedPartitions).toHaveLength(16);
    expect(a.isLeader).toBe(true);

    const b = new ClusterMember({ locks: table.connect(2), scheduler, partitions: 16 });
    const bClaimed: number[] = [];
    b.on('claimed', (ps) => bClaimed.push(...ps));
    await b.start(); // nothing free yet
    expect(b.ownedPartitions).toEqual([]);
    await a.round(); // a gives back its excess
    expect(a.ownedPartitions).toHaveLength(8);
    await b.round(); // b takes it
    expect(b.ownedPartitions).toHaveLength(8);
    expect(bClaimed.sort((x, y) => x - y)).toEqual(b.ownedPartitions);
    expect(b.isLeader).toBe(false);
    const union = new Set([...a.ownedPartitions, ...b.ownedPartitions]);
    expect(union.size).toBe(16);

    table.kill(1);
    await b.round();
    expect(b.ownedPartitions).toHaveLength(16);
    expect(b.isLeader).toBe(true);
    // The dead member's own view fails and drops everything it thought it had.
    const lostLead: boolean[] = [];
    a.on('leader', (l) => lostLead.push(l));
    await a.round();
    expect(a.ownedPartitions).toEqual([]);
    expect(lostLead).toEqual([false]);
  });

  it('plans again every claimEveryMs of the injected clock', async () => {
    const table = new FakeLockTable();
    const scheduler = new VirtualScheduler();
    const a = new ClusterMember({
      locks: table.connect(1),
      scheduler,
      partitions: 4,
      claimEveryMs: 500,
    });
    await a.start();
    expect(scheduler.nextEventAt()).toBe(500);
    table.holders.clear(); // its locks vanished behind its back
    scheduler.runUntil(500);
    await new Promise((r) => setImmediate(r));
    expect(a.ownedPartitions).toHaveLength(4); // re-read and re-claimed
    expect(scheduler.nextEventAt()).toBe(1000);
    a.stop();
    expect(scheduler.nextEventAt()).toBeUndefined();
  });

  it('a claimed partition’s held messages are replayed, so a hand-off loses nothing', async () => {
    const table = new FakeLockTable();
    const scheduler = new VirtualScheduler();
    const window = new ReplayWindow({ clock: scheduler });
    const a = table.connect(1);
    const member1 = new ClusterMember({ locks: a, scheduler, partitions: 4 });
    await member1.start(); // 1 owns everything
    const member2 = new ClusterMember({ locks: table.connect(2), scheduler, partitions: 4 });
    await member2.start();
    await member1.round();
    await member2.round();
    const gate = new PartitionGate({ partitions: 4, owns: (p) => member2.owns(p), window });
    const topics = Array.from({ length: 40 }, (_, i) => `intelli-mesh/lab/node/n${i}/events`);
    const batch = topics.map((topic) => ({ topic, payload: new Uint8Array([1]) }));
    const written = gate.route(batch);
    const ofMember1 = batch.filter((m) => member1.owns(partitionOfTopic(m.topic, 4)));
    expect(written.length + ofMember1.length).toBe(40);
    expect(window.size).toBe(ofMember1.length);

    table.kill(1); // member 1 dies before committing its share
    const replayed: string[] = [];
    member2.on('claimed', (ps) => replayed.push(...gate.replay(ps).map((m) => m.topic)));
    await member2.round();
    expect(replayed.sort()).toEqual(ofMember1.map((m) => m.topic).sort());
    expect(window.size).toBe(0);
  });
});
