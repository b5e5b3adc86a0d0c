/**
 * Everything the controller keeps, in a SQLite file or a PostgreSQL database (`--db`: a path,
 * or a `postgres://` / `postgresql://` URL): the repositories and the transaction that makes a
 * batch of ingested messages one atomic write. Every method is asynchronous, PostgreSQL being
 * across a socket; on SQLite the statements still run synchronously underneath.
 *
 * @example
 * const store = await ControllerStore.open('intelli-mesh.db');
 * await store.nodes.list();
 * await store.transaction(async (tx) => tx.nodes.recordState(site, state, now));
 */
import { MetricPartitions } from './metric-partitions.ts';
import { openDatabase } from './database.ts';
import { openPostgres } from './postgres-database.ts';
import { PostgresSession } from './postgres-session.ts';
import { SqliteSession } from './sqlite-session.ts';
import type { SqlSession } from './sql-session.ts';
import { StoreScope, type StoreShared } from './store-scope.ts';
import { parseStoreTarget, type StoreOptions } from './store-target.ts';

export type { StoreScope };

export class ControllerStore extends StoreScope {
  private constructor(
    sql: SqlSession,
    shared: StoreShared,
    /** Which backend and where, for messages (never with a password). */
    readonly describe: string,
    private readonly closeBackend: () => Promise<void>,
  ) {
    super(sql, shared, false);
  }

  /**
   * Opens (creating and migrating when needed) the store `target` names: a SQLite path (or
   * `:memory:`), or a PostgreSQL URL.
   */
  static async open(target: string, options: StoreOptions = {}): Promise<ControllerStore> {
    const where = parseStoreTarget(target);
    if (where.kind === 'sqlite') {
      const session = new SqliteSession(openDatabase(where.path), { sync: options.sqliteSync });
      return new ControllerStore(
        session,
        { eventListeners: new Set(), partitions: undefined },
        where.path,
        async () => session.close(),
      );
    }
    const pool = await openPostgres(where.url, where.display, options);
    return new ControllerStore(
      new PostgresSession(pool),
      { eventListeners: new Set(), partitions: new MetricPartitions() },
      where.display,
      () => pool.end(),
    );
  }

  /** Throws unless the database answers a query that reads its catalogue. */
  async check(): Promise<void> {
    await this.sql.get(
      this.sql.dialect === 'sqlite'
        ? 'SELECT count(*) AS n FROM sqlite_master'
        : 'SELECT count(*) AS n FROM pg_catalog.pg_tables',
    );
  }

  get dialect(): SqlSession['dialect'] {
    return this.sql.dialect;
  }

  /**
   * Runs `fn` in one transaction: all of its writes commit together or none does, and the
   * controller events it recorded are announced once committed. On SQLite transactions run one
   * at a time and other statements wait for the one under way.
   */
  override transaction<T>(fn: (tx: StoreScope) => Promise<T>): Promise<T> {
    const run = this.runTransaction(fn);
    this.underWay.add(run);
    const forget = () => this.underWay.delete(run);
    run.then(forget, forget);
    return run;
  }

  private async runTransaction<T>(fn: (tx: StoreScope) => Promise<T>): Promise<T> {
    let scope: TransactionScope | undefined;
    const result = await this.sql.transaction((tx) => {
      scope = new TransactionScope(tx, this.shared);
      return fn(scope);
    });
    scope!.afterCommit();
    return result;
  }

  /** Transactions begun and not yet ended: closing lets them finish instead of cutting them off. */
  private readonly underWay = new Set<Promise<unknown>>();
  private closing: Promise<void> | undefined;

  close(): Promise<void> {
    this.closing ??= (async () => {
      while (this.underWay.size > 0) await Promise.allSettled([...this.underWay]);
      await this.closeBackend();
    })();
    return this.closing;
  }
}

class TransactionScope extends StoreScope {
  constructor(sql: SqlSession, shared: StoreShared) {
    super(sql, shared, true);
  }

  afterCommit(): void {
    this.committed();
  }
}
