import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualScheduler } from '../../core/virtual-scheduler.ts';
import type { CommandResult, NodeState, UpgradeCommand } from '../../mqtt/messages.ts';
import { nodeTopic } from '../../mqtt/topics.ts';
import { ensureAdmin } from '../admin-bootstrap.ts';
import { ConfigPushService } from '../config-push-service.ts';
import { Ingest, type LiveChange } from '../ingest.ts';
import { ControllerStore } from '../store/controller-store.ts';
import type { UpgradeCampaignDetail, UpgradeCampaignSummary } from '../store/records.ts';
import { UpgradeCampaignService } from '../upgrade/upgrade-campaign-service.ts';
import { buildApp } from './app.ts';
import { LiveHub } from './live-hub.ts';

const OLD = 'Intelli-Mesh 1.0.0';
const NEW = 'Intelli-Mesh 1.1.0';
const SHA = 'ab'.repeat(32);
const enc = (o: unknown) => Buffer.from(JSON.stringify(o));
const dirs: string[] = [];

function state(node: string, firmware: string): NodeState {
  return {
    node,
    at: 1,
    uptime_s: 5,
    role: 'mesh',
    wans: [],
    gateway: { announcing: false, bandwidth_down_kbit: 0, bandwidth_up_kbit: 0, selected: null },
    neighbours: [],
    firmware_version: firmware,
  };
}

/** The API on a real SQLite file, its ingest fed as the broker would, and the commands it sends. */
async function controller(
  dbPath = ':memory:',
  scheduler = new VirtualScheduler(1_700_000_000_000),
) {
  const store = await ControllerStore.open(dbPath);
  if (!(await store.users.exists('admin'))) {
    await ensureAdmin(store.users, 'admin-pw', scheduler.now());
    await store.users.create('watcher', 'viewer', 'viewer-pw', scheduler.now());
  }
  const ingest = new Ingest({ store, scheduler, flushMs: 0 });
  const sent: { node: string; command: UpgradeCommand }[] = [];
  const published: LiveChange[] = [];
  let ids = 0;
  const upgrades = new UpgradeCampaignService({
    store,
    scheduler,
    newId: () => `c${++ids}${dbPath === ':memory:' ? '' : 'f'}`,
    send: async (node, command) => void sent.push({ node, command }),
    publish: (changes) => published.push(...changes),
  });
  ingest.on('change', (changes) => upgrades.onChanges(changes));
  const app: FastifyInstance = await buildApp({
    store,
    clock: scheduler,
    site: 'lab',
    pushes: new ConfigPushService({ store, clock: scheduler, send: async () => {} }),
    upgrades,
    live: new LiveHub(),
    mqttConnected: () => true,
    ingestStats: () => ingest.stats,
  });
  const token = async (username: string, password: string) =>
    (
      (
        await app.inject({ method: 'POST', url: '/api/login', payload: { username, password } })
      ).json() as { token: string }
    ).token;
  const admin = { authorization: `Bearer ${await token('admin', 'admin-pw')}` };
  const viewer = { authorization: `Bearer ${await token('watcher', 'viewer-pw')}` };
  const publish = async (
    node: string,
    channel: 'state' | 'status' | 'command/result',
    m: object,
  ) => {
    await ingest.accept(nodeTopic('lab', node, channel), enc(m));
    scheduler.advance(1);
    await upgrades.idle(); // the campaign has taken the change in
  };
  const online = async (node: string, firmware = OLD) => {
    await publish(node, 'status', { node, online: true, at: 1 });
    await publish(node, 'state', state(node, firmware));
  };
  const answer = (node: string, id: string, status: CommandResult['status'], code?: string) =>
    publish(node, 'command/result', {
      id,
      node,
      at: 2,
      status,
      version: NEW,
      reason: `${status} reason`,
      ...(code ? { code } : {}),
    });
  const post = (url: string, payload?: object, headers = admin) =>
    app.inject({ method: 'POST', url, headers, ...(payload ? { payload } : {}) });
  const get = (url: string, headers = viewer) => app.inject({ url, headers });
  return {
    app,
    store,
    scheduler,
    upgrades,
    sent,
    published,
    admin,
    viewer,
    online,
    answer,
    publish,
    post,
    get,
    close: async () => {
      upgrades.close();
      await app.close();
      await store.close();
    },
  };
}

let running: Awaited<ReturnType<typeof controller>>[] = [];
afterEach(async () => {
  for (const c of running) await c.close();
  running = [];
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function site(...nodes: string[]) {
  const c = await controller();
  running.push(c);
  for (const n of nodes) await c.online(n);
  return c;
}

const body = (over: object = {}) => ({
  image_url: 'http://fw.example/1.1.0.itb',
  sha256: SHA,
  version: NEW,
  ...over,
});

describe('upgrade campaign API', () => {
  it('starts a campaign over every online node with the defaults, canary first', async () => {
    const c = await site('n0', 'n1', 'n2', 'n10');
    await c.publish('n2', 'status', { node: 'n2', online: false, at: 3 });
    const r = await c.post('/api/upgrades', body({ sha256: SHA.toUpperCase() }));
    expect(r.statusCode).toBe(201);
    const campaign = r.json() as UpgradeCampaignSummary;
    expect(campaign).toMatchObject({
      id: 'c1',
      status: 'running',
      sha256: SHA,
      canary: 1,
      wave_size: 5,
      node_timeout_s: 600,
      max_failures: 0,
      wave: 0,
      waves: 2,
      requested_by: 'admin',
      counts: { pending: 2, upgrading: 1, done: 0, failed: 0, skipped: 0 },
    });
    expect(c.sent).toEqual([
      {
        node: 'n0',
        command: {
          id: 'upgrade:c1',
          kind: 'upgrade',
          image_url: body().image_url,
          sha256: SHA,
          version: NEW,
        },
      },
    ]);
    const detail = (await c.get('/api/upgrades/c1')).json() as UpgradeCampaignDetail;
    expect(detail.nodes.map((n) => `${n.node} w${n.wave} ${n.state}`)).toEqual([
      'n0 w0 upgrading',
      'n1 w1 pending',
      'n10 w1 pending',
    ]);
  });

  it('follows the nodes through the ingest to the end, on the timeline and the live feed', async () => {
    const c = await site('n0', 'n1', 'n2');
    await c.post('/api/upgrades', body({ canary: 1, wave_size: 2 }));
    await c.answer('n0', 'upgrade:c1', 'downloading');
    let detail = (await c.get('/api/upgrades/c1')).json() as UpgradeCampaignDetail;
    expect(detail.nodes[0]).toMatchObject({ state: 'upgrading', step: 'downloading' });
    await c.answer('n0', 'upgrade:c1', 'rebooting');
    await c.publish('n0', 'status', { node: 'n0', online: false, at: 5 });
    expect(c.sent.map((s) => s.node)).toEqual(['n0']);
    await c.online('n0', NEW);
    expect(c.sent.map((s) => s.node)).toEqual(['n0', 'n1', 'n2']);
    await c.online('n1', NEW);
    await c.answer('n2', 'upgrade:c1', 'done');
    detail = (await c.get('/api/upgrades/c1')).json() as UpgradeCampaignDetail;
    expect(detail).toMatchObject({
      status: 'done',
      reason: `3 of 3 node(s) run ${NEW}`,
      counts: { done: 3 },
    });
    expect(detail.nodes.map((n) => n.version)).toEqual([NEW, NEW, NEW]);
    // The campaign's own events; the nodes' presence is on the timeline too, as other kinds.
    const events = (await c.get('/api/events?limit=50&kind=upgrade-campaign')).json() as {
      node: string;
      reason: string;
    }[];
    const timeline = events.map((e) => `${e.node}: ${e.reason}`).reverse();
    expect(timeline[0]).toMatch(/^controller: started by admin: 3 node\(s\) in 2 wave\(s\)/);
    expect(timeline).toContain(`n0: done: back online running ${NEW}`);
    expect(timeline).toContain('controller: wave 1 of 1 starts: n1, n2');
    expect(timeline.at(-1)).toBe(`controller: done: 3 of 3 node(s) run ${NEW}`);
    expect(c.published).toContainEqual({ type: 'upgrade', id: 'c1', status: 'done' });
    expect(c.published.filter((p) => p.type === 'event').length).toBe(events.length);
    const list = (await c.get('/api/upgrades')).json() as UpgradeCampaignSummary[];
    expect(list.map((x) => `${x.id} ${x.status}`)).toEqual(['c1 done']);
  });

  it('stops at a failing canary: the others are skipped and never sent anything', async () => {
    const c = await site('n0', 'n1', 'n2');
    await c.post('/api/upgrades', body());
    await c.answer('n0', 'upgrade:c1', 'failed', 'checksum');
    const detail = (await c.get('/api/upgrades/c1')).json() as UpgradeCampaignDetail;
    expect(detail).toMatchObject({
      status: 'stopped',
      reason: 'canary n0 failed: failed reason; 2 node(s) left untouched',
    });
    expect(detail.nodes.map((n) => `${n.node} ${n.state} ${n.code ?? ''}`.trim())).toEqual([
      'n0 failed checksum',
      'n1 skipped',
      'n2 skipped',
    ]);
    expect(c.sent).toHaveLength(1);
  });

  it('cancels a running campaign (admin), then refuses to cancel it again', async () => {
    const c = await site('n0', 'n1');
    await c.post('/api/upgrades', body());
    expect((await c.post('/api/upgrades/c1/cancel', undefined, c.viewer)).statusCode).toBe(403);
    const r = await c.post('/api/upgrades/c1/cancel');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      status: 'cancelled',
      reason: 'cancelled by admin; 1 node(s) left untouched',
    });
    expect((await c.post('/api/upgrades/c1/cancel')).json()).toEqual({
      error: 'campaign c1 is cancelled, not running',
    });
    expect((await c.post('/api/upgrades/c9/cancel')).statusCode).toBe(404);
  });

  it('runs one campaign at a time', async () => {
    const c = await site('n0', 'n1');
    await c.post('/api/upgrades', body({ nodes: ['n0'] }));
    const r = await c.post('/api/upgrades', body({ nodes: ['n1'] }));
    expect(r.statusCode).toBe(409);
    expect(r.json().error).toMatch(/campaign c1 is still running/);
  });

  it('refuses bad bodies with a 400 naming every field at fault', async () => {
    const c = await site('n0', 'n1');
    await c.publish('n1', 'status', { node: 'n1', online: false, at: 3 });
    const issues = async (payload: object) => {
      const r = await c.post('/api/upgrades', payload);
      expect(r.statusCode).toBe(400);
      return (r.json() as { issues: string[] }).issues;
    };
    expect(
      await issues(body({ image_url: 'ftp://x/y', sha256: 'abc', version: ' ', wave_size: 0 })),
    ).toEqual([
      'image_url: expected an http:// or https:// URL',
      'sha256: expected 64 hex digits',
      'version: Too small: expected string to have >=1 characters',
      'wave_size: Too small: expected number to be >=1',
    ]);
    expect(await issues(body({ nodes: ['n0', 'nx', 'n1', 'n0'] }))).toEqual([
      "nodes[1]: no node 'nx' has reported to this controller",
      "nodes[2]: 'n1' is offline",
      "nodes[3]: 'n0' is listed twice",
    ]);
    expect(await issues(body({ extra: 1 }))).toEqual(['(root): Unrecognized key: "extra"']);
    expect(await issues({})).toEqual([
      'image_url: Invalid input: expected string, received undefined',
      'sha256: Invalid input: expected string, received undefined',
      'version: Invalid input: expected string, received undefined',
    ]);
    expect(c.sent).toEqual([]);
  });

  it('lets viewers read but not start, and 404s an unknown campaign and the demo images', async () => {
    const c = await site('n0');
    expect((await c.post('/api/upgrades', body(), c.viewer)).statusCode).toBe(403);
    expect((await c.app.inject({ url: '/api/upgrades' })).statusCode).toBe(401);
    expect((await c.get('/api/upgrades')).json()).toEqual([]);
    expect((await c.get('/api/upgrades/nope')).statusCode).toBe(404);
    expect((await c.get('/api/demo/images')).statusCode).toBe(404);
  });

  it('picks a campaign up after a controller restart and times out a node that never returned', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'im-upgrades-'));
    dirs.push(dir);
    const db = join(dir, 'c.db');
    const scheduler = new VirtualScheduler(1_700_000_000_000);
    const first = await controller(db, scheduler);
    first.online('n0');
    first.online('n1');
    await first.post('/api/upgrades', body({ node_timeout_s: 60 }));
    await first.answer('n0', 'upgrade:c1f', 'rebooting');
    await first.close();

    scheduler.advance(30_000);
    const second = await controller(db, scheduler);
    running.push(second);
    await second.upgrades.resume();
    scheduler.advance(29_000);
    expect(((await second.get('/api/upgrades/c1f')).json() as UpgradeCampaignDetail).status).toBe(
      'running',
    );
    scheduler.advance(1_000);
    const detail = (await second.get('/api/upgrades/c1f')).json() as UpgradeCampaignDetail;
    expect(detail).toMatchObject({ status: 'stopped' });
    expect(detail.nodes[0]).toMatchObject({
      state: 'failed',
      code: 'timeout',
      reason: `did not come back running ${NEW} within 60 s (last step: rebooting)`,
    });
    expect(detail.nodes[1]!.state).toBe('skipped');
  });
});
