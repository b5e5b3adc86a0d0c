/**
 * The PostgreSQL side of SqlSession over a `pg` Pool: outside a transaction each statement
 * takes any pooled connection; a transaction keeps one connection from BEGIN to COMMIT. The
 * `?` and `@name` parameters the repositories write are turned into `$n` once per statement.
 *
 * @example
 * const sql = new PostgresSession(pool);
 * await sql.transaction(async (tx) => { await tx.run('DELETE FROM meta'); });
 */
import type pg from 'pg';
import type { SqlParams, SqlSession } from './sql-session.ts';

interface Translated {
  text: string;
  /** For named parameters: the name of each `$n`, in order; undefined for positional ones. */
  names: string[] | undefined;
}

const translations = new Map<string, Translated>();

/**
 * `?` → `$1, $2, ...`; `@name` → the same `$n` for every use of one name. Neither character
 * appears inside a literal of the repositories' SQL, so no lexer is needed.
 */
export function toPostgresSql(sql: string): Translated {
  let t = translations.get(sql);
  if (t) return t;
  let n = 0;
  const names: string[] = [];
  const text = sql.replace(/\?|@([A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string | undefined) => {
    if (name === undefined) return `$${++n}`;
    let i = names.indexOf(name);
    if (i < 0) i = names.push(name) - 1;
    return `$${i + 1}`;
  });
  t = { text, names: names.length > 0 ? names : undefined };
  translations.set(sql, t);
  return t;
}

function values(t: Translated, params: SqlParams | undefined): unknown[] {
  if (params === undefined) return [];
  if (Array.isArray(params)) return params.map((v: unknown) => (v === undefined ? null : v));
  const named = params as Record<string, unknown>;
  return (t.names ?? []).map((name) => named[name] ?? null);
}

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/** Queries sent to the server, shared by a session and its transactions' sessions. */
interface QueryCount {
  queries: number;
}

export class PostgresSession implements SqlSession {
  readonly dialect = 'postgres' as const;
  private savepoints = 0;

  constructor(
    private readonly pool: pg.Pool,
    /** The connection of the transaction this session runs in, if any. */
    private readonly client?: pg.PoolClient,
    private readonly count: QueryCount = { queries: 0 },
  ) {}

  /**
   * Queries sent so far (BEGIN, COMMIT and savepoints included), by this session and the
   * transactions it opened: each is one round trip to the server, which is what an ingest batch
   * waits on (docs/controller-ingest.md).
   */
  get queriesSent(): number {
    return this.count.queries;
  }

  private query(sql: string, params: SqlParams | undefined): Promise<pg.QueryResult> {
    const t = toPostgresSql(sql);
    this.count.queries++;
    return (this.client ?? (this.pool as Queryable)).query(t.text, values(t, params));
  }

  /** A statement of the transaction's own (BEGIN, COMMIT, savepoints), counted like the rest. */
  private control(client: pg.PoolClient, text: string): Promise<pg.QueryResult> {
    this.count.queries++;
    return client.query(text);
  }

  async all<T>(sql: string, params?: SqlParams): Promise<T[]> {
    return (await this.query(sql, params)).rows as T[];
  }

  async get<T>(sql: string, params?: SqlParams): Promise<T | undefined> {
    return (await this.query(sql, params)).rows[0] as T | undefined;
  }

  async run(sql: string, params?: SqlParams): Promise<number> {
    return (await this.query(sql, params)).rowCount ?? 0;
  }

  async transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    if (this.client) return this.savepoint(this.client, fn);
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await this.control(client, 'BEGIN');
      try {
        const result = await fn(new PostgresSession(this.pool, client, this.count));
        await this.control(client, 'COMMIT');
        return result;
      } catch (err) {
        await this.control(client, 'ROLLBACK').catch((e: Error) => (broken = e));
        throw err;
      }
    } finally {
      // A connection whose rollback failed is in an unknown state: the pool must not reuse it.
      client.release(broken);
    }
  }

  private async savepoint<T>(
    client: pg.PoolClient,
    fn: (tx: SqlSession) => Promise<T>,
  ): Promise<T> {
    const name = `sp${++this.savepoints}`;
    await this.control(client, `SAVEPOINT ${name}`);
    try {
      const result = await fn(this);
      await this.control(client, `RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (err) {
      await this.control(client, `ROLLBACK TO SAVEPOINT ${name}`);
      await this.control(client, `RELEASE SAVEPOINT ${name}`);
      throw err;
    }
  }
}
