/**
 * Everything the controller keeps, in one SQLite file: the repositories over one connection and
 * the transaction that makes a batch of ingested messages one atomic write.
 *
 * @example
 * const store = ControllerStore.open('intelli-mesh.db');
 * store.nodes.list();
 */
import { openDatabase, type Db } from './database.ts';
import { alertEvent, pushEvent } from '../timeline/controller-events.ts';
import { AlertRepo } from './alert-repo.ts';
import { BootRepo } from './boot-repo.ts';
import { ClientRepo } from './client-repo.ts';
import { EventRepo } from './event-repo.ts';
import { MetaRepo } from './meta-repo.ts';
import { MetricRepo } from './metric-repo.ts';
import { NodeRepo } from './node-repo.ts';
import { PushRepo } from './push-repo.ts';
import { UpgradeRepo } from './upgrade-repo.ts';
import { UserRepo } from './user-repo.ts';

export class ControllerStore {
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
  private readonly rejectStmt;
  private readonly trimRejectsStmt;

  private constructor(readonly db: Db) {
    this.nodes = new NodeRepo(db);
    this.events = new EventRepo(db);
    this.alerts = new AlertRepo(db);
    this.metrics = new MetricRepo(db);
    this.pushes = new PushRepo(db);
    this.upgrades = new UpgradeRepo(db);
    this.users = new UserRepo(db);
    this.meta = new MetaRepo(db);
    this.boots = new BootRepo(db);
    this.clients = new ClientRepo(db);
    // Alerts and pushes put each of their changes on the timeline, whoever makes them.
    this.alerts.onChange((change, alert, at) => this.events.record(alertEvent(change, alert, at)));
    this.pushes.onChange((push, from, at) => this.events.record(pushEvent(push, from, at)));
    this.rejectStmt = db.prepare(
      'INSERT INTO rejected_messages (at, topic, error) VALUES (?, ?, ?)',
    );
    this.trimRejectsStmt = db.prepare(
      'DELETE FROM rejected_messages WHERE id <= (SELECT MAX(id) FROM rejected_messages) - 1000',
    );
  }

  static open(path: string): ControllerStore {
    return new ControllerStore(openDatabase(path));
  }

  /** Keeps the last 1000 refused messages for operators to inspect. */
  recordRejected(at: number, topic: string, error: string): void {
    this.rejectStmt.run(at, topic.slice(0, 512), error.slice(0, 2048));
    this.trimRejectsStmt.run();
  }

  rejected(limit = 100): { at: number; topic: string; error: string }[] {
    return this.db
      .prepare<[number], { at: number; topic: string; error: string }>(
        'SELECT at, topic, error FROM rejected_messages ORDER BY id DESC LIMIT ?',
      )
      .all(Math.min(Math.max(limit, 1), 1000));
  }

  /** Runs `fn` in one transaction; the controller events it recorded are announced once committed. */
  transaction<T>(fn: () => T): T {
    let result: T;
    try {
      result = this.db.transaction(fn)();
    } catch (err) {
      if (!this.db.inTransaction) this.events.discardRecorded();
      throw err;
    }
    if (!this.db.inTransaction) this.events.commitRecorded();
    return result;
  }

  close(): void {
    this.db.close();
  }
}
