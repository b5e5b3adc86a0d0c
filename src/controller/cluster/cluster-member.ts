/**
 * One controller process's part in the cluster: every `claimEveryMs` it reads who holds which
 * partition (from PostgreSQL's lock table, through `ClusterLocks`), claims its fair share of
 * the free ones, gives back what exceeds its share, and tries the leader lock. It decides
 * nothing on its own authority: a partition is this process's exactly while its lock connection
 * holds the advisory lock, and a lost connection loses every claim at once.
 *
 * Sans-IO apart from the injected port and scheduler: the unit tests drive it with a fake port
 * and virtual time, the adapter test with PostgreSQL.
 *
 * @example
 * const member = new ClusterMember({ locks, scheduler, partitions: 64 });
 * member.on('claimed', (ps) => replay(window.take(ps)));
 * member.start();
 */
import { EventEmitter } from 'node:events';
import type { Logger } from '../../core/logger.ts';
import { silentLogger } from '../../core/logger.ts';
import type { Scheduler, TimerHandle } from '../../core/scheduler.ts';
import { planClaims, type MemberClaims } from './partition-plan.ts';

/** The lock operations the member needs (pg-cluster-locks.ts is the PostgreSQL one). */
export interface ClusterLocks {
  /** This member's id, as it appears in `members()` (stable while the connection lives). */
  readonly memberId: number;
  /** Every member and the partitions each holds, this one included. */
  members(): Promise<MemberClaims[]>;
  tryClaim(partition: number): Promise<boolean>;
  release(partition: number): Promise<void>;
  tryLead(): Promise<boolean>;
}

export interface ClusterMemberOptions {
  locks: ClusterLocks;
  scheduler: Scheduler;
  partitions: number;
  /** How often claims are re-planned: a dead member's partitions are taken within this. @default 1000 */
  claimEveryMs?: number;
  logger?: Logger;
}

export class ClusterMember extends EventEmitter<{
  /** Partitions now this member's: replay their window before their next messages. */
  claimed: [number[]];
  /** Partitions no longer this member's. */
  released: [number[]];
  /** Leadership gained (true) or lost (false). */
  leader: [boolean];
  /** A round failed (e.g. the lock connection broke); claims were dropped. */
  failed: [Error];
}> {
  private readonly owned = new Set<number>();
  private leading = false;
  /** When a round last completed, when this member last claimed a partition, and how many members that round saw (for operators: cluster-report.ts). */
  private progress: { roundAt?: number; claimAt?: number; members: number } = { members: 0 };
  private timer: TimerHandle | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly claimEveryMs: number;
  private readonly log: Logger;

  constructor(private readonly options: ClusterMemberOptions) {
    super();
    this.claimEveryMs = options.claimEveryMs ?? 1_000;
    this.log = options.logger ?? silentLogger;
  }

  owns(partition: number): boolean {
    return this.owned.has(partition);
  }

  get ownedPartitions(): number[] {
    return [...this.owned].sort((a, b) => a - b);
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** When the last round completed and the last claim was made (epoch ms), and the members seen. */
  get lastRound(): { roundAt?: number; claimAt?: number; members: number } {
    return { ...this.progress };
  }

  /** Runs a first round now, then one every `claimEveryMs`. */
  start(): Promise<void> {
    this.stopped = false;
    return this.round();
  }

  /** One planning round (also what the timer runs). Rounds never overlap. */
  round(): Promise<void> {
    this.running ??= this.runRound().finally(() => {
      this.running = undefined;
      if (!this.stopped) {
        this.timer?.cancel();
        this.timer = this.options.scheduler.after(this.claimEveryMs, () => void this.round());
      }
    });
    return this.running;
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  /**
   * Forgets every claim and the leadership at once: the lock connection is gone, so the locks
   * are (PostgreSQL released them when it closed).
   */
  lost(): void {
    const had = this.ownedPartitions;
    this.owned.clear();
    if (had.length > 0) this.emit('released', had);
    if (this.leading) {
      this.leading = false;
      this.emit('leader', false);
    }
  }

  private async runRound(): Promise<void> {
    const { locks, partitions } = this.options;
    try {
      const members = await locks.members();
      // What PostgreSQL says this member holds is the truth (a claim may have been lost).
      const held = members.find((m) => m.member === locks.memberId)?.owns ?? [];
      const heldSet = new Set(held);
      const gone = this.ownedPartitions.filter((p) => !heldSet.has(p));
      for (const p of gone) this.owned.delete(p);
      if (gone.length > 0) this.emit('released', gone);

      const plan = planClaims({ partitions, me: locks.memberId, members });
      const released: number[] = [];
      for (const p of plan.release) {
        this.owned.delete(p);
        released.push(p);
        await locks.release(p);
      }
      if (released.length > 0) this.emit('released', released);
      const claimed: number[] = [];
      for (const p of held) {
        if (!this.owned.has(p) && !plan.release.includes(p)) {
          this.owned.add(p);
          claimed.push(p);
        }
      }
      for (const p of plan.claim) {
        if (await locks.tryClaim(p)) {
          this.owned.add(p);
          claimed.push(p);
        }
      }
      if (claimed.length > 0) {
        this.progress.claimAt = this.options.scheduler.now();
        this.log.info({ claimed, share: plan.share }, 'cluster partitions claimed');
        this.emit('claimed', claimed);
      }
      if (!this.leading && (await locks.tryLead())) {
        this.leading = true;
        this.log.info({ member: locks.memberId }, 'cluster leader');
        this.emit('leader', true);
      }
      this.progress.roundAt = this.options.scheduler.now();
      this.progress.members = members.length;
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'cluster round failed');
      this.lost();
      this.emit('failed', err as Error);
    }
  }
}
