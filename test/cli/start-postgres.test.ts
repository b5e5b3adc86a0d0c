/**
 * `intelli-mesh start --db postgres://…`: the all-in-one demo takes a PostgreSQL URL as
 * `controller` does. The real process stores its simulated mesh in a real PostgreSQL database and
 * never prints the URL's password (the login line named the database by its full URL before);
 * a malformed URL is refused in one line before anything starts.
 */
import { spawn, spawnSync } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAdmin } from '../../src/controller/admin-bootstrap.ts';
import { ControllerStore } from '../../src/controller/store/controller-store.ts';
import { BIN } from '../meshlink/cli-process.ts';
import { waitFor } from '../openwrt/wait-for.ts';
import {
  postgresUnavailable,
  startPostgres,
  type PostgresServer,
} from '../postgres/postgres-server.ts';
import { loginToken } from '../controller/api-login.ts';

/** Runs `start`, waits for its login line, and answers the URL, the output so far, and a stop. */
async function startDemo(db: string) {
  // No INTELLI_MESH_PASSWORD: the admin's password stays as stored, and the login line says where.
  const { INTELLI_MESH_PASSWORD: _unused, ...env } = process.env;
  const child = spawn(BIN, ['start', '--port', '0', '--nodes', '8', '--db', db], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...env, LOG_LEVEL: 'warn' },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    return exited;
  };
  try {
    const url = await waitFor(
      'the dashboard URL and the login line',
      () => (/^login: /m.test(out) ? /dashboard: (http:\/\/\S+)/.exec(out)?.[1] : undefined),
      30_000,
    );
    return { url, output: () => out, stop };
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${out}`);
  }
}

describe('intelli-mesh start --db', () => {
  it('refuses a malformed PostgreSQL URL in one line, password hidden, before starting', () => {
    const r = spawnSync(BIN, ['start', '--port', '0', '--db', 'postgresql://u:s3cret@h:5432'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    const output = `${r.stdout}${r.stderr}`;
    expect(output.trim()).toMatch(
      /^error: --db postgresql:\/\/u:\*\*\*@h:5432 names no database \(postgres:\/\/user@host:5432\/database\)$/,
    );
    expect(output).not.toContain('s3cret');
  }, 60_000);
});

describe.skipIf(postgresUnavailable() !== undefined)('intelli-mesh start on PostgreSQL', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => server?.stop());

  it('keeps the demo mesh in the database and never prints the URL’s password', async () => {
    const plain = await server.newDatabase();
    // The server trusts local connections: the password is carried, never checked.
    const withPassword = plain.replace('postgres://postgres@', 'postgres://postgres:s3cret@');
    expect(withPassword).not.toBe(plain);
    // An admin from an earlier start: this start names the database it keeps the hash in.
    const store = await ControllerStore.open(plain);
    await ensureAdmin(store.users, 'admin-pw', Date.now());
    await store.close();

    const demo = await startDemo(withPassword);
    try {
      expect(demo.output()).toMatch(
        /^login: admin \(password printed at the first start; postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/\S+ keeps only its hash/m,
      );
      const token = await loginToken(demo.url, 'admin', 'admin-pw');
      await waitFor(
        'nodes online through the API',
        async () => {
          const res = await fetch(`${demo.url}/api/overview`, {
            headers: { authorization: `Bearer ${token}` },
          });
          return ((await res.json()) as { nodes_online: number }).nodes_online >= 4;
        },
        30_000,
      );
      expect(demo.output()).not.toContain('s3cret');
    } finally {
      expect(await demo.stop()).toBe(0);
    }
    // What the API showed is in PostgreSQL.
    const db = new pg.Client({ connectionString: plain });
    await db.connect();
    try {
      const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM nodes');
      expect(Number(rows[0]!.n)).toBeGreaterThanOrEqual(4);
    } finally {
      await db.end();
    }
  }, 90_000);
});
