import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualScheduler } from '../../core/virtual-scheduler.ts';
import type { Command, NodeState } from '../../mqtt/messages.ts';
import { nodeTopic } from '../../mqtt/topics.ts';
import { ensureAdmin } from '../admin-bootstrap.ts';
import { ConfigPushService } from '../config-push-service.ts';
import { Ingest } from '../ingest.ts';
import { ControllerStore } from '../store/controller-store.ts';
import { UpgradeCampaignService } from '../upgrade/upgrade-campaign-service.ts';
import { buildApp } from './app.ts';
import { LiveHub } from './live-hub.ts';

const enc = (o: unknown) => Buffer.from(JSON.stringify(o));

function state(node: string, neighbours: [string, number][]): NodeState {
  return {
    node,
    at: 1,
    uptime_s: 5,
    role: node === 'gw' ? 'gateway' : 'mesh',
    wans:
      node === 'gw'
        ? [{ name: 'wan', kind: 'ethernet', state: 'up', active: true, latency_ms: 9 }]
        : [],
    gateway: {
      announcing: node === 'gw',
      bandwidth_down_kbit: 1000,
      bandwidth_up_kbit: 100,
      selected: null,
    },
    neighbours: neighbours.map(([n, tq]) => ({ node: n, tq, last_seen_ms: 100 })),
  };
}

let app: FastifyInstance;
let store: ControllerStore;
let scheduler: VirtualScheduler;
let ingest: Ingest;
let sent: { node: string; command: Command }[];

beforeEach(async () => {
  store = await ControllerStore.open(':memory:');
  scheduler = new VirtualScheduler(1_700_000_000_000);
  await ensureAdmin(store.users, 'admin-pw', scheduler.now());
  await store.users.create('watcher', 'viewer', 'viewer-pw', scheduler.now());
  ingest = new Ingest({ store, scheduler });
  sent = [];
  const pushes = new ConfigPushService({
    store,
    clock: scheduler,
    send: async (node, command) => {
      sent.push({ node, command });
    },
    validate: (_node, config) =>
      (config as { weight?: unknown }).weight === 0
        ? [{ path: 'weight', message: 'must be positive' }]
        : [],
  });
  app = await buildApp({
    store,
    clock: scheduler,
    site: 'lab',
    pushes,
    upgrades: new UpgradeCampaignService({
      store,
      scheduler,
      newId: () => 'c1',
      send: async () => {},
      publish: () => {},
    }),
    live: new LiveHub(),
    mqttConnected: () => true,
    ingestStats: () => ingest.stats,
  });
});

afterEach(async () => {
  await app.close();
  await store.close();
});

async function login(username: string, password: string) {
  const r = await app.inject({
    method: 'POST',
    url: '/api/login',
    payload: { username, password },
  });
  return {
    status: r.statusCode,
    body: r.json() as { token: string; role: string; error?: string },
  };
}

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

describe('controller HTTP API', () => {
  it('logs in with the right password only and returns a working bearer token', async () => {
    expect((await login('admin', 'nope')).status).toBe(401);
    const ok = await login('admin', 'admin-pw');
    expect(ok.status).toBe(200);
    expect(ok.body.role).toBe('admin');
    const me = await app.inject({ url: '/api/me', headers: auth(ok.body.token) });
    expect(me.json()).toEqual({ username: 'admin', role: 'admin' });
    expect((await app.inject({ url: '/api/nodes' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/nodes', headers: auth('forged') })).statusCode).toBe(401);
    await app.inject({ method: 'POST', url: '/api/logout', headers: auth(ok.body.token) });
    expect((await app.inject({ url: '/api/me', headers: auth(ok.body.token) })).statusCode).toBe(
      401,
    );
  });

  it('expires sessions on the injected clock', async () => {
    const { body } = await login('watcher', 'viewer-pw');
    scheduler.advance(12 * 3_600_000 + 1);
    expect((await app.inject({ url: '/api/me', headers: auth(body.token) })).statusCode).toBe(401);
  });

  it('throttles password guessing per user', async () => {
    for (let i = 0; i < 5; i++) expect((await login('admin', `guess${i}`)).status).toBe(401);
    const blocked = await login('admin', 'admin-pw');
    expect(blocked.status).toBe(429);
    scheduler.advance(60_000);
    expect((await login('admin', 'admin-pw')).status).toBe(200);
  });

  it('rejects a malformed login body with the field at fault', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/api/login',
      payload: { username: 'admin' },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().issues).toEqual([expect.stringMatching(/^password: /)]);
  });

  it('serves the topology as a NetJSON NetworkGraph with TQ both ways', async () => {
    await ingest.accept(nodeTopic('lab', 'gw', 'state'), enc(state('gw', [['a', 200]])));
    await ingest.accept(
      nodeTopic('lab', 'a', 'state'),
      enc(
        state('a', [
          ['gw', 180],
          ['b', 90],
        ]),
      ),
    );
    await ingest.accept(nodeTopic('lab', 'b', 'status'), enc({ node: 'b', online: false, at: 2 }));
    const { body } = await login('watcher', 'viewer-pw');
    const graph = (await app.inject({ url: '/api/topology', headers: auth(body.token) })).json();
    expect(graph).toMatchObject({
      type: 'NetworkGraph',
      protocol: 'batman-adv',
      metric: 'TQ',
      label: 'lab',
    });
    expect(graph.nodes.map((n: { id: string }) => n.id)).toEqual(['a', 'b', 'gw']);
    expect(graph.nodes.find((n: { id: string }) => n.id === 'b').properties.online).toBe(false);
    expect(graph.links).toEqual([
      {
        source: 'a',
        target: 'b',
        cost: 2.833,
        properties: {
          tq_source_target: null,
          tq_target_source: 90,
          tq: 90,
          loss_source_target: null,
          loss_target_source: null,
          loss: null,
        },
      },
      {
        source: 'a',
        target: 'gw',
        // The worse direction rules: 180, not 200.
        cost: 1.417,
        properties: {
          tq_source_target: 200,
          tq_target_source: 180,
          tq: 180,
          loss_source_target: null,
          loss_target_source: null,
          loss: null,
        },
      },
    ]);
    const overview = (await app.inject({ url: '/api/overview', headers: auth(body.token) })).json();
    expect(overview).toMatchObject({
      nodes_total: 3,
      nodes_online: 2,
      gateways_announcing: 1,
      wans_up: 1,
      alerts_open: 1,
    });
  });

  it('lets only admins push configuration, validated first', async () => {
    await ingest.accept(nodeTopic('lab', 'a', 'state'), enc(state('a', [])));
    const viewer = (await login('watcher', 'viewer-pw')).body.token;
    const admin = (await login('admin', 'admin-pw')).body.token;
    const push = (token: string, payload: object) =>
      app.inject({ method: 'POST', url: '/api/config/push', headers: auth(token), payload });
    expect(
      (await push(viewer, { node: 'a', version: 'v2', config: { weight: 2 } })).statusCode,
    ).toBe(403);
    expect(
      (await push(admin, { node: 'zz', version: 'v2', config: { weight: 2 } })).statusCode,
    ).toBe(404);
    const invalid = await push(admin, { node: 'a', version: 'v2', config: { weight: 0 } });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json().issues).toEqual(['weight: must be positive']);
    expect((await push(admin, { node: 'a', config: {} })).statusCode).toBe(400);
    expect(sent).toEqual([]);
    const ok = await push(admin, { node: 'a', version: 'v2', config: { weight: 2 } });
    expect(ok.statusCode).toBe(202);
    expect(sent).toEqual([
      {
        node: 'a',
        command: { id: ok.json().id, kind: 'config.apply', version: 'v2', config: { weight: 2 } },
      },
    ]);
    const list = (
      await app.inject({ url: '/api/config/pushes?node=a', headers: auth(viewer) })
    ).json();
    expect(list.map((p: { status: string }) => p.status)).toEqual(['requested']);
  });

  it('acknowledges alerts for admins only', async () => {
    await ingest.accept(nodeTopic('lab', 'b', 'status'), enc({ node: 'b', online: false, at: 2 }));
    const viewer = (await login('watcher', 'viewer-pw')).body.token;
    const admin = (await login('admin', 'admin-pw')).body.token;
    const [alert] = (await app.inject({ url: '/api/alerts', headers: auth(viewer) })).json();
    expect(alert.kind).toBe('node-offline');
    const ack = (token: string) =>
      app.inject({ method: 'POST', url: `/api/alerts/${alert.id}/ack`, headers: auth(token) });
    expect((await ack(viewer)).statusCode).toBe(403);
    const done = await ack(admin);
    expect(done.json()).toMatchObject({ acked_by: 'admin', closed_at: null });
    expect(
      (await app.inject({ method: 'POST', url: '/api/alerts/999/ack', headers: auth(admin) }))
        .statusCode,
    ).toBe(404);
  });

  it('exposes Prometheus metrics computed from the store', async () => {
    await ingest.accept(nodeTopic('lab', 'gw', 'state'), enc(state('gw', [])));
    await ingest.accept(nodeTopic('lab', 'gw', 'state'), Buffer.from('garbage'));
    const token = (await login('watcher', 'viewer-pw')).body.token;
    const text = (await app.inject({ url: '/metrics', headers: auth(token) })).body;
    expect(text).toContain('intelli_mesh_nodes{online="true"} 1');
    expect(text).toContain('intelli_mesh_wan_up{node="gw",wan="wan",kind="ethernet"} 1');
    expect(text).toContain('intelli_mesh_wan_latency_seconds{node="gw",wan="wan"} 0.009');
    expect(text).toContain('intelli_mesh_ingest_messages_total{outcome="rejected"} 1');
  });

  it('serves NetJSON DeviceMonitoring and metric history per node', async () => {
    await ingest.accept(nodeTopic('lab', 'gw', 'state'), enc(state('gw', [['a', 200]])));
    await ingest.accept(
      nodeTopic('lab', 'gw', 'metrics'),
      enc({ node: 'gw', at: scheduler.now(), wans: { wan: { latency_ms: 11, loss: 0 } } }),
    );
    const token = (await login('watcher', 'viewer-pw')).body.token;
    const mon = (
      await app.inject({ url: '/api/nodes/gw/monitoring', headers: auth(token) })
    ).json();
    expect(mon).toMatchObject({ type: 'DeviceMonitoring', general: { hostname: 'gw', uptime: 5 } });
    expect(mon.interfaces[0]).toMatchObject({ name: 'wan', type: 'ethernet', up: true });
    const series = await app.inject({
      url: `/api/nodes/gw/metrics?series=wan.wan.latency_ms&since=${scheduler.now() - 60_000}`,
      headers: auth(token),
    });
    expect(series.json()).toHaveLength(1);
    expect(series.json()[0].avg).toBe(11);
    const bad = await app.inject({ url: '/api/nodes/gw/metrics?since=x', headers: auth(token) });
    expect(bad.statusCode).toBe(400);
  });

  it("returns a node's reported configuration and previews a change with its issues", async () => {
    await ingest.accept(
      nodeTopic('lab', 'a', 'config'),
      enc({ node: 'a', at: 5, version: 'v1', config: { weight: 2, wans: { wan: { down: 5 } } } }),
    );
    const token = (await login('watcher', 'viewer-pw')).body.token;
    const cfg = await app.inject({ url: '/api/nodes/a/config', headers: auth(token) });
    expect(cfg.json()).toEqual({
      version: 'v1',
      config: { weight: 2, wans: { wan: { down: 5 } } },
      at: 5,
    });
    const preview = (config: object) =>
      app.inject({
        method: 'POST',
        url: '/api/config/validate',
        headers: auth(token),
        payload: { node: 'a', config },
      });
    const good = (await preview({ weight: 3, wans: { wan: { down: 3, up: 2 } } })).json();
    expect(good).toEqual({
      ok: true,
      issues: [],
      errors: [],
      diff: [
        { path: 'weight', from: 2, to: 3 },
        { path: 'wans.wan.down', from: 5, to: 3 },
        { path: 'wans.wan.up', to: 2 },
      ],
    });
    const bad = (await preview({ weight: 0 })).json();
    expect(bad.ok).toBe(false);
    expect(bad.issues).toEqual(['weight: must be positive']);
    expect(
      (await app.inject({ url: '/api/nodes/zz/config', headers: auth(token) })).statusCode,
    ).toBe(404);
  });
});
