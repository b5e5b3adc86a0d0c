/**
 * Wi-Fi clients through the controller, from MQTT payloads to the API: stations in node states
 * and client events are ingested into a real SQLite store; a client seen at one node and then at
 * another is a roam even when no node says so; GET /api/clients, /api/clients/:mac and the
 * `stations` of /api/nodes/:node serve them; the live feed carries them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LiveChange } from '../../src/controller/ingest.ts';
import type { MeshEvent } from '../../src/core/events.ts';
import type { NodeState, StationReport } from '../../src/mqtt/messages.ts';
import { nodeTopic } from '../../src/mqtt/topics.ts';
import type { VirtualScheduler } from '../../src/core/virtual-scheduler.ts';
import { apiApp, type ApiApp } from './api-app.ts';

const T0 = 1_700_000_000_000;
const X = 'aa:bb:cc:dd:ee:01';

function state(node: string, at: number, stations: StationReport[] | undefined): NodeState {
  return {
    node,
    at,
    uptime_s: 100,
    role: 'mesh',
    wans: [],
    gateway: { announcing: false, bandwidth_down_kbit: 0, bandwidth_up_kbit: 0, selected: null },
    neighbours: [],
    ...(stations ? { stations } : {}),
  };
}

function station(sinceMs: number, extra: Partial<StationReport> = {}): StationReport {
  return {
    mac: X,
    ssid: 'staff',
    vlan: 10,
    iface: 'wlan0',
    signal_dbm: -58,
    since: new Date(sinceMs).toISOString(),
    ...extra,
  };
}

describe('clients API', () => {
  let api: ApiApp;
  let viewer: string;
  let changes: LiveChange[];

  beforeEach(async () => {
    api = await apiApp();
    viewer = await api.login('watcher', 'viewer-pw');
    changes = [];
    api.ingest.on('change', (c) => changes.push(...c));
  });
  afterEach(() => api.close());

  const send = async (node: string, channel: 'state' | 'events', body: object) => {
    await api.ingest.acceptBatch([
      { topic: nodeTopic('lab', node, channel), payload: Buffer.from(JSON.stringify(body)) },
    ]);
    api.ingest.flush();
  };
  const get = async (url: string, token = viewer) => {
    const r = await api.app.inject({ url, headers: { authorization: `Bearer ${token}` } });
    return { status: r.statusCode, body: r.json() as Record<string, unknown> };
  };

  it('derives a roam when a client known at n3 shows up at n7, with method and gap', async () => {
    await send('n3', 'state', state('n3', T0 + 2_000, [station(T0)]));
    let r = await get('/api/clients');
    expect(r.body).toEqual({
      clients: [expect.objectContaining({ mac: X, node: 'n3', ssid: 'staff', vlan: 10, roams: 0 })],
    });
    // n3 last listed it at T0 + 9_962; n7 says it associated over FT at T0 + 10_000.
    await send('n3', 'state', state('n3', T0 + 9_962, [station(T0)]));
    await send(
      'n7',
      'state',
      state('n7', T0 + 10_500, [
        station(T0 + 10_000, { signal_dbm: -49, auth: 'psk', ft: 'over-air' }),
      ]),
    );

    r = await get(`/api/clients/${X}`);
    expect(r.status).toBe(200);
    expect(r.body.client).toMatchObject({
      mac: X,
      node: 'n7',
      since: T0 + 10_000,
      signal_dbm: -49,
      associated: true,
      roams: 1,
      method: 'ft-over-air',
    });
    expect(r.body.history).toEqual([
      {
        at: T0 + 10_000,
        from: 'n3',
        to: 'n7',
        method: 'ft-over-air',
        gap_ms: 38,
        source: 'controller',
      },
    ]);
    const roams = await api.store.events.query({ kinds: ['client-roamed'] });
    expect(roams.map((e) => [e.node, e.source, e.reason])).toEqual([
      ['n7', 'controller', `client ${X} roamed n3 → n7, FT over the air, 38 ms`],
    ]);
    // The AP lists: n7 has it, n3 no longer.
    expect((await get('/api/nodes/n7')).body.stations).toEqual([
      expect.objectContaining({ mac: X, signal_dbm: -49 }),
    ]);
    expect((await get('/api/nodes/n3')).body.stations).toEqual([]);
    // The live feed said where it went, and the roam's timeline entry.
    expect(changes).toContainEqual({
      type: 'client',
      client: expect.objectContaining({ mac: X, node: 'n7', roams: 1 }),
    });
  });

  it('a late state of the old AP does not move the client back', async () => {
    await send('n3', 'state', state('n3', T0 + 1_000, [station(T0)]));
    await send('n7', 'state', state('n7', T0 + 12_000, [station(T0 + 11_000)]));
    // Published by n3 before the roam, delivered after.
    await send('n3', 'state', state('n3', T0 + 10_900, [station(T0)]));
    const r = await get(`/api/clients/${X}`);
    expect(r.body.client).toMatchObject({ node: 'n7', roams: 1 });
    expect(r.body.history).toHaveLength(1);
  });

  it("takes a node's client-roamed with its measured gap, and does not count it twice", async () => {
    await send('n3', 'state', state('n3', T0 + 1_000, [station(T0)]));
    const roamed: MeshEvent = {
      at: T0 + 20_000,
      node: 'n7',
      kind: 'client-roamed',
      subject: X,
      from: 'n3',
      to: 'n7',
      reason: `client ${X} roamed n3 → n7, WPA-PSK 4-way handshake, 61 ms`,
      mac: X,
      ssid: 'staff',
      method: 'psk',
      gap_ms: 61,
    };
    await send('n7', 'events', roamed);
    // n7's next state lists the same association: no second roam.
    await send('n7', 'state', state('n7', T0 + 20_400, [station(T0 + 20_000, { auth: 'psk' })]));
    const r = await get(`/api/clients/${X}`);
    expect(r.body.client).toMatchObject({ node: 'n7', roams: 1, method: 'psk' });
    expect(r.body.history).toEqual([
      { at: T0 + 20_000, from: 'n3', to: 'n7', method: 'psk', gap_ms: 61, source: 'node' },
    ]);
    // The node's own event is the timeline entry; the controller adds none.
    expect(
      (await api.store.events.query({ kinds: ['client-roamed'] })).map((e) => e.source),
    ).toEqual(['node']);
  });

  it('replaces a derived roam by the node account of it when that comes later', async () => {
    await send('n3', 'state', state('n3', T0 + 1_000, [station(T0)]));
    await send('n7', 'state', state('n7', T0 + 5_200, [station(T0 + 5_000)]));
    await send('n7', 'events', {
      at: T0 + 5_000,
      node: 'n7',
      kind: 'client-roamed',
      subject: X,
      from: 'n3',
      to: 'n7',
      reason: 'roamed',
      mac: X,
      method: 'ft-over-ds',
      gap_ms: 12,
    });
    const r = await get(`/api/clients/${X}`);
    expect(r.body.client).toMatchObject({ roams: 1, method: 'ft-over-ds' });
    expect(r.body.history).toEqual([
      { at: T0 + 5_000, from: 'n3', to: 'n7', method: 'ft-over-ds', gap_ms: 12, source: 'node' },
    ]);
  });

  it('a client that leaves stays known, not associated; an older agent changes nothing', async () => {
    await send('n3', 'state', state('n3', T0 + 1_000, [station(T0)]));
    await send('n3', 'events', {
      at: T0 + 3_000,
      node: 'n3',
      kind: 'client-left',
      subject: X,
      from: 'n3',
      to: null,
      reason: `client ${X} left n3`,
      mac: X,
    });
    let r = await get(`/api/clients/${X}`);
    expect(r.body.client).toMatchObject({ node: 'n3', associated: false, last_seen: T0 + 3_000 });
    await send('n3', 'state', state('n3', T0 + 4_000, undefined));
    r = await get(`/api/clients/${X}`);
    expect(r.body.client).toMatchObject({ node: 'n3', associated: false });
    // Back an hour later at n7: a new association, not a roam.
    (api.scheduler as VirtualScheduler).runUntil(T0 + 3_600_000);
    await send('n7', 'state', state('n7', T0 + 3_600_000, [station(T0 + 3_599_000)]));
    r = await get(`/api/clients/${X}`);
    expect(r.body.client).toMatchObject({ node: 'n7', associated: true, roams: 0 });
    expect(r.body.history).toEqual([]);
  });

  it('a node that goes offline no longer holds its clients; they roam on when seen elsewhere', async () => {
    await send('n3', 'state', state('n3', T0 + 1_000, [station(T0)]));
    await api.ingest.acceptBatch([
      {
        topic: nodeTopic('lab', 'n3', 'status'),
        payload: Buffer.from(JSON.stringify({ node: 'n3', online: false, at: T0 + 2_000 })),
      },
    ]);
    api.ingest.flush();
    expect((await get(`/api/clients/${X}`)).body.client).toMatchObject({
      node: 'n3',
      associated: false,
    });
    expect((await get('/api/nodes/n3')).body.stations).toEqual([]);
    await send('n7', 'state', state('n7', T0 + 6_000, [station(T0 + 5_000)]));
    const r = await get(`/api/clients/${X}`);
    expect(r.body.client).toMatchObject({ node: 'n7', associated: true, roams: 1 });
    expect(r.body.history).toEqual([
      expect.objectContaining({ from: 'n3', to: 'n7', gap_ms: 4_000, source: 'controller' }),
    ]);
  });

  it('refuses a state whose station is malformed, naming the field, and keeps the last good one', async () => {
    await send('n3', 'state', state('n3', T0 + 1_000, [station(T0)]));
    await send('n3', 'state', state('n3', T0 + 2_000, [station(T0, { mac: 'AA:BB:CC:DD:EE:01' })]));
    const rejected = await api.store.rejected();
    expect(rejected[0]!.error).toMatch(/^stations\[0\]\.mac: expected a MAC address/);
    expect((await get(`/api/clients/${X}`)).body.client).toMatchObject({ node: 'n3' });
  });

  it('searches by part of a MAC; 400 for a malformed one, 404 for an unknown one', async () => {
    await send(
      'n3',
      'state',
      state('n3', T0 + 1_000, [station(T0), station(T0, { mac: '02:11:22:33:44:55' })]),
    );
    expect(
      ((await get('/api/clients?q=EE-01')).body.clients as { mac: string }[]).map((c) => c.mac),
    ).toEqual([X]);
    expect(((await get('/api/clients')).body.clients as unknown[]).length).toBe(2);
    const bad = await get('/api/clients/not-a-mac');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/not a MAC address/);
    expect((await get('/api/clients?q=zz%25')).status).toBe(400);
    const unknown = await get('/api/clients/02:00:00:00:00:99');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe('no client 02:00:00:00:00:99 has been seen');
    // Upper case and dashes are the same client.
    expect(
      (await get('/api/clients/AA-BB-CC-DD-EE-01', await api.login('admin', 'admin-pw'))).body
        .client,
    ).toMatchObject({
      mac: X,
    });
    const anonymous = await api.app.inject({ url: '/api/clients' });
    expect(anonymous.statusCode).toBe(401);
  });
});
