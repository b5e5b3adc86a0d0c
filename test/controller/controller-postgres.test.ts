/**
 * `intelli-mesh controller --db postgres://…` end to end: a controller process on a PostgreSQL
 * database started by the test, a node reporting through its real (embedded) broker, the API
 * serving what was stored, and `intelli-mesh user` managing users in the same database.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AgentLink } from '../../src/agent/mqtt/agent-link.ts';
import { RealScheduler } from '../../src/core/real-scheduler.ts';
import { waitFor } from '../openwrt/wait-for.ts';
import {
  postgresUnavailable,
  startPostgres,
  type PostgresServer,
} from '../postgres/postgres-server.ts';
import { loginToken, postLogin } from './api-login.ts';

const BIN = new URL('../../bin/intelli-mesh', import.meta.url).pathname;

describe.skipIf(postgresUnavailable())('controller on PostgreSQL', () => {
  let server: PostgresServer;
  let dir: string;
  let running: ChildProcess | undefined;
  beforeAll(async () => {
    server = await startPostgres();
    dir = mkdtempSync(join(tmpdir(), 'im-ctl-pg-'));
  }, 60_000);
  afterEach(() => {
    if (running && running.exitCode === null) running.kill('SIGKILL');
    running = undefined;
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ingests a node through the broker, serves it, and its users are managed by the CLI', async () => {
    const db = await server.newDatabase();
    const users = spawnSync(BIN, ['mqtt-user', 'node-1', '--role', 'node', '--header'], {
      env: { ...process.env, INTELLI_MESH_NEW_PASSWORD: 'node-1-pw' },
      encoding: 'utf8',
    });
    expect(users.status).toBe(0);
    writeFileSync(join(dir, 'users.yaml'), users.stdout);
    const child = spawn(
      BIN,
      [
        'controller',
        '--site',
        'lab',
        '--db',
        db,
        '--db-pool-size',
        '4',
        '--broker-journal',
        join(dir, 'journal'),
        '--port',
        '0',
        '--mqtt-port',
        '0',
        '--credentials',
        join(dir, 'users.yaml'),
      ],
      { env: { ...process.env, INTELLI_MESH_PASSWORD: 'admin-pw', LOG_LEVEL: 'warn' } },
    );
    running = child;
    let out = '';
    const urls = await new Promise<{ http: string; mqtt: string }>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const http = /at (http:\/\/\S+)/.exec(out)?.[1];
        const mqtt = /MQTT broker: (mqtt:\/\/\S+)/.exec(out)?.[1];
        if (http && mqtt && out.includes('login: ')) resolve({ http, mqtt });
      });
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.once('exit', (code) => reject(new Error(`controller exited ${code}: ${out}`)));
    });

    const scheduler = new RealScheduler();
    const link = await AgentLink.connect({
      url: urls.mqtt,
      site: 'lab',
      node: 'node-1',
      password: 'node-1-pw',
      clock: scheduler,
    });
    await link.publishEvent({
      at: scheduler.now(),
      node: 'node-1',
      kind: 'hello',
      subject: 'x',
      from: null,
      to: null,
      reason: 'stored in postgres',
    });
    const login = (username: string, password: string) => postLogin(urls.http, username, password);
    const token = await loginToken(urls.http, 'admin', 'admin-pw');
    const events = await waitFor(
      'the event in the API',
      async () => {
        const res = await fetch(`${urls.http}/api/events?node=node-1`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const list = (await res.json()) as { reason: string }[];
        return list.some((e) => e.reason === 'stored in postgres') ? list : undefined;
      },
      20_000,
    );
    expect(events.map((e) => e.reason)).toContain('stored in postgres');
    await link.close();

    // `user add` on the same database while the controller runs: the new user logs in.
    const add = spawnSync(BIN, ['user', 'add', 'ops', '--role', 'operator', '--db', db], {
      env: { ...process.env, INTELLI_MESH_NEW_PASSWORD: 'ops-password-1' },
      encoding: 'utf8',
    });
    expect(add.stderr).toBe('');
    expect(add.status).toBe(0);
    const list = spawnSync(BIN, ['user', 'list', '--db', db, '--json'], { encoding: 'utf8' });
    expect(list.status).toBe(0);
    expect(list.stdout).toContain('"ops"');
    expect((await login('ops', 'ops-password-1')).status).toBe(200);

    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 120_000);

  it('names an unreachable or malformed --db in one line, without a stack', () => {
    const unreachable = spawnSync(
      BIN,
      [
        'controller',
        '--db',
        'postgres://im:secret@127.0.0.1:1/im',
        '--port',
        '0',
        '--mqtt-port',
        '0',
      ],
      { encoding: 'utf8', env: { ...process.env, INTELLI_MESH_PASSWORD: 'admin-pw' } },
    );
    expect(unreachable.status).toBe(1);
    expect(unreachable.stderr).toMatch(
      /^error: cannot open database postgres:\/\/im:\*\*\*@127\.0\.0\.1:1\/im: .+\n$/,
    );
    const malformed = spawnSync(BIN, ['user', 'list', '--db', 'postgresql://h:5432'], {
      encoding: 'utf8',
    });
    expect(malformed.status).toBe(1);
    expect(malformed.stderr).toMatch(/^error: --db postgresql:\/\/h:5432 names no database/);
  });
});
