/**
 * Issue 12, finding 6: there was no way to create a dashboard user other than the admin. Now the
 * admin API and `intelli-mesh user` manage users with roles viewer / operator / admin, each route
 * checks the role, and every change is on the timeline. Real server, real SQLite file, the real
 * CLI process. (The dashboard's Users page: dashboard-browser.test.ts.)
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { ControllerStore } from '../../src/controller/store/controller-store.ts';
import type { StoredEvent } from '../../src/controller/store/event-repo.ts';
import { MIGRATIONS } from '../../src/controller/store/schema.ts';
import type { NodeState } from '../../src/mqtt/messages.ts';
import { nodeTopic } from '../../src/mqtt/topics.ts';
import { startHttpController, type HttpController } from './http-controller.ts';

const run = promisify(execFile);
const BIN = resolve(import.meta.dirname, '../../bin/intelli-mesh');

const state = (node: string, at: number): NodeState => ({
  node,
  at,
  uptime_s: 1,
  role: 'mesh',
  wans: [],
  gateway: { announcing: false, bandwidth_down_kbit: 0, bandwidth_up_kbit: 0, selected: null },
  neighbours: [],
});

describe('users, roles and the timeline', () => {
  let ctl: HttpController;
  let admin: string;
  const call = (method: string, path: string, token: string, json?: unknown) =>
    ctl.request(path, { method, token, ...(json === undefined ? {} : { json }) });

  beforeAll(async () => {
    ctl = await startHttpController();
    admin = await ctl.login('admin', 'admin-pw-1');
    await ctl.ingest.acceptBatch([
      {
        topic: nodeTopic('lab', 'n1', 'state'),
        payload: Buffer.from(JSON.stringify(state('n1', ctl.scheduler.now()))),
      },
    ]);
  });
  afterAll(() => ctl.close());

  it('lets the admin add users with a role and refuses bad input clearly', async () => {
    const add = (username: string, role: string, password: string) =>
      call('POST', '/api/users', admin, { username, role, password });
    expect((await add('ops', 'operator', 'operator-pw-1')).status).toBe(201);
    expect((await add('watcher', 'viewer', 'viewer-pw-1')).status).toBe(201);

    const dup = await add('ops', 'viewer', 'another-pw-1');
    expect(dup.status).toBe(409);
    expect(await dup.json()).toEqual({ error: "user 'ops' already exists" });
    const short = await add('shorty', 'viewer', 'pw');
    expect(short.status).toBe(400);
    expect(((await short.json()) as { error: string }).error).toMatch(/^password: use 8 to 1024/);
    const role = await add('boss', 'superuser', 'boss-pw-12');
    expect(role.status).toBe(400);
    expect(((await role.json()) as { issues: string[] }).issues.join()).toMatch(/^role: /);

    const list = (await (await call('GET', '/api/users', admin)).json()) as { username: string }[];
    expect(list.map((u) => `${u.username}`)).toEqual(['admin', 'ops', 'watcher']);
  });

  it('enforces viewer < operator < admin on every acting route', async () => {
    const ops = await ctl.login('ops', 'operator-pw-1');
    const watcher = await ctl.login('watcher', 'viewer-pw-1');
    const push = { node: 'n1', version: 'v2', config: { weight: 1 } };
    const upgrade = { image_url: 'http://x/y.bin', sha256: 'a'.repeat(64), version: '2.0' };
    const acting: [string, string, unknown?][] = [
      ['POST', '/api/config/push', push],
      ['POST', '/api/alerts/999/ack'],
      ['POST', '/api/demo/faults', { action: 'kill-node', node: 'n1' }],
      ['POST', '/api/upgrades', upgrade],
    ];
    for (const [method, path, body] of acting) {
      expect((await call(method, path, watcher, body)).status, `viewer ${path}`).toBe(403);
      expect((await call(method, path, ops, body)).status, `operator ${path}`).not.toBe(403);
    }
    expect((await call('POST', '/api/config/push', ops, push)).status).toBe(202);
    const adminOnly: [string, string, unknown?][] = [
      ['GET', '/api/users'],
      ['POST', '/api/users', { username: 'x1', role: 'admin', password: 'x1-password' }],
      ['PUT', '/api/users/watcher/role', { role: 'admin' }],
      ['PUT', '/api/users/watcher/password', { password: 'hijacked-pw' }],
      ['DELETE', '/api/users/watcher'],
      ['GET', '/api/rejected'],
    ];
    for (const [method, path, body] of adminOnly) {
      const r = await call(method, path, ops, body);
      expect(r.status, `operator ${method} ${path}`).toBe(403);
    }
    const refused = await call('GET', '/api/users', ops);
    expect(await refused.json()).toEqual({
      error: 'ops is an operator; this needs an admin or above',
    });
    // Everyone reads.
    for (const token of [watcher, ops]) {
      expect((await call('GET', '/api/nodes', token)).status).toBe(200);
    }
  });

  it('changes roles, removes users (their sessions end), and keeps the last admin', async () => {
    const watcher = await ctl.login('watcher', 'viewer-pw-1');
    expect((await call('PUT', '/api/users/watcher/role', admin, { role: 'operator' })).status).toBe(
      200,
    );
    // A role change ends the open session (a token is a grant of the old role); a new login
    // has the new role.
    expect((await call('GET', '/api/me', watcher)).status).toBe(401);
    const promoted = await ctl.login('watcher', 'viewer-pw-1');
    expect((await call('POST', '/api/alerts/999/ack', promoted)).status).toBe(404);
    expect((await call('DELETE', '/api/users/watcher', admin)).status).toBe(200);
    expect((await call('GET', '/api/me', promoted)).status).toBe(401);
    expect((await call('DELETE', '/api/users/watcher', admin)).status).toBe(404);

    const last = await call('DELETE', '/api/users/admin', admin);
    expect(last.status).toBe(400);
    expect(await last.json()).toEqual({
      error: "'admin' is the last admin; make another admin first",
    });
    expect((await call('PUT', '/api/users/admin/role', admin, { role: 'viewer' })).status).toBe(
      400,
    );
  });

  it('puts every change on the timeline, naming who made it', async () => {
    const events = (await (await call('GET', '/api/events', admin)).json()) as StoredEvent[];
    const users = events
      .filter((e) => e.kind.startsWith('user-'))
      .map((e) => `${e.kind} ${e.subject} ${e.from ?? '-'}→${e.to ?? '-'} ${e.reason}`)
      .reverse();
    expect(users).toEqual([
      'user-added ops -→operator user ops added by admin',
      'user-added watcher -→viewer user watcher added by admin',
      'user-role-changed watcher viewer→operator user watcher role changed by admin',
      'user-removed watcher operator→- user watcher removed by admin',
    ]);
    const userEvents = events.filter((e) => e.kind.startsWith('user-'));
    expect(userEvents.every((e) => e.node === 'controller' && e.source === 'controller')).toBe(
      true,
    );
  });

  it(
    'manages users from the CLI on the running controller’s database',
    { timeout: 120_000 },
    async () => {
      const env = { ...process.env, INTELLI_MESH_NEW_PASSWORD: 'cli-user-pw-1' };
      const add = await run(
        BIN,
        ['user', 'add', 'nightshift', '--role', 'operator', '--db', ctl.dbPath],
        { env },
      );
      expect(add.stdout).toBe('added nightshift (operator)\n');
      const token = await ctl.login('nightshift', 'cli-user-pw-1');

      const list = await run(BIN, ['user', 'list', '--db', ctl.dbPath, '--json']);
      expect(
        (JSON.parse(list.stdout) as { username: string; role: string }[]).map(
          (u) => `${u.username}:${u.role}`,
        ),
      ).toEqual(['admin:admin', 'nightshift:operator', 'ops:operator']);

      await run(BIN, ['user', 'passwd', 'nightshift', '--db', ctl.dbPath], {
        env: { ...env, INTELLI_MESH_NEW_PASSWORD: 'cli-user-pw-2' },
      });
      expect((await call('GET', '/api/me', token)).status).toBe(401);
      await ctl.login('nightshift', 'cli-user-pw-2');

      const removed = await run(BIN, ['user', 'remove', 'nightshift', '--db', ctl.dbPath]);
      expect(removed.stdout).toBe('removed nightshift\n');
      const bad = await run(BIN, ['user', 'remove', 'nobody', '--db', ctl.dbPath]).catch(
        (e: { code: number; stderr: string }) => e,
      );
      expect(bad).toMatchObject({ code: 1, stderr: "error: no user 'nobody'\n" });
      const missing = await run(BIN, ['user', 'list', '--db', '/nonexistent/controller.db']).catch(
        (e: { code: number; stderr: string }) => e,
      );
      expect((missing as { stderr: string }).stderr).toMatch(/^error: no controller database at/);

      const events = (await (await call('GET', '/api/events', admin)).json()) as StoredEvent[];
      const reasons = events.filter((e) => e.subject === 'nightshift').map((e) => e.reason);
      expect(reasons).toHaveLength(3);
      expect(reasons.every((r) => /by cli:/.test(r))).toBe(true);
    },
  );
});

describe('upgrading a database from before the operator role', () => {
  it('keeps its users and their hashes, and then accepts operators', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'im-sec-mig-')), 'old.db');
    const old = new Database(path);
    old.pragma('foreign_keys = ON');
    const before = MIGRATIONS.findIndex((m) => m.includes("'operator'"));
    for (const m of MIGRATIONS.slice(0, before)) old.exec(m);
    old.pragma(`user_version = ${before}`);
    old
      .prepare('INSERT INTO users (username, role, password_hash, created_at) VALUES (?, ?, ?, ?)')
      .run('admin', 'admin', 'scrypt$16384$8$1$c2FsdA==$aGFzaA==', 1);
    expect(() =>
      old
        .prepare(
          'INSERT INTO users (username, role, password_hash, created_at) VALUES (?, ?, ?, ?)',
        )
        .run('ops', 'operator', 'x', 1),
    ).toThrow(/CHECK constraint/);
    old.close();

    const store = await ControllerStore.open(path);
    try {
      expect(await store.users.list()).toEqual([
        { username: 'admin', role: 'admin', created_at: 1 },
      ]);
      expect(await store.users.passwordHash('admin')).toBe('scrypt$16384$8$1$c2FsdA==$aGFzaA==');
      await store.users.insert('ops', 'operator', 'x', 2);
      expect((await store.users.get('ops'))?.role).toBe('operator');
    } finally {
      await store.close();
    }
  });
});
