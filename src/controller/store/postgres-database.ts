/**
 * Opens a `pg` Pool on the controller's PostgreSQL database and migrates it to the current
 * schema (POSTGRES_MIGRATIONS), under an advisory lock so that controllers starting together
 * migrate once. BIGINT and NUMERIC come back as JavaScript numbers (millisecond times and
 * counts fit in 2^53), as SQLite gives them.
 *
 * @example
 * const pool = await openPostgres('postgres://im@db/im', 'postgres://im@db/im', { poolSize: 10 });
 */
import pg from 'pg';
import { DatabaseOpenError } from './database.ts';
import { MIGRATIONS } from './schema.ts';
import { POSTGRES_MIGRATIONS } from './postgres-schema.ts';
import { DEFAULT_POOL_SIZE, type StoreOptions } from './store-target.ts';

const toNumber = (v: string): number => Number(v);

/** Our own type parsers: pg's global ones are left as other code may expect them. */
const TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC) return toNumber;
    return pg.types.getTypeParser(oid, format);
  }) as typeof pg.types.getTypeParser,
};

const MIGRATION_LOCK = 'intelli-mesh schema migration';

if (POSTGRES_MIGRATIONS.length !== MIGRATIONS.length) {
  // Caught by every test run: a migration added to one backend only.
  throw new Error(
    `schema versions differ: SQLite has ${MIGRATIONS.length}, PostgreSQL ${POSTGRES_MIGRATIONS.length}`,
  );
}

export async function openPostgres(
  url: string,
  display: string,
  options: StoreOptions = {},
): Promise<pg.Pool> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? DEFAULT_POOL_SIZE,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    types: TYPES,
  });
  // An idle connection the server drops (restart, network) must not crash the process.
  pool.on('error', () => {});
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    await pool.end().catch(() => {});
    throw new DatabaseOpenError(`cannot open database ${display}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  try {
    await migrate(client, display);
  } catch (err) {
    client.release(true);
    await pool.end().catch(() => {});
    if (err instanceof DatabaseOpenError) throw err;
    throw new DatabaseOpenError(`cannot migrate database ${display}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  client.release();
  return pool;
}

async function migrate(client: pg.PoolClient, display: string): Promise<void> {
  await client.query('SELECT pg_advisory_lock(hashtext($1))', [MIGRATION_LOCK]);
  try {
    await client.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const row = (await client.query<{ version: number }>('SELECT version FROM schema_version'))
      .rows[0];
    if (!row) await client.query('INSERT INTO schema_version (version) VALUES (0)');
    const version = row?.version ?? 0;
    if (version > POSTGRES_MIGRATIONS.length) {
      throw new DatabaseOpenError(
        `database ${display} has schema version ${version}, newer than this controller (${POSTGRES_MIGRATIONS.length})`,
      );
    }
    for (let v = version; v < POSTGRES_MIGRATIONS.length; v++) {
      await client.query('BEGIN');
      try {
        await client.query(POSTGRES_MIGRATIONS[v]!);
        await client.query('UPDATE schema_version SET version = $1', [v + 1]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [MIGRATION_LOCK]);
  }
}
