/**
 * What the store offers to read and write, over one SqlSession: the store itself (statements
 * outside any transaction) or one transaction (`store.transaction(async (tx) => ...)`, where
 * `tx` is a StoreScope whose writes commit together). Alerts and pushes put each of their
 * changes on the timeline in the same scope; the controller events it records are announced
 * once committed.
 *
 * @example
 * await store.transaction(async (tx) => {
 *   await tx.nodes.recordState(site, state, now);
 *   await tx.alerts.open(alert, now);
 * });
 */
import { alertEvent, pushEvent } from '../timeline/controller-events.ts';
import { RadioRepo } from '../radio/radio-repo.ts';
import { AlertRepo } from './alert-repo.ts';
import { BootRepo } from './boot-repo.ts';
import { ClientRepo } from './client-repo.ts';
import { EventAnnouncer, EventRepo } from './event-repo.ts';
import { MetaRepo } from './meta-repo.ts';
import type { MetricPartitions, OnCommit } from './metric-partitions.ts';
import { DEFAULT_RETENTION, MetricRepo } from './metric-repo.ts';
import { NodeRepo } from './node-repo.ts';
import { PushRepo } from './push-repo.ts';
import type { StoredEvent } from './records.ts';
import type { SqlSession } from './sql-session.ts';
import { UpgradeRepo } from './upgrade-repo.ts';
import { UserRepo } from './user-repo.ts';

/** What every scope of one store shares. */
export interface StoreShared {
  eventListeners: Set<(e: StoredEvent) => void>;
  /** PostgreSQL's metric partitions; undefined on SQLite. */
  partitions: MetricPartitions | undefined;
}

export interface RejectedMessage {
  at: number;
  topic: string;
  error: string;
}

export class StoreScope {
  readonly nodes: NodeRepo;
  readonly events: EventRepo;
  readonly alerts: AlertRepo;
  readonly metrics: MetricRepo;
  readonly pushes: PushRepo;
  readonly upgrades: UpgradeRepo;
  readonly users: UserRepo;
  readonly meta: MetaRepo;
  readonly boots: BootRepo;
  readonly clients: ClientRepo;
  readonly radio: RadioRepo;
  /** What waits for this scope's commit (announcements, partitions now known to exist). */
  private readonly onCommitted: (() => void)[] = [];
  protected readonly announcer: EventAnnouncer;

  constructor(
    readonly sql: SqlSession,
    protected readonly shared: StoreShared,
    /** A transaction's scope: what it records waits for `committed()`. */
    deferred: boolean,
  ) {
    const onCommit: OnCommit = deferred ? (fn) => this.onCommitted.push(fn) : (fn) => fn();
    this.announcer = new EventAnnouncer(shared.eventListeners, deferred);
    this.events = new EventRepo(sql, this.announcer, shared.eventListeners);
    this.nodes = new NodeRepo(sql);
    this.alerts = new AlertRepo(
      sql,
      (change, alert, at) => this.events.record(alertEvent(change, alert, at)),
      (sync, change, alert, at) => this.events.recordNow(sync, alertEvent(change, alert, at)),
    );
    this.metrics = new MetricRepo(sql, DEFAULT_RETENTION, shared.partitions, onCommit);
    this.pushes = new PushRepo(sql, (push, from, at) =>
      this.events.record(pushEvent(push, from, at)),
    );
    this.upgrades = new UpgradeRepo(sql);
    this.users = new UserRepo(sql);
    this.meta = new MetaRepo(sql);
    this.boots = new BootRepo(sql);
    this.clients = new ClientRepo(sql);
    this.radio = new RadioRepo(sql);
  }

  /** Keeps the last 1000 refused messages for operators to inspect. */
  async recordRejected(at: number, topic: string, error: string): Promise<void> {
    await this.sql.run('INSERT INTO rejected_messages (at, topic, error) VALUES (?, ?, ?)', [
      at,
      topic.slice(0, 512),
      error.slice(0, 2048),
    ]);
    await this.sql.run(
      'DELETE FROM rejected_messages WHERE id <= (SELECT MAX(id) FROM rejected_messages) - 1000',
    );
  }

  rejected(limit = 100): Promise<RejectedMessage[]> {
    return this.sql.all<RejectedMessage>(
      'SELECT at, topic, error FROM rejected_messages ORDER BY id DESC LIMIT ?',
      [Math.min(Math.max(limit, 1), 1000)],
    );
  }

  /**
   * Runs `fn` atomically within this scope (a savepoint inside a transaction: a failing `fn`
   * rolls back alone). The store itself overrides this with a real transaction.
   */
  transaction<T>(fn: (tx: StoreScope) => Promise<T>): Promise<T> {
    return this.sql.transaction(() => fn(this));
  }

  /** Runs what waited for this transaction's commit (it has just committed). */
  protected committed(): void {
    this.announcer.commit();
    for (const fn of this.onCommitted.splice(0)) fn();
  }
}
