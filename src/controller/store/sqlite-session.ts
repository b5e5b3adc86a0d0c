/**
 * The SQLite side of SqlSession over one better-sqlite3 connection. Statements are compiled
 * once and run synchronously; the answers are wrapped in settled promises, so a caller's
 * `await` costs a microtask and no I/O. A transaction holds the connection: statements from
 * outside it (another request, a timer) wait until it, and every transaction asked for before
 * them, ends instead of slipping into it; transactions run one after another.
 *
 * Inside a transaction the session also offers `sync`: the same statements answered without a
 * promise. The ingest writes most of a batch's rows through it (ingest-sync-rows.ts): a promise
 * and a microtask per row were most of what the asynchronous store added to SQLite's ingest.
 * `statementsRun` counts the statements of each path, so a test can tell which one ran.
 *
 * @example
 * const sql = new SqliteSession(openDatabase('lab.db'));
 * await sql.transaction(async (tx) => { await tx.run('DELETE FROM meta'); });
 * await sql.transaction(async (tx) => tx.sync?.run('DELETE FROM meta')); // no promise per row
 */
import type Database from 'better-sqlite3';
import type { Db } from './database.ts';
import type { SqlParams, SqlSession, SyncSql } from './sql-session.ts';

type Statement = Database.Statement<unknown[]>;

/** How many statements ran through each path of one connection. */
export interface SqliteStatementCounts {
  /** Through `tx.sync`: answered at once. */
  sync: number;
  /** Through the promise methods (`all`, `get`, `run`). */
  async: number;
}

export interface SqliteSessionOptions {
  /**
   * Offer `sync` inside transactions. Off, every statement takes the promise path, as on
   * PostgreSQL: for comparing the two paths. @default true
   */
  sync?: boolean;
}

/** The connection, its compiled statements and who holds it. */
class SqliteConnection {
  private readonly statements = new Map<string, Statement>();
  /** Settles when the transaction under way (and those queued before) end. */
  private tail: Promise<void> = Promise.resolve();
  /**
   * Transactions asked for and not yet ended. A statement from outside waits for them all: it
   * neither slips into one nor reads what the one asked for just before it has not yet written.
   */
  queued = 0;
  readonly counts: SqliteStatementCounts = { sync: 0, async: 0 };
  // Compiled once: a transaction per ingest batch.
  readonly begin: Statement;
  readonly commit: Statement;
  readonly rollback: Statement;

  get held(): boolean {
    return this.queued > 0;
  }

  constructor(
    readonly db: Db,
    readonly syncOffered: boolean,
  ) {
    this.begin = db.prepare('BEGIN');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
  }

  prepare(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare<unknown[]>(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** Waits until no transaction holds the connection. */
  async idle(): Promise<void> {
    while (this.queued > 0) await this.tail;
  }

  /** Runs `body` holding the connection, after every transaction queued before it. */
  exclusive<T>(body: () => Promise<T>): Promise<T> {
    this.queued++;
    const run = this.tail.then(body).finally(() => this.queued--);
    this.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}

/**
 * What better-sqlite3 binds: an array binds `?` in order, an object the `@name`s. Copied only
 * when it holds an undefined, which better-sqlite3 refuses: SQLite stores NULL.
 */
function bindable(params: SqlParams): unknown {
  if (!Array.isArray(params)) return params;
  for (const v of params as readonly unknown[]) {
    if (v === undefined) return params.map((x: unknown) => (x === undefined ? null : x));
  }
  return params;
}

function runOn(stmt: Statement, params: SqlParams | undefined): Database.RunResult {
  return params === undefined ? stmt.run() : stmt.run(bindable(params));
}

function getOn(stmt: Statement, params: SqlParams | undefined): unknown {
  return params === undefined ? stmt.get() : stmt.get(bindable(params));
}

function allOn(stmt: Statement, params: SqlParams | undefined): unknown[] {
  return params === undefined ? stmt.all() : stmt.all(bindable(params));
}

/** A transaction's statements answered at once; counted as `sync`. */
class SqliteSyncSql implements SyncSql {
  constructor(private readonly conn: SqliteConnection) {}

  all<T>(sql: string, params?: SqlParams): T[] {
    this.conn.counts.sync++;
    return allOn(this.conn.prepare(sql), params) as T[];
  }

  get<T>(sql: string, params?: SqlParams): T | undefined {
    this.conn.counts.sync++;
    return getOn(this.conn.prepare(sql), params) as T | undefined;
  }

  run(sql: string, params?: SqlParams): number {
    this.conn.counts.sync++;
    return runOn(this.conn.prepare(sql), params).changes;
  }

  insert(sql: string, params?: SqlParams): number {
    this.conn.counts.sync++;
    return Number(runOn(this.conn.prepare(sql), params).lastInsertRowid);
  }
}

export class SqliteSession implements SqlSession {
  readonly dialect = 'sqlite' as const;
  readonly sync: SyncSql | undefined;
  private readonly conn: SqliteConnection;
  private readonly inTransaction: boolean;
  private savepoints = 0;

  constructor(db: Db, options?: SqliteSessionOptions);
  /** A transaction's session: the one holding `conn`. */
  constructor(conn: SqliteConnection, options: { inTransaction: true });
  constructor(
    db: Db | SqliteConnection,
    options: SqliteSessionOptions & { inTransaction?: true } = {},
  ) {
    this.conn =
      db instanceof SqliteConnection ? db : new SqliteConnection(db, options.sync ?? true);
    this.inTransaction = options.inTransaction === true;
    this.sync =
      this.inTransaction && this.conn.syncOffered ? new SqliteSyncSql(this.conn) : undefined;
  }

  get db(): Db {
    return this.conn.db;
  }

  /** Statements run so far on this connection, by path. */
  get statementsRun(): Readonly<SqliteStatementCounts> {
    return this.conn.counts;
  }

  all<T>(sql: string, params?: SqlParams): Promise<T[]> {
    if (!this.inTransaction && this.conn.held)
      return this.conn.idle().then(() => this.all<T>(sql, params));
    this.conn.counts.async++;
    try {
      return Promise.resolve(allOn(this.conn.prepare(sql), params) as T[]);
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  get<T>(sql: string, params?: SqlParams): Promise<T | undefined> {
    if (!this.inTransaction && this.conn.held)
      return this.conn.idle().then(() => this.get<T>(sql, params));
    this.conn.counts.async++;
    try {
      return Promise.resolve(getOn(this.conn.prepare(sql), params) as T | undefined);
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  run(sql: string, params?: SqlParams): Promise<number> {
    if (!this.inTransaction && this.conn.held)
      return this.conn.idle().then(() => this.run(sql, params));
    this.conn.counts.async++;
    try {
      return Promise.resolve(runOn(this.conn.prepare(sql), params).changes);
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    if (this.inTransaction) return this.savepoint(fn);
    return this.conn.exclusive(async () => {
      const tx = new SqliteSession(this.conn, { inTransaction: true });
      this.conn.begin.run();
      try {
        const result = await fn(tx);
        this.conn.commit.run();
        return result;
      } catch (err) {
        if (this.conn.db.inTransaction) this.conn.rollback.run();
        throw err;
      }
    });
  }

  private async savepoint<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    const name = `sp${++this.savepoints}`;
    this.conn.db.exec(`SAVEPOINT ${name}`);
    try {
      const result = await fn(this);
      this.conn.db.exec(`RELEASE ${name}`);
      return result;
    } catch (err) {
      this.conn.db.exec(`ROLLBACK TO ${name}`);
      this.conn.db.exec(`RELEASE ${name}`);
      throw err;
    }
  }

  close(): void {
    this.conn.db.close();
  }
}
