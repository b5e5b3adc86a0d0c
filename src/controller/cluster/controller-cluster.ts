/**
 * A controller process's membership in a cluster on one PostgreSQL database: the lock
 * connection (re-opened when it breaks), the claim loop, the replay window and the live
 * fan-out, behind the few calls the controller makes:
 *
 * - `route(batch)`: what the MQTT session delivered → what this process writes now (the rest is
 *   held for a hand-off);
 * - `onReplay`: called with the held messages of partitions just claimed, to write first;
 * - `isLeader` and the `leader` event: whether the singleton duties run here;
 * - `publish(changes, alerts)`: tells the other processes what this one committed;
 *   `onRemote` receives theirs.
 *
 * @example
 * const cluster = await ControllerCluster.start({ url, scheduler, onReplay: (m) => ingest.acceptBatch(m),
 *   onRemote: (n) => live.broadcast(n.changes) });
 * // ...once the MQTT subscription is active:
 * await cluster.join();
 */
import { EventEmitter } from 'node:events';
import { silentLogger, type Logger } from '../../core/logger.ts';
import type { Scheduler, TimerHandle } from '../../core/scheduler.ts';
import type { AlertTransition, LiveChange } from '../ingest.ts';
import { ClusterMember } from './cluster-member.ts';
import { DEFAULT_PARTITIONS } from './partition-key.ts';
import { PartitionGate } from './partition-gate.ts';
import { DEDUPE_KEEP_MS, freshIds, pruneSeen, type RowQuery } from './pg-dedupe.ts';
import { PgClusterLocks } from './pg-cluster-locks.ts';
import { PgLiveFanout } from './pg-live-fanout.ts';
import { ReplayWindow, type WindowMessage } from './replay-window.ts';

/** What one process tells the others it committed. */
export interface RemoteNotice {
  changes: LiveChange[];
  /** Alert transitions, for the leader's notifier. */
  alerts: AlertTransition[];
}

export interface ControllerClusterOptions {
  /** The PostgreSQL URL of the store. */
  url: string;
  scheduler: Scheduler;
  /** @default DEFAULT_PARTITIONS (64); every process of a database must agree. */
  partitions?: number;
  /** @default 1000 */
  claimEveryMs?: number;
  /** How long messages of others' partitions are held. @default 30_000 */
  replayKeepMs?: number;
  /** @default 100_000 */
  replayMaxMessages?: number;
  onReplay: (messages: WindowMessage[]) => void;
  onRemote: (notice: RemoteNotice) => void;
  logger?: Logger;
}

export interface ClusterStatus {
  member: number | undefined;
  leader: boolean;
  partitions: number;
  owned: number[];
  held: number;
  /** Messages the window dropped for its count bound. */
  dropped: number;
  /** Whether the lock connection is up (down: this process holds nothing). */
  connected: boolean;
  /** Members the last claim round saw, this one included. */
  members: number;
  /** When the last claim round completed, and when this process last claimed (epoch ms). */
  lastRoundAt: number | undefined;
  lastClaimAt: number | undefined;
  /** Messages of claimed partitions passed on from the window, since start. */
  replayed: number;
  /** Messages not written because their id was already stored, since start. */
  deduplicated: number;
}

export class ControllerCluster extends EventEmitter<{ leader: [boolean] }> {
  readonly partitions: number;
  readonly claimEveryMs: number;
  private readonly window: ReplayWindow;
  private readonly gate: PartitionGate;
  private member: ClusterMember | undefined;
  private locks: PgClusterLocks | undefined;
  private fanout: PgLiveFanout | undefined;
  private retry: TimerHandle | undefined;
  private closed = false;
  private joined = false;
  private readonly counts = { replayed: 0, deduplicated: 0 };
  private readonly log: Logger;

  private constructor(private readonly options: ControllerClusterOptions) {
    super();
    this.partitions = options.partitions ?? DEFAULT_PARTITIONS;
    this.claimEveryMs = options.claimEveryMs ?? 1_000;
    this.log = options.logger ?? silentLogger;
    this.window = new ReplayWindow({
      clock: options.scheduler,
      keepMs: options.replayKeepMs,
      maxMessages: options.replayMaxMessages,
    });
    this.gate = new PartitionGate({
      partitions: this.partitions,
      owns: (p) => this.member?.owns(p) ?? false,
      window: this.window,
    });
  }

  /**
   * Opens the lock connection and the live feed on a database the store has migrated (the
   * cluster's tables are in its migrations); the process is not a member yet (see `join`).
   */
  static async start(options: ControllerClusterOptions): Promise<ControllerCluster> {
    const cluster = new ControllerCluster(options);
    await cluster.connect();
    return cluster;
  }

  /**
   * Becomes a member and starts claiming. Call it once the MQTT subscription is active: another
   * member gives back partitions as soon as this one is counted, and the messages of those
   * partitions must already reach this process (its window holds them until it claims).
   */
  async join(): Promise<void> {
    this.joined = true;
    await this.locks!.enlist();
    await this.member!.start();
  }

  get isLeader(): boolean {
    return this.member?.isLeader ?? false;
  }

  /** The cluster's clock (for how old its last round is). */
  readonly now = (): number => this.options.scheduler.now();

  get status(): ClusterStatus {
    return {
      member: this.locks?.memberId,
      leader: this.isLeader,
      partitions: this.partitions,
      owned: this.member?.ownedPartitions ?? [],
      held: this.window.size,
      dropped: this.window.dropped,
      connected: this.locks?.connected ?? false,
      members: this.member?.lastRound.members ?? 0,
      lastRoundAt: this.member?.lastRound.roundAt,
      lastClaimAt: this.member?.lastRound.claimAt,
      ...this.counts,
    };
  }

  /**
   * The ingest's deduplication (pg-dedupe.ts `freshIds`) inside its batch's transaction,
   * counting the repeats for operators.
   */
  async freshIds(rows: RowQuery, ids: readonly Buffer[], now: number): Promise<boolean[]> {
    const fresh = await freshIds(rows, ids, now);
    this.counts.deduplicated += fresh.filter((f) => !f).length;
    return fresh;
  }

  route<T extends WindowMessage>(batch: readonly T[]): T[] {
    return this.gate.route(batch);
  }

  /** Tells the others; a failure is logged (their dashboards miss a live update, not data). */
  async publish(
    changes: readonly LiveChange[],
    alerts: readonly AlertTransition[] = [],
  ): Promise<void> {
    if (changes.length === 0 && alerts.length === 0) return;
    try {
      await this.fanout?.publish(changes, alerts);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'cluster live fan-out failed');
    }
  }

  /** The leader's chore: forgets message ids older than DEDUPE_KEEP_MS. Answers how many. */
  async prune(now: number): Promise<number> {
    if (!this.locks?.connected) return 0;
    return pruneSeen(this.locks.client, now - DEDUPE_KEEP_MS);
  }

  /** Runs a claim round now (tests; the loop runs on its own). */
  async round(): Promise<void> {
    // Not a member yet: nothing may be claimed before this process receives every message.
    if (this.joined) await this.member?.round();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.retry?.cancel();
    this.member?.stop();
    await this.locks?.close();
  }

  private async connect(): Promise<void> {
    const { url, scheduler } = this.options;
    const locks = await PgClusterLocks.connect(url, {
      onLost: (err) => {
        if (this.closed) return;
        this.log.error({ err: err.message }, 'cluster lock connection lost; every claim dropped');
        this.member?.stop();
        this.member?.lost();
        this.scheduleRejoin();
      },
    });
    this.locks = locks;
    this.fanout = await PgLiveFanout.start({
      listen: locks.client,
      send: locks.client,
      member: locks.memberId,
      clock: scheduler,
      onNotice: (notice) => this.options.onRemote(notice),
      onError: (err) => this.log.warn({ err: err.message }, 'cluster live notice unreadable'),
    });
    const member = new ClusterMember({
      locks,
      scheduler,
      partitions: this.partitions,
      claimEveryMs: this.options.claimEveryMs,
      logger: this.log,
    });
    member.on('claimed', (ps) => {
      const replay = this.gate.replay(ps);
      if (replay.length > 0) {
        this.counts.replayed += replay.length;
        this.log.info(
          { partitions: ps.length, messages: replay.length },
          'replaying hand-off window',
        );
        this.options.onReplay(replay);
      }
    });
    member.on('leader', (leading) => this.emit('leader', leading));
    this.member = member;
  }

  private scheduleRejoin(): void {
    if (this.closed) return;
    this.retry = this.options.scheduler.after(this.options.claimEveryMs ?? 1_000, () => {
      // The MQTT subscription outlived the lock connection: enlist again at once.
      const again = async () => {
        await this.connect();
        if (this.joined) await this.join();
      };
      again().catch((err: unknown) => {
        this.log.error({ err: (err as Error).message }, 'cluster rejoin failed; retrying');
        this.scheduleRejoin();
      });
    });
  }
}
