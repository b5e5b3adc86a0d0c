import { existsSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresUnavailable, startPostgres, type PostgresServer } from './postgres-server.ts';

describe.skipIf(postgresUnavailable())('test PostgreSQL server', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  async function query(url: string, sql: string): Promise<unknown[]> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  }

  it('answers SELECT 1 on its URL', async () => {
    expect(await query(server.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('creates separate empty databases', async () => {
    const a = await server.newDatabase();
    const b = await server.newDatabase('named_one');
    expect(a).not.toEqual(b);
    expect(b).toMatch(/\/named_one$/);
    await query(a, 'CREATE TABLE t (x int)');
    await expect(query(b, 'SELECT * FROM t')).rejects.toThrow(/does not exist/);
    expect(await query(a, 'SELECT current_database() AS db')).toEqual([
      { db: new URL(a).pathname.slice(1) },
    ]);
  });

  it('stops and removes its data directory', async () => {
    const other = await startPostgres();
    const port = new URL(other.url).port;
    const dir = (await query(other.url, 'SHOW data_directory')) as { data_directory: string }[];
    await other.stop();
    expect(existsSync(dir[0]!.data_directory)).toBe(false);
    await expect(
      query(`postgres://postgres@127.0.0.1:${port}/postgres`, 'SELECT 1'),
    ).rejects.toThrow();
  }, 60_000);
});
