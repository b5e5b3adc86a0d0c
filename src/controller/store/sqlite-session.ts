/**
 * The SQLite side of SqlSession over one better-sqlite3 connection. Statements are compiled
 * once and run synchronously; the answers are wrapped in settled promises, so a caller's
 * `await` costs a microtask and no I/O. A transaction holds the connection: statements from
 * outside it (another request, a timer) wait until it, and every transaction asked for before
 * them, ends instead of slipping into it; transactions run one after another.
 *
 * @example
 * const sql = new SqliteSession(openDatabase('lab.db'));
 * await sql.transaction(async (tx) => { await tx.run('DELETE FROM meta'); });
 */
import type Database from 'better-sqlite3';
import type { Db } from './database.ts';
import type { SqlParams, SqlSession } from './sql-session.ts';

type Statement = Database.Statement<unknown[]>;

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

  get held(): boolean {
    return this.queued > 0;
  }

  constructor(readonly db: Db) {}

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

function args(params: SqlParams | undefined): unknown[] {
  if (params === undefined) return [];
  return Array.isArray(params) ? params.map(bindable) : [params];
}

/** better-sqlite3 binds no booleans or undefined: store what SQLite stores. */
function bindable(v: unknown): unknown {
  return v === undefined ? null : v;
}

export class SqliteSession implements SqlSession {
  readonly dialect = 'sqlite' as const;
  private readonly conn: SqliteConnection;
  private savepoints = 0;

  /** `inTransaction`: this session is the one holding the connection. */
  constructor(
    db: Db | SqliteConnection,
    private readonly inTransaction = false,
  ) {
    this.conn = db instanceof SqliteConnection ? db : new SqliteConnection(db);
  }

  get db(): Db {
    return this.conn.db;
  }

  all<T>(sql: string, params?: SqlParams): Promise<T[]> {
    if (!this.inTransaction && this.conn.held)
      return this.conn.idle().then(() => this.all<T>(sql, params));
    try {
      return Promise.resolve(this.conn.prepare(sql).all(...args(params)) as T[]);
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  get<T>(sql: string, params?: SqlParams): Promise<T | undefined> {
    if (!this.inTransaction && this.conn.held)
      return this.conn.idle().then(() => this.get<T>(sql, params));
    try {
      return Promise.resolve(this.conn.prepare(sql).get(...args(params)) as T | undefined);
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  run(sql: string, params?: SqlParams): Promise<number> {
    if (!this.inTransaction && this.conn.held)
      return this.conn.idle().then(() => this.run(sql, params));
    try {
      return Promise.resolve(this.conn.prepare(sql).run(...args(params)).changes);
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    if (this.inTransaction) return this.savepoint(fn);
    return this.conn.exclusive(async () => {
      const tx = new SqliteSession(this.conn, true);
      this.conn.db.prepare('BEGIN').run();
      try {
        const result = await fn(tx);
        this.conn.db.prepare('COMMIT').run();
        return result;
      } catch (err) {
        if (this.conn.db.inTransaction) this.conn.db.prepare('ROLLBACK').run();
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
