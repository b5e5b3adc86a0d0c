/**
 * Issue 12, finding 5: logout left an open live WebSocket running; restarting with a new admin
 * password left the old tokens valid. Now a session ends on logout and on a password change
 * (its live socket is closed), and a restart with a different INTELLI_MESH_PASSWORD ends every
 * admin session while one with the same password keeps them. Real sockets, real SQLite file.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ControllerStore } from '../../src/controller/store/controller-store.ts';
import { UserAccounts } from '../../src/controller/user-accounts.ts';
import { startHttpController, waitUntil, type HttpController } from './http-controller.ts';

let ctl: HttpController | undefined;
afterEach(async () => {
  await ctl?.close();
  ctl = undefined;
});

/** A live socket opened with the token; `closed` becomes the close code when it closes. */
async function follow(c: HttpController, token: string) {
  const ws = new WebSocket(c.url.replace('http', 'ws') + '/api/live', {
    headers: { authorization: `Bearer ${token}` },
  });
  const state: { closed?: number } = {};
  ws.on('close', (code) => (state.closed = code));
  await new Promise((resolve, reject) => {
    ws.once('message', resolve);
    ws.once('error', reject);
  });
  return state;
}

const me = (c: HttpController, token: string) => c.request('/api/me', { token });

describe('sessions end when they should', () => {
  it('logout ends the session and closes its open live socket, not the others', async () => {
    ctl = await startHttpController();
    const a = await ctl.login('admin', 'admin-pw-1');
    const b = await ctl.login('admin', 'admin-pw-1');
    const liveA = await follow(ctl, a);
    const liveB = await follow(ctl, b);

    expect((await ctl.request('/api/logout', { method: 'POST', token: a })).status).toBe(200);
    await waitUntil('the logged-out live socket to close', () => liveA.closed !== undefined);
    expect(liveA.closed).toBe(4401);
    expect((await me(ctl, a)).status).toBe(401);
    // The other session of the same user is untouched.
    expect((await me(ctl, b)).status).toBe(200);
    expect(liveB.closed).toBeUndefined();
  });

  it('a password change ends every session of that user and closes their sockets', async () => {
    ctl = await startHttpController();
    const admin = await ctl.login('admin', 'admin-pw-1');
    await ctl.store.users.create('ops', 'operator', 'ops-pw-old', ctl.scheduler.now());
    const ops = await ctl.login('ops', 'ops-pw-old');
    const liveOps = await follow(ctl, ops);

    const r = await ctl.request('/api/users/ops/password', {
      method: 'PUT',
      token: admin,
      json: { password: 'ops-pw-new-1' },
    });
    expect(r.status).toBe(200);
    await waitUntil("ops's live socket to close", () => liveOps.closed !== undefined);
    expect((await me(ctl, ops)).status).toBe(401);
    expect((await me(ctl, admin)).status).toBe(200);
    await ctl.login('ops', 'ops-pw-new-1');
  });

  it('closes a live socket whose session was ended by another process (the user CLI)', async () => {
    ctl = await startHttpController({ liveSweepMs: 50 });
    await ctl.store.users.create('ops', 'operator', 'ops-pw-old', ctl.scheduler.now());
    const ops = await ctl.login('ops', 'ops-pw-old');
    const live = await follow(ctl, ops);
    // What `intelli-mesh user passwd` does, on its own connection to the same file.
    const other = await ControllerStore.open(ctl.dbPath);
    await other.users.setPassword('ops', 'ops-pw-new-1');
    await other.close();
    await waitUntil(
      'the live socket of the ended session to close',
      () => live.closed !== undefined,
    );
    expect(live.closed).toBe(4401);
  });

  it('a role change ends every session of that user and closes their sockets', async () => {
    ctl = await startHttpController();
    const admin = await ctl.login('admin', 'admin-pw-1');
    await ctl.store.users.create('ops', 'operator', 'ops-pw-old', ctl.scheduler.now());
    const ops = await ctl.login('ops', 'ops-pw-old');
    const liveOps = await follow(ctl, ops);
    const liveAdmin = await follow(ctl, admin);

    const r = await ctl.request('/api/users/ops/role', {
      method: 'PUT',
      token: admin,
      json: { role: 'viewer' },
    });
    expect(r.status).toBe(200);
    await waitUntil("ops's live socket to close", () => liveOps.closed !== undefined);
    expect(liveOps.closed).toBe(4401);
    // The operator token does not live on as a viewer's either: it is gone.
    expect((await me(ctl, ops)).status).toBe(401);
    expect((await me(ctl, admin)).status).toBe(200);
    expect(liveAdmin.closed).toBeUndefined();
    const again = await ctl.login('ops', 'ops-pw-old');
    expect(await (await me(ctl, again)).json()).toMatchObject({ role: 'viewer' });
  });

  it('removing a user ends their sessions and closes their sockets', async () => {
    ctl = await startHttpController();
    const admin = await ctl.login('admin', 'admin-pw-1');
    await ctl.store.users.create('ops', 'operator', 'ops-pw-old', ctl.scheduler.now());
    const ops = await ctl.login('ops', 'ops-pw-old');
    const liveOps = await follow(ctl, ops);

    expect((await ctl.request('/api/users/ops', { method: 'DELETE', token: admin })).status).toBe(
      200,
    );
    await waitUntil("ops's live socket to close", () => liveOps.closed !== undefined);
    expect(liveOps.closed).toBe(4401);
    expect((await me(ctl, ops)).status).toBe(401);
  });

  it.each([
    ['role', (a: UserAccounts) => a.setRole('cli:root', 'ops', 'viewer')],
    ['passwd', (a: UserAccounts) => a.setPassword('cli:root', 'ops', 'ops-pw-new-1')],
    ['remove', (a: UserAccounts) => a.remove('cli:root', 'ops')],
  ])(
    '`intelli-mesh user %s` on the running controller’s database ends the sessions and closes the sockets',
    async (_command, change) => {
      ctl = await startHttpController({ liveSweepMs: 50 });
      await ctl.store.users.create('ops', 'operator', 'ops-pw-old', ctl.scheduler.now());
      const ops = await ctl.login('ops', 'ops-pw-old');
      const live = await follow(ctl, ops);
      // What the command does, on its own connection to the same file.
      const other = await ControllerStore.open(ctl.dbPath);
      await change(new UserAccounts(other, ctl.scheduler));
      await other.close();
      await waitUntil(
        'the live socket of the ended session to close',
        () => live.closed !== undefined,
      );
      expect(live.closed).toBe(4401);
      expect((await me(ctl, ops)).status).toBe(401);
    },
  );

  it('a restart with a new admin password invalidates old tokens; the same password keeps them', async () => {
    ctl = await startHttpController({ adminPassword: 'first-password' });
    const dbPath = ctl.dbPath;
    const old = await ctl.login('admin', 'first-password');
    await ctl.close();

    ctl = await startHttpController({ adminPassword: 'first-password', dbPath });
    expect((await me(ctl, old)).status).toBe(200);
    await ctl.close();

    ctl = await startHttpController({ adminPassword: 'second-password', dbPath });
    expect((await me(ctl, old)).status).toBe(401);
    await ctl.login('admin', 'second-password');
  });
});
