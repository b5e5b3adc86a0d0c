/**
 * The one thing the repositories talk to: run a statement, read rows. Two implementations,
 * SQLite (better-sqlite3) and PostgreSQL (`pg`), so every repository is written once. SQL is
 * written with `?` (positional) or `@name` (named) parameters; the PostgreSQL session turns
 * them into `$n`. Where the dialects differ (a scalar MIN/MAX, ...), `dialect` says which.
 *
 * @example
 * const rows = await sql.all<{ node: string }>('SELECT node FROM nodes WHERE site = ?', ['lab']);
 * const changed = await sql.run('UPDATE nodes SET online = @online WHERE node = @node', { node, online: 1 });
 */
export type SqlValue = string | number | bigint | null | Buffer | Uint8Array | undefined;
/** Positional values for `?`, or an object whose properties name the `@name` parameters. */
export type SqlParams = readonly SqlValue[] | object;
export type SqlDialect = 'sqlite' | 'postgres';

export interface SqlSession {
  readonly dialect: SqlDialect;
  /**
   * The same statements answered at once, without a promise: present only on a SQLite
   * transaction's session, whose statements run synchronously underneath anyway. A batch writer
   * uses it when present (no promise and no microtask per row) and awaits the methods below
   * otherwise (PostgreSQL). Used inside its transaction only, like the session itself.
   */
  readonly sync?: SyncSql;
  all<T>(sql: string, params?: SqlParams): Promise<T[]>;
  get<T>(sql: string, params?: SqlParams): Promise<T | undefined>;
  /** Runs a statement; answers how many rows it changed. */
  run(sql: string, params?: SqlParams): Promise<number>;
  /**
   * Runs `fn` atomically: a transaction on a session outside one, a savepoint inside one (so
   * a failing inner part rolls back alone and the caller may go on).
   */
  transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T>;
}

/** SqlSession's statements, answered synchronously (see `SqlSession.sync`). */
export interface SyncSql {
  all<T>(sql: string, params?: SqlParams): T[];
  get<T>(sql: string, params?: SqlParams): T | undefined;
  /** Runs a statement; answers how many rows it changed. */
  run(sql: string, params?: SqlParams): number;
  /** Runs an INSERT; answers the new row's id (its rowid), with no RETURNING clause needed. */
  insert(sql: string, params?: SqlParams): number;
}

/** The smaller of two values in this dialect's SQL (`MIN(a, b)` / `LEAST(a, b)`). */
export function least(dialect: SqlDialect): string {
  return dialect === 'postgres' ? 'LEAST' : 'MIN';
}

/** The larger of two values in this dialect's SQL (`MAX(a, b)` / `GREATEST(a, b)`). */
export function greatest(dialect: SqlDialect): string {
  return dialect === 'postgres' ? 'GREATEST' : 'MAX';
}
